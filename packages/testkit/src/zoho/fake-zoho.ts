import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';
import {
  type FakeZohoAttachment,
  type FakeZohoContact,
  type FakeZohoDepartment,
  FakeZohoStore,
  type FakeZohoTicket,
} from './fake-zoho-store.js';

/**
 * How the Desk API misbehaves:
 * - `outage`: every Desk call answers 503;
 * - `rate_limit`: every Desk call answers 429 (errorCode TOO_MANY_REQUESTS);
 * - `drop_after_create`: POST /tickets stores the ticket, then destroys the socket before
 *   answering (the client cannot know whether the ticket exists);
 * - `hang`: Desk calls are accepted and never answered (until the server closes).
 */
export type FakeZohoMode = 'normal' | 'outage' | 'rate_limit' | 'drop_after_create' | 'hang';

/**
 * How the accounts token endpoint misbehaves (the refresh limit, "Access Denied", is always
 * on and counted by `refreshLimit`):
 * - `outage`: the token endpoint answers 503;
 * - `rate_limit`: it answers 429 with `Retry-After: 1`.
 */
export type FakeZohoAccountsMode = 'normal' | 'outage' | 'rate_limit';

export interface RecordedZohoRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Header values the API cares about (authorization, orgid, content-type). */
  headers: { authorization?: string; orgid?: string; contentType?: string };
  body: unknown;
  /** The status answered; `null` when the connection was dropped or left hanging. */
  status: number | null;
  at: number;
}

export interface FakeZohoOptions {
  orgId?: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** `expires_in` of issued access tokens, in seconds (Zoho: 3600). */
  tokenLifetimeSeconds?: number;
  /** Token refreshes allowed per `refreshWindowMs` before Zoho's "Access Denied" (Zoho: 10 per 10 min). */
  refreshLimit?: number;
  refreshWindowMs?: number;
  departments?: FakeZohoDepartment[];
  /** Ticket priorities the portal accepts (its picklist). */
  priorities?: string[];
  /** API names of the ticket custom fields the portal has. */
  ticketCustomFields?: string[];
  /** Extra latency on every Desk answer, in ms. */
  latencyMs?: number;
  /**
   * Desk's search endpoints (`/tickets/search`, `/contacts/search`) are served from a search
   * index that trails the database: records created in the last `searchLagMs` are not found
   * there yet. Reads by id and a contact's ticket list come from the database and see them.
   */
  searchLagMs?: number;
  /** Largest attachment accepted, in bytes (Zoho Desk: 20 MB a file). */
  attachmentMaxBytes?: number;
}

/** Zoho Desk's limit on one attached file. */
export const ZOHO_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

export interface FakeZoho {
  /** Base URL for ZOHO_ACCOUNTS_URL (the token endpoint is `/oauth/v2/token`). */
  readonly accountsUrl: string;
  /** Base URL for ZOHO_DESK_URL (the API lives under `/api/v1`). */
  readonly deskUrl: string;
  readonly orgId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly departments: readonly FakeZohoDepartment[];
  /** Every request received, in order. */
  readonly requests: RecordedZohoRequest[];
  /** Successful token refreshes so far. */
  refreshCount(): number;
  tickets(): FakeZohoTicket[];
  /** Files attached to tickets, in order (with a ticket id, only that ticket's). */
  attachments(ticketId?: string): FakeZohoAttachment[];
  contacts(): FakeZohoContact[];
  /** Misbehave from now on; with `times`, only for that many matching requests. */
  setMode(mode: FakeZohoMode, options?: { times?: number }): void;
  /** The token endpoint misbehaves from now on; with `times`, only for that many refresh requests. */
  setAccountsMode(mode: FakeZohoAccountsMode, options?: { times?: number }): void;
  /** Search stops seeing records younger than `ms` (0: search is up to date). */
  setSearchLag(ms: number): void;
  setTokenLifetime(seconds: number): void;
  /** Every access token issued so far expires now (the next Desk call answers INVALID_OAUTH). */
  expireTokens(): void;
  setTicketStatus(ticketId: string, status: string, statusType?: string): void;
  addContact(contact: Partial<FakeZohoContact> & { lastName: string }): FakeZohoContact;
  /** Requests whose path starts with `prefix` (and method, when given). */
  requestsTo(prefix: string, method?: string): RecordedZohoRequest[];
  close(): Promise<void>;
}

const DEFAULT_DEPARTMENTS: FakeZohoDepartment[] = [
  { id: '7000000001001', name: 'Soporte', isEnabled: true },
  { id: '7000000001002', name: 'Facturación', isEnabled: true },
];

interface Answer {
  status: number;
  body?: unknown;
  /** A ticket was stored by this request (what `drop_after_create` drops the answer of). */
  created?: boolean;
}

const invalidData = (fieldName: string, errorType: 'missing' | 'invalid' | 'duplicate'): Answer => ({
  status: 422,
  body: {
    errorCode: 'INVALID_DATA',
    message: 'The data is invalid due to validation restrictions',
    errors: [{ fieldName, errorType, errorMessage: '' }],
  },
});

/**
 * A Zoho stand-in on 127.0.0.1 and a random port: the accounts token endpoint (refresh
 * token grant) and the Desk API endpoints Helpline uses, speaking Zoho's wire format
 * (`Authorization: Zoho-oauthtoken`, the `orgId` header, `errorCode` bodies, 204 for an
 * empty search). It can be told to fail (503, 429, drop the connection after creating, hang),
 * to fail on its token endpoint (503, 429), and to let its search index trail the database.
 */
export async function startFakeZoho(options: FakeZohoOptions = {}): Promise<FakeZoho> {
  const orgId = options.orgId ?? '60001234567';
  const clientId = options.clientId ?? '1000.FAKECLIENTID';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const refreshToken = options.refreshToken ?? '1000.fake-refresh-token';
  const refreshLimit = options.refreshLimit ?? 10;
  const refreshWindowMs = options.refreshWindowMs ?? 10 * 60_000;
  const priorities = options.priorities ?? ['Low', 'Medium', 'High', 'Urgent'];
  const customFields = new Set(options.ticketCustomFields ?? ['cf_idempotency_key']);
  let tokenLifetime = options.tokenLifetimeSeconds ?? 3600;
  const store = new FakeZohoStore(options.departments ?? DEFAULT_DEPARTMENTS);
  const requests: RecordedZohoRequest[] = [];
  const refreshTimes: number[] = [];
  let refreshes = 0;
  let mode: FakeZohoMode = 'normal';
  let modeTimes: number | undefined;
  let accountsMode: FakeZohoAccountsMode = 'normal';
  let accountsModeTimes: number | undefined;
  let searchLagMs = options.searchLagMs ?? 0;
  const attachmentMaxBytes = options.attachmentMaxBytes ?? ZOHO_ATTACHMENT_MAX_BYTES;
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  /** The mode that applies to this request (drop_after_create only to ticket creation). */
  const faultFor = (method: string, path: string): FakeZohoMode => {
    const creates = path === '/api/v1/tickets' || /^\/api\/v1\/tickets\/\d+\/attachments$/.test(path);
    if (mode === 'drop_after_create' && !(method === 'POST' && creates)) return 'normal';
    return mode;
  };
  /** Counts one use of a `times`-limited mode, once it has actually been applied. */
  const consumeFault = (): void => {
    if (modeTimes === undefined) return;
    modeTimes -= 1;
    if (modeTimes <= 0) {
      mode = 'normal';
      modeTimes = undefined;
    }
  };

  /** Counts one use of a `times`-limited accounts mode. */
  const consumeAccountsFault = (): void => {
    if (accountsModeTimes === undefined) return;
    accountsModeTimes -= 1;
    if (accountsModeTimes <= 0) {
      accountsMode = 'normal';
      accountsModeTimes = undefined;
    }
  };

  /** What the search index holds: records older than the lag. */
  const indexed = (createdTime: string): boolean =>
    searchLagMs <= 0 || Date.parse(createdTime) <= Date.now() - searchLagMs;

  const token = (query: Record<string, string>): Answer => {
    // Zoho answers credential problems with 200 and an `error` field.
    if (query.grant_type !== 'refresh_token') return { status: 200, body: { error: 'unsupported_grant_type' } };
    if (query.client_id !== clientId || query.client_secret !== clientSecret)
      return { status: 200, body: { error: 'invalid_client' } };
    if (query.refresh_token !== refreshToken) return { status: 200, body: { error: 'invalid_code' } };
    const now = Date.now();
    while (refreshTimes.length > 0 && refreshTimes[0]! <= now - refreshWindowMs) refreshTimes.shift();
    if (refreshTimes.length >= refreshLimit) {
      return {
        status: 400,
        body: {
          error_description: 'You have made too many requests continuously. Please try again after some time.',
          error: 'Access Denied',
          status: 'failure',
        },
      };
    }
    refreshTimes.push(now);
    refreshes += 1;
    const accessToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    store.tokens.set(accessToken, { expiresAt: now + tokenLifetime * 1000 });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        api_domain: 'https://www.zohoapis.com',
        token_type: 'Bearer',
        expires_in: tokenLifetime,
      },
    };
  };

  /** Authorization and orgId checks every Desk endpoint applies; undefined when they pass. */
  const guard = (headers: RecordedZohoRequest['headers']): Answer | undefined => {
    const match = /^Zoho-oauthtoken\s+(\S+)$/.exec(headers.authorization ?? '');
    const issued = match ? store.tokens.get(match[1]!) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) {
      return { status: 401, body: { errorCode: 'INVALID_OAUTH', message: 'The OAuth Token you provided is invalid.' } };
    }
    if (!headers.orgid)
      return { status: 400, body: { errorCode: 'INVALID_DATA', message: 'orgId header is required' } };
    if (headers.orgid !== orgId) {
      return {
        status: 401,
        body: { errorCode: 'UNAUTHORIZED', message: 'You are not authorized to access this organization' },
      };
    }
    return undefined;
  };

  const searchAnswer = <T>(found: T[]): Answer =>
    found.length === 0 ? { status: 204 } : { status: 200, body: { data: found, count: found.length } };

  const createContact = (body: Record<string, unknown>): Answer => {
    if (typeof body.lastName !== 'string' || body.lastName.trim() === '') return invalidData('/lastName', 'missing');
    const contact: FakeZohoContact = {
      id: store.newId(),
      firstName: typeof body.firstName === 'string' ? body.firstName : null,
      lastName: body.lastName,
      email: typeof body.email === 'string' ? body.email : null,
      phone: typeof body.phone === 'string' ? body.phone : null,
      mobile: typeof body.mobile === 'string' ? body.mobile : null,
      createdTime: new Date().toISOString(),
    };
    store.contacts.set(contact.id, contact);
    return { status: 200, body: contact };
  };

  const createTicket = (body: Record<string, unknown>): Answer => {
    if (typeof body.subject !== 'string' || body.subject.trim() === '') return invalidData('/subject', 'missing');
    if (body.subject.length > 255) return invalidData('/subject', 'invalid');
    if (typeof body.departmentId !== 'string' || body.departmentId === '')
      return invalidData('/departmentId', 'missing');
    if (!store.departments.some((d) => d.id === body.departmentId)) return invalidData('/departmentId', 'invalid');
    if (typeof body.contactId !== 'string' || body.contactId === '') return invalidData('/contactId', 'missing');
    if (!store.contacts.has(body.contactId)) return invalidData('/contactId', 'invalid');
    if (body.priority !== undefined && (typeof body.priority !== 'string' || !priorities.includes(body.priority))) {
      return invalidData('/priority', 'invalid');
    }
    const cf: Record<string, string | null> = {};
    if (body.cf !== undefined) {
      if (typeof body.cf !== 'object' || body.cf === null) return invalidData('/cf', 'invalid');
      for (const [name, value] of Object.entries(body.cf)) {
        if (!customFields.has(name)) return invalidData(`/cf/${name}`, 'invalid');
        cf[name] = value === null ? null : String(value);
      }
    }
    const id = store.newId();
    const ticket: FakeZohoTicket = {
      id,
      ticketNumber: store.newTicketNumber(),
      subject: body.subject,
      description: typeof body.description === 'string' ? body.description : null,
      status: 'Open',
      statusType: 'Open',
      priority: typeof body.priority === 'string' ? body.priority : null,
      category: typeof body.category === 'string' ? body.category : null,
      channel: typeof body.channel === 'string' ? body.channel : null,
      departmentId: body.departmentId,
      contactId: body.contactId,
      cf,
      createdTime: new Date().toISOString(),
      webUrl: `https://desk.zoho.com/support/fake/ShowHomePage.do#Cases/dv/${id}`,
    };
    store.tickets.set(id, ticket);
    return { status: 200, body: ticket, created: true };
  };

  const searchTickets = (query: Record<string, string>): Answer => {
    let found = [...store.tickets.values()].filter((t) => indexed(t.createdTime));
    for (const [name, value] of Object.entries(query)) {
      if (/^customField\d+$/.test(name)) {
        const at = value.indexOf(':');
        if (at < 1) return invalidData(`/${name}`, 'invalid');
        const field = value.slice(0, at);
        const wanted = value.slice(at + 1);
        found = found.filter((t) => t.cf[field] === wanted);
      } else if (name === 'ticketNumber') {
        found = found.filter((t) => t.ticketNumber === value);
      } else if (name === 'id') {
        found = found.filter((t) => t.id === value);
      }
    }
    return searchAnswer(found);
  };

  /**
   * GET /contacts/{id}/tickets: read from the database (no search lag). Takes the list
   * parameters Desk documents for its ticket lists (`from`, `limit` up to 100, `sortBy` on
   * createdTime or ticketNumber, `-` for descending, ascending by default, `include`) and
   * refuses any other the way Desk does. Like Desk's lists, items carry no custom fields:
   * those come with GET /tickets/{id}.
   */
  const contactTickets = (contactId: string, query: Record<string, string>): Answer => {
    for (const name of Object.keys(query)) {
      if (!['from', 'limit', 'sortBy', 'include'].includes(name)) {
        return {
          status: 422,
          body: {
            errorCode: 'UNPROCESSABLE_ENTITY',
            message: `Extra query parameter '${name}' is present in the input.`,
          },
        };
      }
    }
    if (!store.contacts.has(contactId)) {
      return { status: 404, body: { errorCode: 'URL_NOT_FOUND', message: 'The URL you requested could not be found' } };
    }
    const from = query.from === undefined ? 0 : Number(query.from);
    const limit = query.limit === undefined ? 10 : Number(query.limit);
    if (!Number.isInteger(from) || from < 0) return invalidData('from', 'invalid');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalidData('limit', 'invalid');
    const sortBy = query.sortBy ?? 'createdTime';
    const sortKey = sortBy.replace(/^-/, '');
    if (sortKey !== 'createdTime' && sortKey !== 'ticketNumber') return invalidData('sortBy', 'invalid');
    const direction = sortBy.startsWith('-') ? -1 : 1;
    const key = (t: FakeZohoTicket): number =>
      sortKey === 'createdTime' ? Date.parse(t.createdTime) : Number(t.ticketNumber);
    const listed = [...store.tickets.values()]
      .filter((t) => t.contactId === contactId)
      // Ties (one millisecond) fall back to creation order, which the ticket number keeps.
      .sort((a, b) => direction * (key(a) - key(b) || Number(a.ticketNumber) - Number(b.ticketNumber)))
      .slice(from, from + limit)
      .map(({ cf: _cf, description: _description, ...listItem }) => listItem);
    return { status: 200, body: { data: listed } };
  };

  const notFound: Answer = {
    status: 404,
    body: { errorCode: 'URL_NOT_FOUND', message: 'The URL you requested could not be found' },
  };
  const attachmentView = ({ bytes: _bytes, ticketId: _ticketId, ...view }: FakeZohoAttachment) => ({
    ...view,
    href: `${'https://desk.zoho.com'}/api/v1/tickets/${_ticketId}/attachments/${view.id}/content`,
  });

  /**
   * POST /tickets/{id}/attachments, Desk's "Create ticket attachment": multipart/form-data
   * with the file in the field `file`, `isPublic` (true/false) in the query; one file up to
   * the size limit. Answers the attachment (id, name, size as a string, isPublic, href).
   */
  const createAttachment = (ticketId: string, query: Record<string, string>, body: unknown): Answer => {
    if (!store.tickets.has(ticketId)) return notFound;
    if (query.isPublic !== undefined && query.isPublic !== 'true' && query.isPublic !== 'false')
      return invalidData('isPublic', 'invalid');
    const form = body as MultipartBody | undefined;
    if (form?.kind !== 'multipart') {
      return {
        status: 415,
        body: { errorCode: 'UNSUPPORTED_MEDIA_TYPE', message: 'multipart/form-data is expected' },
      };
    }
    const files = form.files.filter((f) => f.field === 'file');
    if (files.length !== 1) return invalidData('file', files.length === 0 ? 'missing' : 'invalid');
    const file = files[0]!;
    if (file.size > attachmentMaxBytes) {
      return {
        status: 413,
        body: { errorCode: 'FILE_SIZE_EXCEEDED', message: `The file exceeds ${attachmentMaxBytes} bytes` },
      };
    }
    const attachment: FakeZohoAttachment = {
      id: store.newId(),
      ticketId,
      name: file.filename,
      size: String(file.size),
      contentType: file.contentType,
      isPublic: query.isPublic === 'true',
      createdTime: new Date().toISOString(),
      bytes: file.bytes,
    };
    store.attachments.push(attachment);
    return { status: 200, body: attachmentView(attachment), created: true };
  };

  const desk = (method: string, path: string, query: Record<string, string>, body: unknown): Answer => {
    const attachmentsOf = /^\/api\/v1\/tickets\/(\d+)\/attachments$/.exec(path);
    if (method === 'POST' && attachmentsOf) return createAttachment(attachmentsOf[1]!, query, body);
    if (method === 'GET' && attachmentsOf) {
      if (!store.tickets.has(attachmentsOf[1]!)) return notFound;
      const from = Number(query.from ?? '0');
      const limit = Number(query.limit ?? '10');
      const listed = store.attachments.filter((a) => a.ticketId === attachmentsOf[1]);
      return { status: 200, body: { data: listed.slice(from, from + limit).map(attachmentView) } };
    }
    const json = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (method === 'GET' && path === '/api/v1/departments') return { status: 200, body: { data: store.departments } };
    if (method === 'GET' && path === '/api/v1/contacts/search') {
      const phone = query.phone ?? query.mobile;
      const email = query.email;
      const found = [...store.contacts.values()].filter(
        (c) =>
          indexed(c.createdTime) &&
          ((phone !== undefined && (c.phone === phone || c.mobile === phone)) ||
            (email !== undefined && c.email === email)),
      );
      return searchAnswer(found);
    }
    if (method === 'POST' && path === '/api/v1/contacts') return createContact(json);
    if (method === 'POST' && path === '/api/v1/tickets') return createTicket(json);
    if (method === 'GET' && path === '/api/v1/tickets/search') return searchTickets(query);
    const ofContact = /^\/api\/v1\/contacts\/(\d+)\/tickets$/.exec(path);
    if (method === 'GET' && ofContact) return contactTickets(ofContact[1]!, query);
    const one = /^\/api\/v1\/tickets\/(\d+)$/.exec(path);
    if (method === 'GET' && one) {
      const ticket = store.tickets.get(one[1]!);
      return ticket
        ? { status: 200, body: ticket }
        : { status: 404, body: { errorCode: 'URL_NOT_FOUND', message: 'The URL you requested could not be found' } };
    }
    return { status: 404, body: { errorCode: 'URL_NOT_FOUND', message: 'The URL you requested could not be found' } };
  };

  const send = (res: ServerResponse, record: RecordedZohoRequest, answer: Answer): void => {
    record.status = answer.status;
    if (answer.body === undefined) {
      res.writeHead(answer.status).end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json;charset=UTF-8' }).end(JSON.stringify(answer.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBytes = Buffer.concat(chunks);
    const raw = rawBytes.toString('utf8');
    const contentType = req.headers['content-type'];
    const query = Object.fromEntries(url.searchParams);
    let body: unknown;
    if (raw.length > 0) {
      if (contentType?.startsWith('multipart/form-data')) body = await parseMultipart(rawBytes, contentType);
      else if (contentType?.includes('application/x-www-form-urlencoded'))
        body = Object.fromEntries(new URLSearchParams(raw));
      else {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
    }
    const headerValue = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const record: RecordedZohoRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers: { authorization: headerValue('authorization'), orgid: headerValue('orgid'), contentType },
      body,
      status: null,
      at: Date.now(),
    };
    requests.push(record);

    if (record.path === '/oauth/v2/token') {
      if (record.method !== 'POST') return send(res, record, { status: 405, body: { error: 'method not allowed' } });
      // Zoho takes the parameters in the query string or as a form body.
      const params = {
        ...query,
        ...(typeof body === 'object' && body !== null ? (body as Record<string, string>) : {}),
      };
      const accountsFault = accountsMode;
      if (accountsFault !== 'normal') consumeAccountsFault();
      if (accountsFault === 'outage') return send(res, record, { status: 503, body: { error: 'service unavailable' } });
      if (accountsFault === 'rate_limit') {
        res.setHeader('retry-after', '1');
        return send(res, record, { status: 429, body: { error: 'too many requests' } });
      }
      return send(res, record, token(params));
    }
    if (!record.path.startsWith('/api/v1/'))
      return send(res, record, { status: 404, body: { errorCode: 'URL_NOT_FOUND', message: 'not found' } });

    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const fault = faultFor(record.method, record.path);
    if (fault === 'outage' || fault === 'rate_limit' || fault === 'hang') consumeFault();
    if (fault === 'outage')
      return send(res, record, {
        status: 503,
        body: { errorCode: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' },
      });
    if (fault === 'rate_limit') {
      res.setHeader('retry-after', '1');
      return send(res, record, { status: 429, body: { errorCode: 'TOO_MANY_REQUESTS', message: 'Too many requests' } });
    }
    if (fault === 'hang') {
      hanging.add(res);
      return;
    }
    const refused = guard(record.headers);
    if (refused) return send(res, record, refused);
    const answer = desk(record.method, record.path, query, body);
    if (answer.created && fault === 'drop_after_create') {
      consumeFault();
      // The ticket exists now; the client only sees its connection die.
      req.socket.destroy();
      return;
    }
    return send(res, record, answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorCode: 'INTERNAL_SERVER_ERROR', message: String(error) }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    accountsUrl: base,
    deskUrl: base,
    orgId,
    clientId,
    clientSecret,
    refreshToken,
    departments: store.departments,
    requests,
    refreshCount: () => refreshes,
    tickets: () => [...store.tickets.values()],
    attachments: (ticketId) => store.attachments.filter((a) => ticketId === undefined || a.ticketId === ticketId),
    contacts: () => [...store.contacts.values()],
    setMode(next, modeOptions = {}) {
      mode = next;
      modeTimes = next === 'normal' ? undefined : modeOptions.times;
    },
    setAccountsMode(next, modeOptions = {}) {
      accountsMode = next;
      accountsModeTimes = next === 'normal' ? undefined : modeOptions.times;
    },
    setSearchLag(ms) {
      searchLagMs = ms;
    },
    setTokenLifetime(seconds) {
      tokenLifetime = seconds;
    },
    expireTokens() {
      for (const issued of store.tokens.values()) issued.expiresAt = 0;
    },
    setTicketStatus(ticketId, status, statusType = status === 'Closed' ? 'Closed' : 'Open') {
      const ticket = store.tickets.get(ticketId);
      if (!ticket) throw new Error(`no ticket ${ticketId}`);
      ticket.status = status;
      ticket.statusType = statusType;
    },
    addContact(contact) {
      const created: FakeZohoContact = {
        id: store.newId(),
        firstName: null,
        email: null,
        phone: null,
        mobile: null,
        createdTime: new Date().toISOString(),
        ...contact,
      };
      store.contacts.set(created.id, created);
      return created;
    },
    requestsTo(prefix, method) {
      return requests.filter((r) => r.path.startsWith(prefix) && (method === undefined || r.method === method));
    },
    async close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface MultipartFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  bytes: Buffer;
}

/** A multipart body as the fake records it: text fields, and files with their size and hash. */
export interface MultipartBody {
  kind: 'multipart';
  fields: Record<string, string>;
  files: MultipartFile[];
}

/** Parses multipart/form-data with the platform's own parser (undici's, behind Response.formData). */
async function parseMultipart(raw: Buffer, contentType: string): Promise<MultipartBody | string> {
  try {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const parsed: MultipartBody = { kind: 'multipart', fields: {}, files: [] };
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        parsed.fields[field] = value;
        continue;
      }
      const bytes = Buffer.from(await value.arrayBuffer());
      parsed.files.push({
        field,
        filename: value.name,
        contentType: value.type,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes,
      });
    }
    return parsed;
  } catch {
    return 'malformed multipart body';
  }
}
