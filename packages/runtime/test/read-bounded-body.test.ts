import { describe, expect, test } from 'vitest';
import { CodedError } from '../src/errors/coded-error.js';
import { readBoundedBody } from '../src/http/read-bounded-body.js';

const refuse = (detail: string) => new Error(`too large: ${detail}`);

/** A body of `chunks` chunks of 1,000 bytes, counting how many were pulled and whether it was cancelled. */
function streamed(chunks: number, headers: Record<string, string> = {}) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled === chunks) return controller.close();
      seen.pulled += 1;
      controller.enqueue(new Uint8Array(1_000).fill(seen.pulled));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { response: new Response(body, { headers }), seen };
}

describe('readBoundedBody', () => {
  test('a body within the limit is read whole', async () => {
    const { response } = streamed(3);
    const bytes = await readBoundedBody(response, 3_000, refuse);
    expect(bytes.length).toBe(3_000);
    expect(bytes[2_999]).toBe(3);
  });

  test('a declared length over the limit is refused before anything is read', async () => {
    const { response, seen } = streamed(50, { 'content-length': '50000' });
    await expect(readBoundedBody(response, 10_000, refuse)).rejects.toThrow('too large: 50000 bytes');
    expect(seen.pulled).toBeLessThanOrEqual(1);
    expect(seen.cancelled).toBe(true);
  });

  test('an undeclared body is cut off once past the limit, never read to its end', async () => {
    const { response, seen } = streamed(1_000);
    await expect(readBoundedBody(response, 4_500, refuse)).rejects.toThrow('too large: over 4500 bytes');
    expect(seen.pulled).toBeLessThan(10);
    expect(seen.cancelled).toBe(true);
  });

  test('an answer without a body is the upstream’s fault', async () => {
    const error = await readBoundedBody(new Response(null), 10, refuse).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).code).toBe('media_upstream');
  });
});
