import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { byteLimit } from '../src/media/byte-limit.js';

const sink = (into: Buffer[]) =>
  new Writable({
    write(chunk: Buffer, _e, cb) {
      into.push(chunk);
      cb();
    },
  });

describe('byteLimit', () => {
  it('passes up to the limit untouched', async () => {
    const got: Buffer[] = [];
    await pipeline(Readable.from([Buffer.alloc(600, 1), Buffer.alloc(400, 2)]), byteLimit(1000), sink(got));
    expect(Buffer.concat(got).length).toBe(1000);
  });

  it('fails the stream once more than the limit arrives, whatever the sender said', async () => {
    const got: Buffer[] = [];
    await expect(
      pipeline(Readable.from([Buffer.alloc(600), Buffer.alloc(401)]), byteLimit(1000), sink(got)),
    ).rejects.toThrow('MEDIA_MAX_BYTES');
    expect(Buffer.concat(got).length).toBeLessThanOrEqual(1000);
  });
});
