import { createHash, randomUUID } from 'node:crypto';
import { jobIds } from '@helpline/contracts';
import { type FakeGatewayMedia, startFakeGatewayMedia, startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import { startTicketWorker } from '../src/queue/start-ticket-worker.js';
import { API_TOKEN, Contexts, FAST, stopTestPostgres, ticketRequest, uniquePrefix } from './support/index.js';
import { attachRequest, enqueueAttach, pdfBytes, settledJob } from './support/attachments.js';

let redis: TestRedis;
let gateway: FakeGatewayMedia;
const contexts = new Contexts();
const auth = { authorization: `Bearer ${API_TOKEN}` };

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await contexts.closeAll();
  await gateway?.close();
});
afterAll(async () => {
  await redis.stop();
  await stopTestPostgres();
});

describe('attachments in the local ticket store (PostgreSQL)', () => {
  test('kept as references (media id, channel, type, size, name, hash), once per message, listed with the ticket', async () => {
    gateway = await startFakeGatewayMedia({ token: API_TOKEN });
    const context = await contexts.createLocal(
      { REDIS_URL: redis.url, GATEWAY_URL: gateway.url },
      { ...FAST, prefix: uniquePrefix(), keyPrefix: uniquePrefix() },
    );
    startTicketWorker(context);
    const app = await buildApp(context);
    try {
      const request = ticketRequest();
      const ticketJob = await context.producers.tickets.add(request, { jobId: jobIds.ticket(request.correlationId) });
      expect(await settledJob(context, ticketJob.jobId)).toBe('completed');
      const ticketId = (await context.records.get(request.idempotencyKey))!.id;

      const bytes = pdfBytes(12_345);
      gateway.media.set('media-77', { bytes, mimeType: 'application/pdf' });
      const messageId = `wamid.${randomUUID()}`;
      const job = await enqueueAttach(context, attachRequest(messageId, 'media-77'));
      expect(await settledJob(context, job)).toBe('completed');
      // Run again by hand (an operator retry, a redelivery): one row all the same.
      await context.producers.tickets.queue.remove(job);
      expect(await settledJob(context, await enqueueAttach(context, attachRequest(messageId, 'media-77')))).toBe(
        'completed',
      );

      const res = await app.inject({ method: 'GET', url: `/tickets/${ticketId}/status`, headers: auth });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.attachments).toHaveLength(1);
      expect(body.attachments[0]).toMatchObject({
        message_id: messageId,
        media_id: 'media-77',
        channel: 'cloud',
        filename: 'recibo de pago.pdf',
        mime_type: 'application/pdf',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
      const rows = await context.database!.query<{ n: string }>('SELECT count(*)::text AS n FROM attachments');
      expect(rows.rows[0]?.n).toBe('1');

      // Closed (the last of LOCAL_TICKET_STATUSES): a later photo is not put on it.
      const closed = await app.inject({
        method: 'PUT',
        url: `/tickets/${ticketId}/status`,
        headers: auth,
        payload: { status: 'Closed' },
      });
      expect(closed.statusCode).toBe(200);
      const late = await enqueueAttach(context, attachRequest(`wamid.${randomUUID()}`, 'media-77'));
      expect(await settledJob(context, late)).toBe('completed');
      expect((await context.producers.tickets.queue.getJob(late))?.returnvalue).toMatchObject({
        outcome: 'ticket_closed',
      });
      const after = await app.inject({ method: 'GET', url: `/tickets/${ticketId}/status`, headers: auth });
      expect(after.json().attachments).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  test('an erased customer loses the file names of their attachments too', async () => {
    gateway = await startFakeGatewayMedia({ token: API_TOKEN });
    const context = await contexts.createLocal(
      { REDIS_URL: redis.url, GATEWAY_URL: gateway.url },
      { ...FAST, prefix: uniquePrefix(), keyPrefix: uniquePrefix() },
    );
    startTicketWorker(context);
    const request = ticketRequest();
    const ticketJob = await context.producers.tickets.add(request, { jobId: jobIds.ticket(request.correlationId) });
    expect(await settledJob(context, ticketJob.jobId)).toBe('completed');
    gateway.media.set('m-1', { bytes: pdfBytes(), mimeType: 'application/pdf' });
    const job = await enqueueAttach(
      context,
      attachRequest(`wamid.${randomUUID()}`, 'm-1', { media: { id: 'm-1', filename: 'cedula-ana-perez.pdf' } }),
    );
    expect(await settledJob(context, job)).toBe('completed');
    await context.localCrm!.erasePersonalData('573001112233');
    const ticketId = (await context.records.get(request.idempotencyKey))!.id;
    const [attachment] = await context.localCrm!.listAttachments(ticketId);
    expect(attachment?.filename).toBe('[erased]');
  });
});
