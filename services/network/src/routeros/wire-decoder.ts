/**
 * A RouterOS API sentence decoder that survives any split of the byte stream.
 *
 * node-routeros' own Receiver loses its place when a length prefix is cut between two TCP
 * chunks at the start of a word, and never delivers a sentence whose closing zero byte
 * arrives in a later chunk (the command then waits forever). This decoder replaces it:
 * bytes are kept until a whole word is there, and a sentence is handed on only at its
 * zero-length word. Lengths take 1 to 5 bytes (see the protocol's length encoding).
 */
export class WireDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private words: string[] = [];

  /** Returns the sentences completed by this chunk; throws on a control byte (a broken stream). */
  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const done: string[][] = [];
    let offset = 0;
    for (;;) {
      const header = readLength(this.buffer, offset);
      if (!header) break;
      const end = offset + header.size + header.length;
      if (end > this.buffer.length) break;
      if (header.length === 0) {
        done.push(this.words);
        this.words = [];
      } else {
        // RouterOS words are single-byte text (the client writes windows-1252); latin1 keeps every byte.
        this.words.push(this.buffer.toString('latin1', offset + header.size, end));
      }
      offset = end;
    }
    this.buffer = this.buffer.subarray(offset);
    return done;
  }
}

function readLength(buffer: Buffer, offset: number): { length: number; size: number } | undefined {
  if (offset >= buffer.length) return undefined;
  const b = buffer[offset] as number;
  let size: number;
  if (b < 0x80) size = 1;
  else if (b < 0xc0) size = 2;
  else if (b < 0xe0) size = 3;
  else if (b < 0xf0) size = 4;
  else if (b === 0xf0) size = 5;
  else throw new Error('control byte where a word length was expected');
  if (offset + size > buffer.length) return undefined;
  let length = size === 5 ? 0 : b & (0xff >> size);
  for (let i = 1; i < size; i++) length = length * 256 + (buffer[offset + i] as number);
  return { length, size };
}
