import { Writable } from 'node:stream';
import { createLogger, forCorrelation, redactUrl } from '@helpline/runtime';
import { describe, expect, test } from 'vitest';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'debug', destination }) };
}

describe('logger', () => {
  test('redacts tokens, keys, passwords and Authorization headers at any common depth', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        token: 'tok-1',
        apiKey: 'key-1',
        config: { OPENAI_API_KEY: 'sk-live', MIKROTIK_PASSWORD: 'pw', ZOHO_REFRESH_TOKEN: 'rt' },
        request: { headers: { authorization: 'Bearer abc', accept: 'json' } },
        router: { password: 'routerpw', host: 'r1' },
      },
      'event',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['tok-1', 'key-1', 'sk-live', '"pw"', 'rt"', 'Bearer abc', 'routerpw']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('json');
    expect(text).toContain('r1');
    expect(text).toContain('[redacted]');
  });

  test('child loggers carry the correlation id on every line', () => {
    const { lines, logger } = capture();
    const child = forCorrelation(logger, 'wamid.ABC', { queue: 'inbound' });
    child.info('one');
    child.warn('two');
    expect(lines.map((l) => l.correlationId)).toEqual(['wamid.ABC', 'wamid.ABC']);
    expect(lines[0]?.queue).toBe('inbound');
    expect(lines[0]?.name).toBe('test');
  });

  test('request URLs lose the values of secret query parameters', () => {
    expect(redactUrl('/webhook?hub.mode=subscribe&hub.verify_token=abc&hub.challenge=42')).toBe(
      '/webhook?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=42',
    );
    expect(redactUrl('/x?access_token=t')).toBe('/x?access_token=[redacted]');
    expect(redactUrl('/plain')).toBe('/plain');
  });

  test('errors are serialised with message and stack', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('boom') }, 'failed');
    const err = lines[0]?.err as { message: string; stack: string };
    expect(err.message).toBe('boom');
    expect(err.stack).toContain('logger.test.ts');
  });
});
