/**
 * A RouterOS API sentence decoder that survives any split of the byte stream.
 *
 * node-routeros' own Receiver loses its place when a length prefix is cut between two TCP
 * chunks at the start of a word, and never delivers a sentence whose closing zero byte
 * arrives in a later chunk (the command then waits forever). This decoder replaces it:
 * bytes are kept until a whole word is there, and a sentence is handed on only at its
 * zero-length word. Lengths take 1 to 5 bytes (see the protocol's length encoding).
 *
 * Chunks are only joined once enough bytes for the next word have arrived, so a long word
 * (a length of 4 or 5 bytes) arriving in thousands of TCP chunks costs one copy, not one
 * copy per chunk.
 */
export class WireDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before parsing can make progress (the whole next word, when its length is known). */
  private needed = 1;
  private words: string[] = [];

  /** Returns the sentences completed by this chunk; throws on a control byte (a broken stream). */
  push(chunk: Buffer): string[][] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.needed) return [];
    const buffer = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    const done: string[][] = [];
    let offset = 0;
    let needed = 1;
    for (;;) {
      const header = readLength(buffer, offset);
      if (!header) {
        needed = buffer.length - offset + 1;
        break;
      }
      const end = offset + header.size + header.length;
      if (end > buffer.length) {
        needed = end - offset;
        break;
      }
      if (header.length === 0) {
        done.push(this.words);
        this.words = [];
      } else {
        // RouterOS words are single-byte text (the client writes windows-1252); latin1 keeps every byte.
        this.words.push(buffer.toString('latin1', offset + header.size, end));
      }
      offset = end;
    }
    const rest = buffer.subarray(offset);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.needed = needed;
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
