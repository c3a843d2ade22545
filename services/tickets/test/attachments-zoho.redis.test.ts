import { createHash, randomUUID } from 'node:crypto';
import { jobIds, type TicketRequestInput } from '@helpline/contracts';
import { type FakeGatewayMedia, startFakeGatewayMedia, startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeZoho, startFakeZoho } from '@helpline/testkit/zoho';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { TicketsContext } from '../src/context.js';
import { startTicketWorker } from '../src/queue/start-ticket-worker.js';
import {
  API_TOKEN,
  Contexts,
  FAST,
  metricValue,
  testConfig,
  ticketRequest,
  uniquePrefix,
  zohoEnv,
} from './support/index.js';
import { attachRequest, enqueueAttach, pdfBytes, settledJob } from './support/attachments.js';

let redis: TestRedis;
let zoho: FakeZoho;
let gateway: FakeGatewayMedia;
const contexts = new Contexts();

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await contexts.closeAll();
  await zoho?.close();
  await gateway?.close();
});
afterAll(async () => {
  await redis.stop();
});

async function setUp(env: Record<string, string> = {}, zohoOptions: Parameters<typeof startFakeZoho>[0] = {}) {
  zoho = await startFakeZoho(zohoOptions);
  gateway = await startFakeGatewayMedia({ token: API_TOKEN });
  const context = contexts.create(testConfig({ ...zohoEnv(zoho, redis.url), GATEWAY_URL: gateway.url, ...env }), {
    ...FAST,
    prefix: uniquePrefix(),
    keyPrefix: uniquePrefix(),
  });
  startTicketWorker(context);
  return context;
}

async function openTicket(context: TicketsContext, request: TicketRequestInput = ticketRequest()) {
  const jobId = (await context.producers.tickets.add(request, { jobId: jobIds.ticket(request.correlationId) })).jobId;
  return { jobId, request };
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const attachmentsMetric = async (context: TicketsContext, outcome: string) =>
  metricValue(await context.metrics.registry.metrics(), 'helpline_ticket_attachments_total', { outcome }) ?? 0;

describe("a customer's document or photo on the chat's open Zoho Desk ticket", () => {
  test('uploaded once as multipart `file` (private), bytes fetched through the gateway; a repeat adds nothing', async () => {
    const context = await setUp();
    const { jobId } = await openTicket(context);
    expect(await settledJob(context, jobId)).toBe('completed');
    const ticket = zoho.tickets()[0]!;

    const bytes = pdfBytes(50_000);
    gateway.media.set('1234567890', { bytes, mimeType: 'application/pdf' });
    const messageId = `wamid.${randomUUID()}`;
    const first = await enqueueAttach(context, attachRequest(messageId, '1234567890'));
    expect(await settledJob(context, first)).toBe('completed');

    const attached = zoho.attachments(ticket.id);
    expect(attached).toHaveLength(1);
    expect(attached[0]).toMatchObject({ name: 'recibo de pago.pdf', size: String(bytes.length), isPublic: false });
    expect(sha(attached[0]!.bytes)).toBe(sha(bytes));
    const upload = zoho.requestsTo(`/api/v1/tickets/${ticket.id}/attachments`, 'POST')[0]!;
    expect(upload.headers.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload.headers.orgid).toBe(zoho.orgId);
    expect(upload.headers.authorization).toMatch(/^Zoho-oauthtoken /);
    expect(gateway.requests.map((r) => [r.mediaId, r.channel])).toEqual([['1234567890', 'cloud']]);

    // The same message again (a redelivery after its job was removed): recognised, nothing sent.
    await context.producers.tickets.queue.remove(first);
    const again = await enqueueAttach(context, attachRequest(messageId, '1234567890'));
    expect(await settledJob(context, again)).toBe('completed');
    expect(zoho.attachments(ticket.id)).toHaveLength(1);
    expect(await attachmentsMetric(context, 'attached')).toBe(1);
    expect(await attachmentsMetric(context, 'duplicate')).toBe(1);
  });

  test('a photo sent while Zoho is down waits for its ticket, then both are made once', async () => {
    const context = await setUp();
    zoho.setMode('outage');
    const { jobId, request } = await openTicket(context);
    const { waitFor } = await import('./support/index.js');
    // The ticket request is taken (and retrying) before the photo arrives, as in a chat.
    const ticketsRetried = async () =>
      metricValue(await context.metrics.registry.metrics(), 'helpline_tickets_total', { outcome: 'retried' }) ?? 0;
    await waitFor(async () => ((await ticketsRetried()) >= 1 ? true : undefined), 20_000, 'the ticket retrying');
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), pdfBytes(4000)]);
    gateway.media.set('photo-1', { bytes: photo, mimeType: 'image/jpeg' });
    const attachJob = await enqueueAttach(
      context,
      attachRequest(`wamid.${randomUUID()}`, 'photo-1', { media: { id: 'photo-1', mimeType: 'image/jpeg' } }),
    );
    // Several retry periods of the photo on the outage.
    await waitFor(
      async () => ((await attachmentsMetric(context, 'retried')) >= 3 ? true : undefined),
      20_000,
      'retries',
    );
    zoho.setMode('normal');
    expect(await settledJob(context, jobId)).toBe('completed');
    expect(await settledJob(context, attachJob)).toBe('completed');
    const ticket = zoho.tickets().find((t) => t.cf.cf_idempotency_key === request.idempotencyKey)!;
    const attached = zoho.attachments(ticket.id);
    expect(attached).toHaveLength(1);
    // A photo has no file name of its own: named after its type and when it was sent.
    expect(attached[0]!.name).toBe('foto-2025-03-04-1516.jpg');
    expect(sha(attached[0]!.bytes)).toBe(sha(photo));
  });

  test('an upload whose answer is lost is found in the ticket, not sent twice', async () => {
    const context = await setUp();
    const { jobId } = await openTicket(context);
    expect(await settledJob(context, jobId)).toBe('completed');
    const ticket = zoho.tickets()[0]!;
    gateway.media.set('doc-1', { bytes: pdfBytes(3000), mimeType: 'application/pdf' });
    zoho.setMode('drop_after_create', { times: 1 });
    const job = await enqueueAttach(context, attachRequest(`wamid.${randomUUID()}`, 'doc-1'));
    expect(await settledJob(context, job)).toBe('completed');
    expect(zoho.attachments(ticket.id)).toHaveLength(1);
    expect(zoho.requestsTo(`/api/v1/tickets/${ticket.id}/attachments`, 'GET').length).toBeGreaterThan(0);
  });

  test('no ticket in the chat, or a closed one: nothing is uploaded and the job says why', async () => {
    const context = await setUp();
    gateway.media.set('doc-2', { bytes: pdfBytes(), mimeType: 'application/pdf' });
    const none = await enqueueAttach(context, attachRequest(`wamid.${randomUUID()}`, 'doc-2'));
    expect(await settledJob(context, none)).toBe('completed');
    expect((await context.producers.tickets.queue.getJob(none))?.returnvalue).toMatchObject({
      outcome: 'no_open_ticket',
    });

    const { jobId } = await openTicket(context);
    expect(await settledJob(context, jobId)).toBe('completed');
    zoho.setTicketStatus(zoho.tickets()[0]!.id, 'Closed');
    const closed = await enqueueAttach(context, attachRequest(`wamid.${randomUUID()}`, 'doc-2'));
    expect(await settledJob(context, closed)).toBe('completed');
    expect((await context.producers.tickets.queue.getJob(closed))?.returnvalue).toMatchObject({
      outcome: 'ticket_closed',
    });
    expect(zoho.attachments()).toHaveLength(0);
    expect(gateway.requests).toHaveLength(0);
  });

  test("too large for the service's limit, refused by Zoho's, or expired at the gateway: failed once with the reason", async () => {
    const context = await setUp({ TICKETS_ATTACHMENT_MAX_BYTES: '8192' }, { attachmentMaxBytes: 4096 });
    const { jobId } = await openTicket(context);
    expect(await settledJob(context, jobId)).toBe('completed');
    gateway.media.set('big', { bytes: pdfBytes(9000), mimeType: 'application/pdf' });
    gateway.media.set('zoho-big', { bytes: pdfBytes(6000), mimeType: 'application/pdf' });

    const big = await enqueueAttach(context, attachRequest(`wamid.${randomUUID()}`, 'big'));
    expect(await settledJob(context, big)).toBe('failed');
    const bigJob = await context.producers.tickets.queue.getJob(big);
    expect(bigJob?.failedReason).toMatch(/over the 8192 bytes/);
    expect(bigJob?.attemptsMade).toBe(1);

    const zohoBig = await enqueueAttach(context, attachRequest(`wamid.${randomUUID()}`, 'zoho-big'));
    expect(await settledJob(context, zohoBig)).toBe('failed');
    expect((await context.producers.tickets.queue.getJob(zohoBig))?.failedReason).toMatch(/413 FILE_SIZE_EXCEEDED/);

    const gone = await enqueueAttach(context, attachRequest(`wamid.${randomUUID()}`, 'never-received'));
    expect(await settledJob(context, gone)).toBe('failed');
    expect((await context.producers.tickets.queue.getJob(gone))?.failedReason).toMatch(/not known to the gateway/);
    expect(zoho.attachments()).toHaveLength(0);
  });
});
