import { Agent, request } from 'node:http';

/** Kept-alive connections shared by every post: a load run opens a handful, not one per request. */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/**
 * POSTs a body over plain HTTP and resolves with the status once the answer is read; rejects
 * on a connection error or after `timeoutMs`.
 *
 * Why not `fetch`: the fakes and the benchmarks post thousands of webhooks a second from the
 * same two cores as the system they load, and undici's fetch (WHATWG streams, a Request, an
 * AbortSignal per call) cost the load generator about a fifth of a core at 200 messages a
 * second in a profile of the pipeline benchmark: CPU taken from the system under test.
 */
export function postBody(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs = 5_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
