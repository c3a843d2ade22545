import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { signTwilioRequest, twilioSid } from './twilio-signing.js';

/** One request the fake received. */
export interface RecordedTwilioRequest {
  method: string;
  path: string;
  /** The form parameters of a POST, in order. */
  form: Array<[string, string]>;
  authorization: string | undefined;
  /** What the fake answered: a status, or `dropped`. */
  outcome: number | 'dropped';
  /** The SID handed out to a message it took. */
  messageSid?: string;
  at: Date;
}

/** A rule that makes the fake misbehave, for every send or one recipient's. */
export interface TwilioFault {
  /** Answer with this Twilio error code (the HTTP status is Twilio's for it unless `status` says). */
  errorCode?: number;
  status?: number;
  /** Seconds sent as Retry-After with a 429. */
  retryAfterSeconds?: number;
  /** Close the socket without an answer (the message is not taken). */
  drop?: boolean;
  /** Take the message (a SID, status callbacks) and close the socket without an answer. */
  dropAfterAccepting?: boolean;
  /** Take the message, then report it `failed` with this code in its status callback (as 63016 comes). */
  failLaterWith?: number;
  delayMs?: number;
  /** Only sends whose `To` is `whatsapp:+{recipient}`. */
  recipient?: string;
  times?: number;
}

/** A message the fake took, with the statuses it reported. */
export interface TwilioSentMessage {
  sid: string;
  from: string;
  to: string;
  form: Array<[string, string]>;
  statusCallback?: string;
  /** Each status callback offered: its status and whether the receiver answered 200. */
  callbacks: Array<{ status: string; delivered: boolean; attempts: number }>;
  /** With `fetchMedia`: what the fake got from the message's MediaUrl (status 0: no answer). */
  media?: { status: number; contentType?: string; bytes?: Buffer };
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  /** The WhatsApp sender the account owns, E.164. */
  whatsappNumber?: string;
  /** Statuses reported to a message's StatusCallback after it is taken (default sent, delivered). */
  statuses?: string[];
  /** Pause between status callback attempts while the receiver does not answer 200. */
  callbackRetryMs?: number;
  /**
   * Download a message's MediaUrl after taking it, as Twilio does before passing media to
   * WhatsApp (no credentials: the URL must be public); a download that fails reports the
   * message `failed` with 63019, "Media failed to download". Off by default: tests that name
   * unreachable example URLs keep working.
   */
  fetchMedia?: boolean;
}

export interface FakeTwilio {
  /** TWILIO_API_URL for the gateway. */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly whatsappNumber: string;
  readonly requests: readonly RecordedTwilioRequest[];
  /** Messages taken, in order. */
  readonly sent: readonly TwilioSentMessage[];
  addFault(fault: TwilioFault): void;
  failWith(code: number, options?: Omit<TwilioFault, 'errorCode'>): void;
  clearFaults(): void;
  /** A Content API template the account has (ContentSid HX...); others are refused with 21655. */
  addContent(contentSid?: string): string;
  /** Content made through the Content API (`POST /v1/Content`), by SID. */
  readonly createdContent: ReadonlyMap<
    string,
    { friendlyName: string; language: string; types: Record<string, unknown> }
  >;
  /** Stores a media file as Twilio keeps an incoming message's media; returns its URL (auth required). */
  addMedia(contentType: string, bytes: Buffer): { url: string; messageSid: string; mediaSid: string };
  /** Waits until every status callback offered so far was taken or given up (those of messages taken before the last reset() are not waited for). */
  settled(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

/** HTTP status Twilio answers with each error code the fake knows. */
const STATUS_OF: Record<number, number> = { 20003: 401, 20404: 404, 20429: 429, 20500: 500, 20503: 503 };

const ERROR_TEXT: Record<number, string> = {
  20003: 'Authenticate',
  20429: 'Too Many Requests',
  21211: "Invalid 'To' Phone Number",
  21606:
    "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account",
  21610: 'Attempt to send to unsubscribed recipient',
  21617: 'The concatenated message body exceeds the 1600 character limit',
  21619: 'A text message body or media urls must be specified',
  21655: 'The ContentSid is Invalid',
  63003: 'Channel could not find To address',
  63016: 'Failed to send freeform message because you are outside the allowed window. Please use a Template.',
  63018: 'Rate limit exceeded for Channel',
  63019: 'Media failed to download',
  63024: 'Invalid message recipient',
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * A real HTTP server answering like Twilio's Messages API for WhatsApp:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (basic auth with the account SID
 * and auth token; `From`, `To`, `Body`, `MediaUrl`, `ContentSid`, `ContentVariables`,
 * `StatusCallback`), the Content API's `POST /v1/Content` (same credentials), status callbacks posted to the message's StatusCallback signed with
 * the auth token as Twilio signs them (and offered again until answered 200), media URLs
 * that require the same credentials and redirect to the file, and failure modes by error
 * code, 429 with Retry-After, 5xx, dropped answers. It records what it got.
 */
export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? twilioSid('AC');
  const authToken = options.authToken ?? 'fake-twilio-auth-token-0123456789';
  const whatsappNumber = options.whatsappNumber ?? '+15550100000';
  const statuses = options.statuses ?? ['sent', 'delivered'];
  const retryMs = options.callbackRetryMs ?? 200;
  const requests: RecordedTwilioRequest[] = [];
  const sent: TwilioSentMessage[] = [];
  const contents = new Set<string>();
  /** Content made through `POST /v1/Content`, by SID: what a message naming it shows. */
  const created = new Map<string, { friendlyName: string; language: string; types: Record<string, unknown> }>();
  const media = new Map<string, { contentType: string; bytes: Buffer }>();
  let faults: Array<TwilioFault & { left: number }> = [];
  const sockets = new Set<Socket>();
  const pending = new Map<Promise<void>, number>();
  let closed = false;
  // reset() starts a new generation: callbacks of messages taken before it stop being offered.
  let generation = 0;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  const matchFault = (to: string | undefined) => {
    const fault = faults.find((f) => f.left > 0 && (f.recipient === undefined || `whatsapp:+${f.recipient}` === to));
    if (fault) fault.left -= 1;
    return fault;
  };

  const errorBody = (code: number, status: number) => ({
    code,
    message: ERROR_TEXT[code] ?? `Error ${code}`,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });

  /** Posts one status callback until answered 200 (Twilio retries a callback it could not deliver). */
  async function report(message: TwilioSentMessage, status: string, errorCode?: number): Promise<void> {
    if (!message.statusCallback) return;
    const entry = { status, delivered: false, attempts: 0 };
    message.callbacks.push(entry);
    const params: Array<[string, string]> = [
      ['ChannelToAddress', message.to.replace(/^whatsapp:/, '')],
      ['ApiVersion', '2010-04-01'],
      ['MessageStatus', status],
      ['SmsSid', message.sid],
      ['SmsStatus', status],
      ['ChannelInstallSid', 'XE00000000000000000000000000000000'],
      ['ChannelPrefix', 'whatsapp'],
      ['To', message.to],
      ['From', message.from],
      ['MessageSid', message.sid],
      ['AccountSid', accountSid],
      ...(errorCode !== undefined
        ? ([
            ['ErrorCode', String(errorCode)],
            ['ErrorMessage', ERROR_TEXT[errorCode] ?? `Error ${errorCode}`],
          ] as Array<[string, string]>)
        : []),
    ];
    const signature = signTwilioRequest(authToken, message.statusCallback, params);
    const giveUpAt = Date.now() + 60_000;
    const born = generation;
    while (!closed && born === generation && Date.now() < giveUpAt) {
      entry.attempts += 1;
      try {
        const res = await fetch(message.statusCallback, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          body: new URLSearchParams(params).toString(),
          signal: AbortSignal.timeout(5_000),
        });
        await res.arrayBuffer();
        if (res.status === 200) {
          entry.delivered = true;
          return;
        }
      } catch {
        // The receiver is away: offered again.
      }
      await sleep(retryMs);
    }
  }

  async function download(message: TwilioSentMessage, url: string): Promise<boolean> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const bytes = Buffer.from(await res.arrayBuffer());
      message.media = { status: res.status, contentType: res.headers.get('content-type') ?? undefined, bytes };
      return res.ok && bytes.length > 0;
    } catch {
      message.media = { status: 0 };
      return false;
    }
  }

  function reportAll(message: TwilioSentMessage, failLaterWith: number | undefined): void {
    const run = (async () => {
      const mediaUrl = message.form.find(([name]) => name === 'MediaUrl')?.[1];
      if (options.fetchMedia && mediaUrl && !(await download(message, mediaUrl))) {
        await report(message, 'failed', 63019);
        return;
      }
      if (failLaterWith !== undefined) await report(message, 'failed', failLaterWith);
      else for (const status of statuses) await report(message, status);
    })();
    pending.set(run, generation);
    void run.finally(() => pending.delete(run));
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const form = [...new URLSearchParams(raw)] as Array<[string, string]>;
    const record: RecordedTwilioRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      form,
      authorization: req.headers.authorization,
      outcome: 0,
      at: new Date(),
    };
    requests.push(record);
    const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.outcome = status;
      json(res, status, body, headers);
    };
    const fail = (code: number, status = STATUS_OF[code] ?? 400, headers?: Record<string, string>) =>
      answer(status, errorBody(code, status), headers);

    // The file behind a media URL: no credentials, as Twilio's redirect target.
    const file = /^\/media-files\/(ME[0-9a-f]{32})$/.exec(url.pathname);
    if (req.method === 'GET' && file?.[1]) {
      const stored = media.get(file[1]);
      if (!stored) return fail(20404);
      record.outcome = 200;
      res.writeHead(200, { 'content-type': stored.contentType, 'content-length': stored.bytes.length });
      res.end(stored.bytes);
      return;
    }
    if (req.headers.authorization !== expectedAuth) return fail(20003);
    const mediaPath =
      /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\/(MM[0-9a-f]{32})\/Media\/(ME[0-9a-f]{32})$/.exec(
        url.pathname,
      );
    if (req.method === 'GET' && mediaPath) {
      if (mediaPath[1] !== accountSid || !media.has(mediaPath[3] ?? '')) return fail(20404);
      record.outcome = 307;
      res.writeHead(307, { location: `/media-files/${mediaPath[3]}`, 'content-length': 0 });
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/v1/Content') {
      // The Content API (content.twilio.com): JSON in, the new content's SID out.
      let content: { friendly_name?: unknown; language?: unknown; types?: unknown };
      try {
        content = JSON.parse(raw) as typeof content;
      } catch {
        return fail(20001, 400);
      }
      if (typeof content.types !== 'object' || content.types === null || typeof content.language !== 'string') {
        return fail(20001, 400);
      }
      const sid = twilioSid('HX');
      contents.add(sid);
      created.set(sid, {
        friendlyName: String(content.friendly_name ?? ''),
        language: content.language,
        types: content.types as Record<string, unknown>,
      });
      return answer(201, {
        sid,
        account_sid: accountSid,
        friendly_name: content.friendly_name,
        language: content.language,
        types: content.types,
      });
    }
    const messages = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(url.pathname);
    if (req.method !== 'POST' || !messages) return fail(20404);
    if (messages[1] !== accountSid) return fail(20003);

    const get = (name: string) => form.find(([n]) => n === name)?.[1];
    const to = get('To');
    const fault = matchFault(to);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.drop) {
      record.outcome = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.errorCode !== undefined || fault?.status !== undefined) {
      const code = fault.errorCode ?? 20500;
      const status = fault.status ?? STATUS_OF[code] ?? 400;
      return fail(
        code,
        status,
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
      );
    }
    const from = get('From');
    if (from !== `whatsapp:${whatsappNumber}`) return fail(21606);
    if (!to || !/^whatsapp:\+[1-9]\d{6,14}$/.test(to)) return fail(21211);
    const body = get('Body');
    const contentSid = get('ContentSid');
    const mediaUrl = get('MediaUrl');
    if (!body && !mediaUrl && !contentSid) return fail(21619);
    if (body && body.length > 1600) return fail(21617);
    if (contentSid && !contents.has(contentSid)) return fail(21655);
    if (get('ContentVariables') !== undefined) {
      try {
        JSON.parse(get('ContentVariables') ?? '');
      } catch {
        return fail(21656, 400);
      }
    }
    const sid = twilioSid(mediaUrl ? 'MM' : 'SM');
    record.messageSid = sid;
    const message: TwilioSentMessage = {
      sid,
      from,
      to,
      form,
      ...(get('StatusCallback') ? { statusCallback: get('StatusCallback') } : {}),
      callbacks: [],
    };
    sent.push(message);
    reportAll(message, fault?.failLaterWith);
    if (fault?.dropAfterAccepting) {
      record.outcome = 'dropped';
      req.socket.destroy();
      return;
    }
    const now = new Date().toUTCString();
    answer(201, {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: body ?? '',
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: null,
      num_media: mediaUrl ? '1' : '0',
      num_segments: '1',
      price: null,
      price_unit: null,
      sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake Twilio has no port');
  const base = `http://127.0.0.1:${address.port}`;

  return {
    url: base,
    accountSid,
    authToken,
    whatsappNumber,
    requests,
    sent,
    addFault: (fault) => faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY }),
    failWith: (code, rest = {}) =>
      faults.push({ ...rest, errorCode: code, left: rest.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => {
      faults = [];
    },
    createdContent: created,
    addContent(contentSid = twilioSid('HX')) {
      contents.add(contentSid);
      return contentSid;
    },
    addMedia(contentType, bytes) {
      const messageSid = twilioSid('MM');
      const mediaSid = twilioSid('ME');
      media.set(mediaSid, { contentType, bytes });
      return {
        url: `${base}/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media/${mediaSid}`,
        messageSid,
        mediaSid,
      };
    },
    async settled() {
      const current = () => [...pending].filter(([, born]) => born === generation).map(([run]) => run);
      while (current().length > 0) await Promise.allSettled(current());
    },
    reset() {
      generation += 1;
      requests.length = 0;
      sent.length = 0;
      created.clear();
      faults = [];
    },
    async close() {
      closed = true;
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
      await Promise.allSettled([...pending.keys()]);
    },
  };
}
