import { Transform } from 'node:stream';

/**
 * Passes bytes through until `maxBytes`; past it, fails the stream, so a channel that
 * said less than it sends (or said nothing) cannot push more than the limit through.
 */
export function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new Error(`media over MEDIA_MAX_BYTES (${maxBytes} bytes)`));
      else callback(null, chunk);
    },
  });
}
