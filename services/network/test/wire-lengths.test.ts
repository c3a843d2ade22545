import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionTimeouts, RouterConnection } from '../src/routeros/router-connection.js';
import { WireDecoder } from '../src/routeros/wire-decoder.js';

// The wrapper's own decoder (wire-decoder.ts) reads every reply node-routeros gets. Here it
// reads words whose length prefix takes each of the five sizes, at both sides of every
// size boundary, with the reply cut at each byte of the length prefix and at the word's end.

const timeouts: ConnectionTimeouts = { connectMs: 2_000, closeMs: 1_000, idleSocketSeconds: 120, keepalive: false };
// `!re` is 4 bytes on the wire (1 length byte + 3); the long word follows at this offset.
const WORD_AT = 4;

/** A value whose word `=big=<value>` is exactly `wordLength` bytes, with varied letters so a shifted read shows. */
function valueFor(wordLength: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const n = wordLength - '=big='.length;
  const block = alphabet.repeat(Math.ceil(Math.min(n, 1 << 16) / alphabet.length) + 1);
  const chunk = block.slice(0, Math.min(n, 1 << 16));
  return (chunk.repeat(Math.ceil(n / Math.max(1, chunk.length))) + alphabet).slice(0, n);
}

function prefixSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x4000) return 2;
  if (length < 0x20_0000) return 3;
  if (length < 0x1000_0000) return 4;
  return 5;
}

let router: FakeRouter;
let connection: RouterConnection;

beforeAll(async () => {
  router = await startFakeRouter({ state: { tables: { '/ppp/active': [] } } });
  connection = await RouterConnection.open(
    { name: 'core', host: router.host, port: router.port, username: 'api', password: 'secret', tls: false },
    timeouts,
  );
});

afterAll(async () => {
  await connection.close();
  await router.close();
});

async function readBack(wordLength: number, splits: number[], timeoutMs = 5_000): Promise<void> {
  const value = valueFor(wordLength);
  expect(`=big=${value}`.length).toBe(wordLength);
  const table = router.state.tables['/ppp/active'] as Record<string, string>[];
  table.length = 0;
  table.push({ big: value, name: 'after' });
  try {
    for (const split of splits) {
      router.faults = { split };
      const rows = await connection.run(['/ppp/active/print'], timeoutMs);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.name).toBe('after');
      expect(rows[0]?.big?.length).toBe(value.length);
      expect(rows[0]?.big === value).toBe(true);
    }
  } finally {
    router.faults = {};
    table.length = 0;
  }
  expect(connection.alive).toBe(true);
}

/** Every cut inside the length prefix and right after it, and one byte before and at the word's end. */
function cutsAround(wordLength: number): number[] {
  const size = prefixSize(wordLength);
  const cuts: number[] = [];
  for (let at = WORD_AT; at <= WORD_AT + size; at++) cuts.push(at);
  cuts.push(WORD_AT + size + wordLength - 1, WORD_AT + size + wordLength);
  return cuts;
}

describe('word lengths of every size, through the wrapper against the fake router', () => {
  it.each([
    ['1-byte length, largest', 0x7f],
    ['2-byte length, smallest', 0x80],
    ['2-byte length, largest', 0x3fff],
    ['3-byte length, smallest', 0x4000],
    ['3-byte length, largest', 0x1f_ffff],
    ['4-byte length, smallest', 0x20_0000],
  ])('%s (%i bytes), cut at each byte of its length prefix and at its end', async (_, length) => {
    await readBack(length, cutsAround(length));
  });

  // 256 MiB words: one cut inside the prefix each (a word this size arrives in thousands of
  // TCP chunks anyway). These show the 4- and 5-byte lengths decode and that joining the
  // chunks is not quadratic (that would not finish).
  it('4-byte length, largest (0x0fffffff bytes)', { timeout: 180_000 }, async () => {
    await readBack(0x0fff_ffff, [WORD_AT + 2], 120_000);
  });

  it('5-byte length, smallest (0x10000000 bytes)', { timeout: 180_000 }, async () => {
    await readBack(0x1000_0000, [WORD_AT + 3], 120_000);
  });
});

describe('WireDecoder', () => {
  it('keeps its place across every cut of a sentence, one byte at a time', () => {
    const words = ['!re', '=a=x', `=b=${'y'.repeat(0x80)}`, `=c=${'z'.repeat(0x4000)}`, '.tag=7'];
    const encode = (w: string) => {
      const bytes = Buffer.from(w, 'latin1');
      const n = bytes.length;
      const prefix =
        n < 0x80
          ? Buffer.from([n])
          : n < 0x4000
            ? Buffer.from([(n >> 8) | 0x80, n & 0xff])
            : Buffer.from([(n >> 16) | 0xc0, (n >> 8) & 0xff, n & 0xff]);
      return Buffer.concat([prefix, bytes]);
    };
    const stream = Buffer.concat([
      ...words.map(encode),
      Buffer.from([0]),
      encode('!done'),
      encode('.tag=7'),
      Buffer.from([0]),
    ]);
    const decoder = new WireDecoder();
    const out: string[][] = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(out).toEqual([words, ['!done', '.tag=7']]);
  });

  it('refuses a control byte where a length belongs', () => {
    expect(() => new WireDecoder().push(Buffer.from([0xf8, 0x00]))).toThrow(/control byte/);
  });
});
