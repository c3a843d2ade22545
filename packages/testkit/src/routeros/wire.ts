/**
 * The RouterOS API wire format, as the fake router speaks it.
 *
 * A sentence is a list of words ending with a zero-length word. Each word is its length
 * followed by its bytes; the length takes 1 to 5 bytes:
 *   < 0x80        1 byte   0xxxxxxx
 *   < 0x4000      2 bytes  10xxxxxx + 1
 *   < 0x200000    3 bytes  110xxxxx + 2
 *   < 0x10000000  4 bytes  1110xxxx + 3
 *   otherwise     5 bytes  0xF0 + 4 bytes
 * Bytes 0xF8 and above are reserved control bytes and never start a length.
 */

export const MAX_WORD_LENGTH = 0xffff_ffff;

export function encodeLength(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_WORD_LENGTH) {
    throw new RangeError(`word length out of range: ${length}`);
  }
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x4000) return Buffer.from([(length >> 8) | 0x80, length & 0xff]);
  if (length < 0x20_0000) return Buffer.from([(length >> 16) | 0xc0, (length >> 8) & 0xff, length & 0xff]);
  if (length < 0x1000_0000) {
    return Buffer.from([((length >>> 24) & 0x0f) | 0xe0, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
  }
  const out = Buffer.alloc(5);
  out[0] = 0xf0;
  out.writeUInt32BE(length, 1);
  return out;
}

/** How many bytes the length starting with `first` takes, or undefined for a control byte. */
export function lengthSize(first: number): number | undefined {
  if ((first & 0x80) === 0) return 1;
  if ((first & 0xc0) === 0x80) return 2;
  if ((first & 0xe0) === 0xc0) return 3;
  if ((first & 0xf0) === 0xe0) return 4;
  if (first === 0xf0) return 5;
  return undefined;
}

/** Decodes a length at `offset`; undefined when the buffer does not hold all of it yet. */
export function decodeLength(buffer: Buffer, offset = 0): { length: number; size: number } | undefined {
  if (offset >= buffer.length) return undefined;
  const first = buffer[offset] as number;
  const size = lengthSize(first);
  if (size === undefined) throw new Error(`control byte 0x${first.toString(16)} where a word length was expected`);
  if (offset + size > buffer.length) return undefined;
  switch (size) {
    case 1:
      return { length: first, size };
    case 2:
      return { length: ((first & 0x3f) << 8) | (buffer[offset + 1] as number), size };
    case 3:
      return { length: ((first & 0x1f) << 16) | buffer.readUInt16BE(offset + 1), size };
    case 4:
      return { length: (first & 0x0f) * 0x100_0000 + buffer.readUIntBE(offset + 1, 3), size };
    default:
      return { length: buffer.readUInt32BE(offset + 1), size };
  }
}

export function encodeWord(word: string | Buffer): Buffer {
  const bytes = typeof word === 'string' ? Buffer.from(word, 'latin1') : word;
  return Buffer.concat([encodeLength(bytes.length), bytes]);
}

export function encodeSentence(words: readonly string[]): Buffer {
  return Buffer.concat([...words.map((w) => encodeWord(w)), Buffer.from([0])]);
}

/**
 * Collects bytes as they arrive (in pieces of any size) and hands back whole sentences.
 * Words are read as latin1: RouterOS itself uses a single-byte code page, and the client
 * under test (node-routeros) writes windows-1252.
 */
export class SentenceDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private words: string[] = [];

  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const sentences: string[][] = [];
    let offset = 0;
    for (;;) {
      const header = decodeLength(this.buffer, offset);
      if (!header) break;
      const end = offset + header.size + header.length;
      if (end > this.buffer.length) break;
      if (header.length === 0) {
        sentences.push(this.words);
        this.words = [];
      } else {
        this.words.push(this.buffer.toString('latin1', offset + header.size, end));
      }
      offset = end;
    }
    this.buffer = this.buffer.subarray(offset);
    return sentences;
  }

  /** Bytes received that do not yet make a whole word. */
  get pendingBytes(): number {
    return this.buffer.length;
  }
}
