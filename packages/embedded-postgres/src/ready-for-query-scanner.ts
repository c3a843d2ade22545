/**
 * Follows a stream of backend messages (type byte, int32 length, body) chunk by chunk and
 * remembers the transaction status of the last ReadyForQuery ('Z'): 'I' idle, 'T' in a
 * transaction, 'E' in a failed one. Bodies are skipped without copying, so large result
 * sets cost nothing here.
 */
export class ReadyForQueryScanner {
  /** Status byte of the last ReadyForQuery seen, as a character; undefined if none yet. */
  status: string | undefined;
  private header = new Uint8Array(5);
  private headerLength = 0;
  private skip = 0;
  private readingStatus = false;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        if (this.readingStatus) this.status = String.fromCharCode(chunk[i] as number);
        this.readingStatus = false;
        this.skip -= n;
        i += n;
        continue;
      }
      this.header[this.headerLength++] = chunk[i++] as number;
      if (this.headerLength < 5) continue;
      const length = new DataView(this.header.buffer).getInt32(1);
      this.headerLength = 0;
      this.skip = length - 4;
      this.readingStatus = this.header[0] === 0x5a /* Z */ && this.skip === 1;
    }
  }
}
