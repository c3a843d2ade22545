import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { readConformancePayloads } from '../src/index.js';

describe('readConformancePayloads', () => {
  const before = process.env.HELPLINE_CONFORMANCE_DIR;
  afterEach(() => {
    if (before === undefined) delete process.env.HELPLINE_CONFORMANCE_DIR;
    else process.env.HELPLINE_CONFORMANCE_DIR = before;
  });

  test('finds the 71 Meta webhook bodies, sorted by name', () => {
    const payloads = readConformancePayloads('meta');
    expect(payloads).toHaveLength(71);
    const names = payloads.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('01-text-bsuid-contact.json');
    for (const payload of payloads) {
      expect(payload.json).toEqual(JSON.parse(payload.raw));
      expect(payload.json).toHaveProperty('entry');
    }
  });

  test('finds the 7 Baileys messages', () => {
    const payloads = readConformancePayloads('baileys');
    expect(payloads.map((p) => p.name)).toHaveLength(7);
    for (const payload of payloads) expect(payload.json).toHaveProperty('key');
  });

  test('raw is the exact file text, escapes and all', () => {
    const payload = readConformancePayloads('meta').find((p) => p.name === '16-location-url-only.json');
    expect(payload).toBeDefined();
    // This capture writes URLs with \/ escapes, which any re-serialisation would drop.
    expect(payload?.raw).toContain('\\/');
    expect(payload?.raw).not.toBe(JSON.stringify(payload?.json));
  });

  test('HELPLINE_CONFORMANCE_DIR points the reader elsewhere', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helpline-conformance-'));
    try {
      await mkdir(join(dir, 'meta'));
      await writeFile(join(dir, 'meta', 'b.json'), '{"n": 2}\n');
      await writeFile(join(dir, 'meta', 'a.json'), '{"n":"\\u00e9"}');
      await writeFile(join(dir, 'meta', 'notes.txt'), 'not a payload');
      process.env.HELPLINE_CONFORMANCE_DIR = dir;
      expect(readConformancePayloads('meta')).toEqual([
        { name: 'a.json', raw: '{"n":"\\u00e9"}', json: { n: 'é' } },
        { name: 'b.json', raw: await readFile(join(dir, 'meta', 'b.json'), 'utf8'), json: { n: 2 } },
      ]);
      expect(() => readConformancePayloads('baileys')).toThrow(/HELPLINE_CONFORMANCE_DIR/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
