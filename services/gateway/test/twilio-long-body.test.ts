import { describe, expect, it } from 'vitest';
import { splitBody, TWILIO_MAX_BODY } from '../src/twilio/long-body.js';

describe('a text longer than Twilio takes', () => {
  it('is cut at paragraph, line or word breaks into parts that fit, dropping nothing', () => {
    const paragraph = `${'palabra '.repeat(120).trim()}.`;
    const text = [paragraph, paragraph, paragraph].join('\n\n');
    const parts = splitBody(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(TWILIO_MAX_BODY);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    expect(parts[0]?.endsWith('.')).toBe(true);
  });

  it('cuts a word longer than the limit where it must, and leaves a short text whole', () => {
    expect(splitBody('x'.repeat(3300)).map((p) => p.length)).toEqual([1600, 1600, 100]);
    expect(splitBody('hola')).toEqual(['hola']);
  });
});
