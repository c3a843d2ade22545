import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  text: string;
  /** The answer's headers (Twilio's Retry-After on a 429). */
  headers?: IncomingHttpHeaders;
}

/** A request that got no answer; `requestSent` says whether it had left whole. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly requestSent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpTransportError';
  }
}

export interface HttpTransport {
  request(
    url: URL,
    init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number },
  ): Promise<HttpAnswer>;
  close(): void;
}

/**
 * JSON over node:http(s) with kept-alive connections. The Graph client used fetch (undici)
 * first; under the pipeline bench its request and stream machinery took about a tenth of
 * the gateway's CPU, several times what a plain request costs. This transport also knows
 * whether a request had left whole before it failed, which says whether Meta may have
 * taken the message although no answer came.
 */
export function createHttpTransport(maxSockets = 64): HttpTransport {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets }),
  };
  return {
    request(url, init) {
      return new Promise((resolve, reject) => {
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
        const headers =
          init.body === undefined
            ? init.headers
            : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
        let requestSent = false;
        let settled = false;
        const fail = (message: string, cause?: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req.destroy();
          reject(new HttpTransportError(message, requestSent, { cause }));
        };
        const req = send(url, { method: init.method, headers, agent }, (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => fail(`the answer broke off: ${error.message}`, error));
          res.on('aborted', () => fail('the answer broke off'));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            });
          });
        });
        // 'finish': the whole request is handed to the socket; from then on the server may
        // act on it whatever happens to the answer.
        req.on('finish', () => {
          requestSent = true;
        });
        req.on('error', (error: NodeJS.ErrnoException) =>
          fail(error.code ? `${error.code}: ${error.message}` : error.message, error),
        );
        const timer = setTimeout(() => fail(`no answer within ${init.timeoutMs} ms`), init.timeoutMs);
        req.end(init.body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
