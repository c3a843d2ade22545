import { CodedError } from '../errors/coded-error.js';
import { ERRORS } from '../errors/catalogue.js';

/**
 * A fetch answer's body, at most `maxBytes` of it: the declared length is checked first and
 * the count again while reading, so an oversized body is refused without being held in
 * memory. Past the limit the body is cancelled and `tooLarge` makes the error, from a
 * detail such as "52428800 bytes" or "over 20971520 bytes" (each caller words its own
 * refusal). An answer without a body is the upstream's fault (`media_upstream`).
 */
export async function readBoundedBody(
  response: Response,
  maxBytes: number,
  tooLarge: (detail: string) => Error,
): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(`${declared} bytes`);
  }
  const reader = response.body?.getReader();
  if (!reader) throw new CodedError(ERRORS.media_upstream, 'the answer had no body');
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`over ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
