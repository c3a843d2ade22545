import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeMediaFile {
  bytes: Buffer;
  mimeType: string;
}

export interface FakeGatewayMedia {
  /** Base URL to use as GATEWAY_URL. */
  readonly url: string;
  /** Media by id; tests add and remove entries. */
  readonly media: Map<string, FakeMediaFile>;
  readonly requests: { mediaId: string; channel: string | null; authorization: string | undefined }[];
  /** Answer this status to every request (a gateway or Meta outage). */
  failWith: number | undefined;
  close(): Promise<void>;
}

/**
 * A stand-in for the gateway's media endpoint (`GET /api/media/:mediaId`, operator bearer
 * token), the interface services download inbound media through: the bytes with their
 * `Content-Type`, `413` past `maxBytes` (declared before any byte is sent), `404` unknown.
 */
export async function startFakeGatewayMedia(options: { token: string; maxBytes?: number }): Promise<FakeGatewayMedia> {
  const media = new Map<string, FakeMediaFile>();
  const requests: FakeGatewayMedia['requests'] = [];
  const sockets = new Set<Socket>();
  const state = { failWith: undefined as number | undefined };
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  const server = createServer((req, res) => {
    const match = /^\/api\/media\/([^/?]+)/.exec(req.url ?? '');
    const mediaId = decodeURIComponent(match?.[1] ?? '');
    const channel = new URL(req.url ?? '/', 'http://x').searchParams.get('channel');
    requests.push({ mediaId, channel, authorization: req.headers.authorization });
    const json = (status: number, error: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error, message: error }));
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) return json(401, 'unauthorized');
    if (state.failWith) return json(state.failWith, 'unavailable');
    const file = match ? media.get(mediaId) : undefined;
    if (!file) return json(404, 'not_found');
    if (file.bytes.length > maxBytes) return json(413, 'payload_too_large');
    res.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.bytes.length });
    res.end(file.bytes);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    media,
    requests,
    get failWith() {
      return state.failWith;
    },
    set failWith(value) {
      state.failWith = value;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
