import { describe, expect, it } from 'vitest';
import { decodeLength, encodeLength, encodeSentence, encodeWord, SentenceDecoder } from '../src/routeros/wire.js';

describe('RouterOS word lengths', () => {
  // The edges of each of the five sizes.
  const cases: [number, number[]][] = [
    [0, [0x00]],
    [0x7f, [0x7f]],
    [0x80, [0x80, 0x80]],
    [0x3fff, [0xbf, 0xff]],
    [0x4000, [0xc0, 0x40, 0x00]],
    [0x1f_ffff, [0xdf, 0xff, 0xff]],
    [0x20_0000, [0xe0, 0x20, 0x00, 0x00]],
    [0x0fff_ffff, [0xef, 0xff, 0xff, 0xff]],
    [0x1000_0000, [0xf0, 0x10, 0x00, 0x00, 0x00]],
    [0xffff_ffff, [0xf0, 0xff, 0xff, 0xff, 0xff]],
  ];

  it.each(cases)('encodes and decodes %i in %j', (length, bytes) => {
    expect([...encodeLength(length)]).toEqual(bytes);
    expect(decodeLength(Buffer.from(bytes))).toEqual({ length, size: bytes.length });
  });

  it('says "not yet" for a length cut short, and refuses control bytes', () => {
    expect(decodeLength(Buffer.from([0xc0, 0x40]))).toBeUndefined();
    expect(decodeLength(Buffer.from([]))).toBeUndefined();
    expect(() => decodeLength(Buffer.from([0xf8]))).toThrow(/control byte/);
    expect(() => encodeLength(-1)).toThrow(RangeError);
  });

  it('decodes sentences fed one byte at a time, with words of 1, 2 and 3 length bytes', () => {
    const long = 'x'.repeat(0x4000 + 5);
    const medium = 'y'.repeat(200);
    const bytes = Buffer.concat([
      encodeSentence(['!re', `=a=${medium}`, `=b=${long}`, '.tag=7']),
      encodeSentence(['!done', '.tag=7']),
    ]);
    const decoder = new SentenceDecoder();
    const out: string[][] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...decoder.push(bytes.subarray(i, i + 1)));
    expect(out).toEqual([
      ['!re', `=a=${medium}`, `=b=${long}`, '.tag=7'],
      ['!done', '.tag=7'],
    ]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('decodes a word with a 4-byte length', () => {
    const word = Buffer.alloc(0x20_0000 + 3, 0x41);
    const decoder = new SentenceDecoder();
    const encoded = Buffer.concat([encodeWord(word), Buffer.from([0])]);
    expect(encoded[0]).toBe(0xe0);
    const [sentence] = decoder.push(encoded);
    expect(sentence?.[0]?.length).toBe(word.length);
  });
});
