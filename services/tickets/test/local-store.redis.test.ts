import { jobIds, type OutboundMessage } from '@helpline/contracts';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CrmRefusedError } from '../src/crm/crm-errors.js';
import { parseLocalDepartments } from '../src/crm/local/local-crm.js';
import { startTicketWorker } from '../src/queue/start-ticket-worker.js';
import type { TicketJobResult } from '../src/queue/ticket-job-handler.js';
import { Contexts, FAST, testConfig, ticketRequest, uniquePrefix, waitFor } from './support/index.js';

let redis: TestRedis;
const contexts = new Contexts();

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await contexts.closeAll();
});
afterAll(async () => {
  await redis.stop();
});

const localContext = (env: Record<string, string> = {}) =>
  contexts.create(testConfig({ REDIS_URL: redis.url, ...env }), {
    ...FAST,
    prefix: uniquePrefix(),
    keyPrefix: uniquePrefix(),
  });

describe('local ticket store', () => {
  test('is the default with no Zoho variables, and says so', () => {
    const context = localContext();
    expect(context.crm.provider).toBe('local');
    expect(context.crmSettings).toMatchObject({ provider: 'local', notice: expect.stringContaining('ZOHO_CLIENT_ID') });
    expect(context.breaker).toBeUndefined();
  });

  test('the worker numbers tickets in sequence, one per key, and tells the customer the number', async () => {
    const context = localContext();
    startTicketWorker(context);
    const requests = [
      ticketRequest(),
      ticketRequest(),
      ticketRequest({ replyTo: { channel: 'cloud', chatId: '573009990000', language: 'en' } }),
    ];
    const jobIdsAdded: string[] = [];
    for (const r of requests) {
      jobIdsAdded.push((await context.producers.tickets.add(r, { jobId: jobIds.ticket(r.correlationId) })).jobId);
    }
    // The first request again under another job id: same key, same ticket.
    const again = { ...requests[0]!, correlationId: `${requests[0]!.correlationId}-again` };
    jobIdsAdded.push((await context.producers.tickets.add(again, { jobId: jobIds.ticket(again.correlationId) })).jobId);

    const results: TicketJobResult[] = [];
    for (const id of jobIdsAdded) {
      results.push(
        await waitFor(
          async () => {
            const job = await context.producers.tickets.queue.getJob(id);
            return (job?.returnvalue as TicketJobResult | null) ?? undefined;
          },
          10_000,
          `job ${id}`,
        ),
      );
    }
    const numbers = results.map((r) => r.ticketNumber);
    // Jobs may run in any order (concurrency 4), but the numbers are 1..3 and the repeat shares one.
    expect(new Set(numbers.slice(0, 3))).toEqual(new Set(['1', '2', '3']));
    expect(numbers[3]).toBe(numbers[0]);
    expect(results[3]).toMatchObject({ duplicate: true, provider: 'local' });

    const notice = (
      await context.producers.outbound.queue.getJob(jobIds.outbound(requests[2]!.correlationId, 'ticket'))
    )?.data as OutboundMessage;
    expect(notice.to).toBe('573009990000');
    expect(notice.content.kind === 'text' && notice.content.body).toBe(
      `We have opened your case with ticket number ${numbers[2]}. Our team will look into it and write to you here.`,
    );
  });

  test('contacts are one per phone; departments and statuses come from configuration', async () => {
    const context = localContext({
      LOCAL_TICKET_DEPARTMENTS: 'net:Redes,Facturación y Cobros',
      LOCAL_TICKET_STATUSES: 'Abierto,Cerrado',
    });
    const crm = context.localCrm!;
    expect(await crm.listDepartments()).toEqual([
      { id: 'net', name: 'Redes', enabled: true },
      { id: 'facturacion-y-cobros', name: 'Facturación y Cobros', enabled: true },
    ]);
    const first = await crm.createContact({ name: 'Ana', phone: '+573001112233' });
    const second = await crm.createContact({ name: 'Ana P.', phone: '+573001112233' });
    expect(second.id).toBe(first.id);
    expect(await crm.findContactByPhone('+573001112233')).toMatchObject({ id: first.id, name: 'Ana' });
    expect(await crm.findContactByPhone('+570000000000')).toBeUndefined();

    const ticket = await crm.createTicket({
      idempotencyKey: 'k-1',
      subject: 'Factura duplicada',
      description: 'Cobro doble',
      priority: 'medium',
      category: 'billing',
      channel: 'cloud',
      contactId: first.id,
    });
    expect(ticket).toMatchObject({ number: '1', status: 'Abierto', departmentId: 'net' });
    expect(await crm.findTicketByIdempotencyKey('k-1')).toEqual(ticket);
    expect(await crm.findTicketByIdempotencyKey('k-unknown')).toBeUndefined();
    expect(await crm.updateStatus(ticket.id, 'Cerrado')).toMatchObject({ status: 'Cerrado' });
    expect((await crm.getTicket(ticket.id))?.status).toBe('Cerrado');
    await expect(crm.updateStatus(ticket.id, 'Perdido')).rejects.toThrow(
      /unknown status Perdido: expected one of Abierto, Cerrado/,
    );
    expect(await crm.updateStatus('999', 'Cerrado')).toBeUndefined();
    expect(await crm.getTicket('999')).toBeUndefined();

    const refusal = crm.createTicket({
      idempotencyKey: 'k-2',
      subject: 's',
      description: '',
      priority: 'low',
      category: 'other',
      channel: 'cloud',
      contactId: first.id,
      departmentId: 'nowhere',
    });
    await expect(refusal).rejects.toBeInstanceOf(CrmRefusedError);
    await expect(
      crm.createTicket({
        idempotencyKey: 'k-3',
        subject: 's',
        description: '',
        priority: 'low',
        category: 'other',
        channel: 'cloud',
        contactId: 'C999',
      }),
    ).rejects.toThrow('unknown contact C999');
  });

  test('concurrent creates with one key make one ticket', async () => {
    const context = localContext();
    const crm = context.localCrm!;
    const contact = await crm.createContact({ phone: '+573001112233' });
    const create = () =>
      crm.createTicket({
        idempotencyKey: 'same',
        subject: 's',
        description: '',
        priority: 'low',
        category: 'other',
        channel: 'cloud',
        contactId: contact.id,
      });
    const tickets = await Promise.all(Array.from({ length: 10 }, create));
    expect(new Set(tickets.map((t) => t.id)).size).toBe(1);
    const other = await crm.createTicket({
      idempotencyKey: 'other',
      subject: 's',
      description: '',
      priority: 'low',
      category: 'other',
      channel: 'cloud',
      contactId: contact.id,
    });
    expect(other.number).toBe('2');
  });

  test('a request for an unknown department fails once, with the reason', async () => {
    const context = localContext();
    startTicketWorker(context);
    const request = ticketRequest({ departmentId: 'nowhere' });
    const jobId = jobIds.ticket(request.correlationId);
    await context.producers.tickets.add(request, { jobId });
    const job = await waitFor(
      async () => {
        const j = await context.producers.tickets.queue.getJob(jobId);
        return j?.failedReason ? j : undefined;
      },
      10_000,
      'the job to fail',
    );
    expect(job.failedReason).toBe('crm_refused: unknown department nowhere: expected one of support, billing, sales');
    expect(job.attemptsMade).toBe(1);
  });

  test('LOCAL_TICKET_DEPARTMENTS entries without ids get readable ones', () => {
    expect(parseLocalDepartments(['Soporte Técnico', 'x:Ventas '])).toEqual([
      { id: 'soporte-tecnico', name: 'Soporte Técnico', enabled: true },
      { id: 'x', name: 'Ventas', enabled: true },
    ]);
  });
});
