import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { graphErrorBody } from './graph-errors.js';
import { createStatusReporter, type StatusDelivery, type StatusWebhookTarget } from './status-webhooks.js';

export interface RecordedGraphRequest {
  method: string;
  /** Path without the query string, e.g. `/v26.0/106540352242922/messages`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** The JSON body, or undefined when it did not parse. */
  body: unknown;
  /** What the fake answered: a status, or `dropped`. */
  outcome: number | 'dropped';
  /** The message id handed out, for successful sends. */
  messageId?: string;
  /** The Graph error code answered, when the fake answered one. */
  errorCode?: number;
  at: Date;
}

/** A rule that makes the fake misbehave, for every request or one recipient's. */
export interface GraphFault {
  /** Answer with this Graph error code (status, type and message as Meta gives them). */
  errorCode?: number;
  /** Override the HTTP status (e.g. a bare 502 with `errorCode` 1). */
  status?: number;
  subcode?: number;
  /** Close the socket without an answer. */
  drop?: boolean;
  /**
   * Take the message (a wamid, a status webhook when reporting) and then close the socket
   * without an answer: the sender cannot tell that the message is out.
   */
  dropAfterAccepting?: boolean;
  /** Wait this long before answering (or dropping). */
  delayMs?: number;
  /** Only requests whose `to` is this recipient. */
  recipient?: string;
  /** How many matching requests the fault applies to (default: until cleared). */
  times?: number;
}

/** A media file the fake serves, as a customer's upload would be. */
export interface FakeMedia {
  /** The media id (default: a new numeric id). */
  id?: string;
  bytes: Buffer;
  mimeType: string;
  /** The `file_size` the metadata states (default: the real size), to test a liar. */
  declaredSize?: number;
  /** How long the download URL works (Meta: about five minutes). */
  urlTtlMs?: number;
}

export interface FakeGraphApiOptions {
  /** The bearer token the fake accepts; anything else answers code 190. */
  accessToken?: string;
  /** The phone number id the fake serves; other ids answer 400 (code 100). */
  phoneNumberId?: string;
}

/** A file uploaded through `POST /{phone-number-id}/media`. */
export interface UploadedMedia {
  id: string;
  /** The `type` form field (the MIME type, as Meta asks for it). */
  type: string;
  filename: string;
  bytes: Buffer;
}

export interface FakeGraphApi {
  /** Base URL to use as GRAPH_API_URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: readonly RecordedGraphRequest[];
  /** POSTs to `/messages`, in arrival order. */
  messageRequests(): RecordedGraphRequest[];
  /** Files uploaded through `/media`, in arrival order. */
  uploads(): readonly UploadedMedia[];
  /** Adds a fault; faults are checked in the order they were added. */
  addFault(fault: GraphFault): void;
  /** Shorthand: answer `code` to the next `times` sends (to `recipient` when given). */
  failWith(code: number, options?: Omit<GraphFault, 'errorCode'>): void;
  clearFaults(): void;
  /**
   * Post a `sent` status webhook for every later successful send, as Meta does, with the
   * message's `biz_opaque_callback_data`; offered again until answered 200. Undefined stops.
   */
  reportStatuses(target: StatusWebhookTarget | undefined): void;
  /** The status webhooks offered so far, and whether each was taken. */
  statusDeliveries(): readonly StatusDelivery[];
  /**
   * Serves a media file: `GET /{version}/{media-id}` answers its metadata with a short-lived
   * download URL on this server, which answers the bytes only with the bearer token.
   * Returns the media id.
   */
  addMedia(media: FakeMedia): string;
  /** Forgets recorded requests, faults and status deliveries. */
  reset(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'x-fb-trace-id': randomBytes(6).toString('base64url'),
  });
  res.end(text);
}

const fbtrace = () => randomBytes(8).toString('base64url');
const wamid = () => `wamid.${randomBytes(24).toString('base64')}`;

/**
 * A real HTTP server answering like the Graph API's Cloud API endpoints:
 * `POST /{version}/{phone-number-id}/messages` (sends and mark-as-read) and
 * `GET /{version}/{phone-number-id}` (the phone number, used as a reachability probe),
 * `POST /{version}/{phone-number-id}/media` (multipart upload; answers `{id}`).
 * It records every request and can be told to answer any Graph error, to be slow, or to
 * drop connections, for everyone or one recipient.
 */
export async function startFakeGraphApi(options: FakeGraphApiOptions = {}): Promise<FakeGraphApi> {
  const requests: RecordedGraphRequest[] = [];
  const uploads: UploadedMedia[] = [];
  let faults: Array<GraphFault & { left: number }> = [];
  const sockets = new Set<Socket>();
  const statuses = createStatusReporter();
  const media = new Map<string, Required<Omit<FakeMedia, 'urlTtlMs'>> & { urlTtlMs: number }>();
  const downloads = new Map<string, { mediaId: string; expiresAt: number }>();
  let baseUrl = '';

  const matchFault = (recipient: string | undefined) => {
    const fault = faults.find((f) => f.left > 0 && (f.recipient === undefined || f.recipient === recipient));
    if (fault) fault.left -= 1;
    return fault;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const rawBytes = await readBody(req);
    const rawBody = rawBytes.toString('utf8');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const record: RecordedGraphRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody,
      body,
      outcome: 0,
      at: new Date(),
    };
    requests.push(record);
    const answer = (status: number, payload: unknown) => {
      record.outcome = status;
      send(res, status, payload);
    };

    const parts = url.pathname.split('/').filter(Boolean);
    const [, phoneId, edge] = parts;
    const recipient = (body as { to?: unknown } | undefined)?.to;
    const fault = matchFault(typeof recipient === 'string' ? recipient : undefined);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.drop) {
      record.outcome = 'dropped';
      req.socket.destroy();
      return;
    }

    const auth = req.headers.authorization;
    if (options.accessToken && auth !== `Bearer ${options.accessToken}`) {
      const e = graphErrorBody(190, fbtrace(), {
        message: 'Invalid OAuth access token - Cannot parse access token',
        subcode: undefined,
      });
      return answer(e.status, e.body);
    }
    if (fault?.errorCode !== undefined || fault?.status !== undefined) {
      record.errorCode = fault.errorCode ?? 1;
      const e = graphErrorBody(fault.errorCode ?? 1, fbtrace(), {
        ...(fault.status !== undefined ? { status: fault.status } : {}),
        ...(fault.subcode !== undefined ? { subcode: fault.subcode } : {}),
      });
      return answer(e.status, e.body);
    }
    if (req.method === 'GET' && parts[0] === 'media-download') {
      // The download URL: the bytes, with the token, while it has not expired.
      const download = downloads.get(parts[1] ?? '');
      const file = download ? media.get(download.mediaId) : undefined;
      if (!download || !file || download.expiresAt < Date.now()) {
        record.outcome = 404;
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('URL signature expired');
        return;
      }
      record.outcome = 200;
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    if (req.method === 'GET' && parts.length === 2 && phoneId && media.has(phoneId)) {
      const file = media.get(phoneId);
      if (!file) return;
      const token = randomBytes(12).toString('hex');
      downloads.set(token, { mediaId: phoneId, expiresAt: Date.now() + file.urlTtlMs });
      return answer(200, {
        messaging_product: 'whatsapp',
        url: `${baseUrl}/media-download/${token}?mid=${phoneId}&ext=${Math.floor(Date.now() / 1000)}`,
        mime_type: file.mimeType,
        sha256: createHash('sha256').update(file.bytes).digest('hex'),
        file_size: String(file.declaredSize),
        id: phoneId,
      });
    }
    if (
      req.method === 'GET' &&
      parts.length === 2 &&
      options.phoneNumberId !== undefined &&
      phoneId !== options.phoneNumberId
    ) {
      // An id that is neither the phone number served nor a known media: Meta's "does not exist".
      const e = graphErrorBody(100, fbtrace(), {
        message: `Unsupported get request. Object with ID '${phoneId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        subcode: 33,
      });
      return answer(e.status, e.body);
    }
    if (parts.length < 2 || (options.phoneNumberId && phoneId !== options.phoneNumberId)) {
      const e = graphErrorBody(100, fbtrace(), { message: 'Unsupported request - method type: post', subcode: 33 });
      return answer(e.status, e.body);
    }
    if (req.method === 'GET' && parts.length === 2) {
      return answer(200, { id: phoneId, display_phone_number: '+1 555-0100', verified_name: 'Helpline Test' });
    }
    if (req.method === 'POST' && edge === 'media') {
      // Multipart as Meta documents it: messaging_product, type and the file.
      let form: FormData;
      try {
        form = await new Response(new Uint8Array(rawBytes), {
          headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        }).formData();
      } catch {
        const e = graphErrorBody(100, fbtrace(), { message: '(#100) The parameter file is required.' });
        return answer(e.status, e.body);
      }
      const file = form.get('file');
      const type = form.get('type');
      if (form.get('messaging_product') !== 'whatsapp' || typeof type !== 'string' || !(file instanceof Blob)) {
        const e = graphErrorBody(100, fbtrace(), { message: '(#100) Invalid parameter' });
        return answer(e.status, e.body);
      }
      const id = String(1_000_000_000_000 + uploads.length + Math.floor(Math.random() * 1_000_000) * 1000);
      uploads.push({
        id,
        type,
        filename: file instanceof File ? file.name : 'file',
        bytes: Buffer.from(await file.arrayBuffer()),
      });
      return answer(200, { id });
    }
    if (req.method === 'POST' && edge === 'messages') {
      const b = body as Record<string, unknown> | undefined;
      if (b?.messaging_product !== 'whatsapp') {
        const e = graphErrorBody(100, fbtrace(), { message: '(#100) The parameter messaging_product is required.' });
        return answer(e.status, e.body);
      }
      if (b.status === 'read') return answer(200, { success: true });
      if (typeof b.to !== 'string' || typeof b.type !== 'string') {
        const e = graphErrorBody(100, fbtrace(), { message: '(#100) Invalid parameter' });
        return answer(e.status, e.body);
      }
      const id = wamid();
      record.messageId = id;
      const callbackData = typeof b.biz_opaque_callback_data === 'string' ? b.biz_opaque_callback_data : undefined;
      statuses.sent({
        messageId: id,
        phoneNumberId: phoneId ?? '',
        recipient: b.to,
        ...(callbackData !== undefined ? { callbackData } : {}),
      });
      if (fault?.dropAfterAccepting) {
        record.outcome = 'dropped';
        req.socket.destroy();
        return;
      }
      answer(200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: b.to, wa_id: b.to }],
        messages: [{ id, ...(b.type === 'template' ? { message_status: 'accepted' } : {}) }],
      });
      return;
    }
    const e = graphErrorBody(100, fbtrace(), { message: `Unknown path components: ${url.pathname}` });
    return answer(e.status, e.body);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake Graph API has no port');

  baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    url: baseUrl,
    requests,
    messageRequests: () => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')),
    uploads: () => uploads,
    addFault: (fault) => faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY }),
    failWith: (code, rest = {}) =>
      faults.push({ ...rest, errorCode: code, left: rest.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => {
      faults = [];
    },
    reportStatuses: (target) => statuses.reportTo(target),
    addMedia: (file) => {
      const id = file.id ?? String(10_000_000_000_000 + Math.floor(Math.random() * 1e12));
      media.set(id, {
        id,
        bytes: file.bytes,
        mimeType: file.mimeType,
        declaredSize: file.declaredSize ?? file.bytes.length,
        urlTtlMs: file.urlTtlMs ?? 5 * 60_000,
      });
      return id;
    },
    statusDeliveries: () => statuses.deliveries(),
    reset: () => {
      requests.length = 0;
      uploads.length = 0;
      faults = [];
      statuses.reset();
    },
    close: async () => {
      statuses.close();
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
