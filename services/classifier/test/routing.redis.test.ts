import {
  type Classification,
  DiagnosticRequest,
  InboundMessage,
  jobIds,
  OutboundMessage,
  TicketRequest,
} from '@helpline/contracts';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type ClassifierContext, createContext } from '../src/context.js';
import { configFor, inbound, memoryLogger, uniquePrefix } from './support/index.js';

let redis: TestRedis;
const contexts: ClassifierContext[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});
afterAll(async () => {
  await redis.stop();
});

const NOW = new Date('2026-03-02T14:00:05.000Z');

function context(): ClassifierContext {
  const config = configFor(undefined, { REDIS_URL: redis.url }, []);
  const c = createContext(config, { prefix: uniquePrefix(), logger: memoryLogger().logger, clock: () => NOW });
  contexts.push(c);
  return c;
}

function classification(overrides: Partial<Classification> = {}): Classification {
  return {
    category: 'connectivity',
    priority: 'high',
    needsTicket: true,
    summary: 'Sin internet desde ayer',
    language: 'es',
    confidence: 0.9,
    source: 'openai',
    entities: { ips: [], documentNumbers: [], ticketNumbers: [] },
    ...overrides,
  };
}

/** Every job in a queue, parsed with its contract. */
async function jobsIn(c: ClassifierContext, queue: 'diagnostics' | 'tickets' | 'outbound') {
  const jobs = await c.producers[queue].queue.getJobs([
    'waiting',
    'delayed',
    'prioritized',
    'active',
    'completed',
    'failed',
  ]);
  return jobs.map((j) => ({ id: j.id, data: j.data as unknown }));
}

async function routeOnce(c: ClassifierContext, message = inbound(), cls = classification()) {
  const parsed = InboundMessage.parse(message);
  return { message: parsed, outcome: await c.route(parsed, cls, c.logger) };
}

describe('routing, against a real Redis', () => {
  test('connectivity from a known customer: a DiagnosticRequest, then the acknowledgement', async () => {
    const c = context();
    const { message, outcome } = await routeOnce(c, inbound({ customer: { consent: true, customerId: 'C-1042' } }));
    expect(outcome.action).toBe('diagnostics');

    const [diag] = await jobsIn(c, 'diagnostics');
    expect(diag?.id).toBe(jobIds.diagnostics(message.correlationId));
    const request = DiagnosticRequest.parse(diag?.data);
    expect(request).toMatchObject({
      correlationId: message.correlationId,
      customer: { customerId: 'C-1042', phone: '573001234567' },
      openTicketOnFailure: true,
      reportedText: 'no tengo internet desde ayer',
      requestedAt: NOW.toISOString(),
      replyTo: { channel: 'cloud', chatId: '573001234567', replyToMessageId: message.id, language: 'es' },
    });
    expect(await jobsIn(c, 'tickets')).toEqual([]);

    const [ack] = await jobsIn(c, 'outbound');
    expect(ack?.id).toBe(jobIds.outbound(message.correlationId, 'ack'));
    const out = OutboundMessage.parse(ack?.data);
    expect(out).toMatchObject({ purpose: 'ack', channel: 'cloud', to: '573001234567', content: { kind: 'text' } });
    expect(out.content.kind === 'text' && out.content.body).toMatch(/revisando tu conexión/);
    expect(out.meta?.classification?.category).toBe('connectivity');
    expect(out.meta?.handoff).toBeUndefined();
    expect(out.mentions).toBeUndefined();
  });

  test('a Cloud chat carries the phone: known even without a customer id, and a ticket is asked for on fault', async () => {
    const c = context();
    const { outcome } = await routeOnce(c, inbound({ customer: { consent: true } }));
    expect(outcome.action).toBe('diagnostics');
    const [diag] = await jobsIn(c, 'diagnostics');
    expect(DiagnosticRequest.parse(diag?.data).customer).toEqual({ phone: '573001234567' });
    // Asked for in the job itself, not left to the contract's default: the network's directory
    // may not know this phone, and then its ticket is the only one this complaint gets.
    expect(diag?.data).toMatchObject({ openTicketOnFailure: true, reportedText: 'no tengo internet desde ayer' });
    expect(await jobsIn(c, 'tickets')).toEqual([]);
  });

  test('connectivity from an unknown group member: a ticket instead, and the answer mentions the reporter', async () => {
    const c = context();
    const group = inbound({
      channel: 'group',
      chatId: '120363041234567890@g.us',
      from: '573015550000@s.whatsapp.net',
      senderPhone: undefined,
      senderName: 'Caja 2 Sede Norte',
      customer: undefined,
    });
    const { message, outcome } = await routeOnce(
      c,
      group,
      classification({ summary: 'Sin red en la sede norte', priority: 'urgent' }),
    );
    expect(outcome.action).toBe('ticket');
    expect(await jobsIn(c, 'diagnostics')).toEqual([]);

    const [ticket] = await jobsIn(c, 'tickets');
    expect(ticket?.id).toBe(jobIds.ticket(message.correlationId));
    expect(TicketRequest.parse(ticket?.data)).toMatchObject({
      idempotencyKey: jobIds.ticket(message.correlationId),
      correlationId: message.correlationId,
      subject: 'Sin red en la sede norte',
      priority: 'urgent',
      category: 'connectivity',
      channel: 'group',
      contact: { phone: '573015550000', name: 'Caja 2 Sede Norte' },
      replyTo: {
        channel: 'group',
        chatId: '120363041234567890@g.us',
        mention: '573015550000@s.whatsapp.net',
        replyToMessageId: message.id,
      },
    });

    const out = OutboundMessage.parse((await jobsIn(c, 'outbound'))[0]?.data);
    expect(out.mentions).toEqual(['573015550000@s.whatsapp.net']);
    expect(out.replyTo).toBe(message.id);
    expect(out.to).toBe('120363041234567890@g.us');
    expect(out.content.kind === 'text' && out.content.body).toMatch(/^@573015550000 Recibimos tu solicitud/);
  });

  test('needsTicket (billing dispute): a TicketRequest with contact and reply target, in English when the customer writes so', async () => {
    const c = context();
    const cls = classification({
      category: 'billing',
      priority: 'medium',
      summary: 'Charged twice this month',
      language: 'en',
      entities: { ips: [], documentNumbers: ['1098765432'], ticketNumbers: [] },
    });
    const { message, outcome } = await routeOnce(c, inbound({ text: 'I was charged twice this month' }), cls);
    expect(outcome.action).toBe('ticket');
    const ticket = TicketRequest.parse((await jobsIn(c, 'tickets'))[0]?.data);
    expect(ticket.contact).toEqual({ phone: '573001234567', name: 'Laura Gómez' });
    expect(ticket.description).toContain('I was charged twice this month');
    expect(ticket.description).toContain('Document: 1098765432');
    expect(ticket.replyTo?.language).toBe('en');
    const out = OutboundMessage.parse((await jobsIn(c, 'outbound'))[0]?.data);
    expect(out.content.kind === 'text' && out.content.body).toMatch(/^We got your request/);
    expect(out.correlationId).toBe(message.correlationId);
  });

  test('human: the acknowledgement asks the gateway for a handoff; no ticket, no diagnosis', async () => {
    const c = context();
    const { outcome } = await routeOnce(
      c,
      inbound({ text: 'quiero hablar con un asesor' }),
      classification({ category: 'human', needsTicket: false, priority: 'medium' }),
    );
    expect(outcome.action).toBe('handoff');
    expect(await jobsIn(c, 'tickets')).toEqual([]);
    expect(await jobsIn(c, 'diagnostics')).toEqual([]);
    const out = OutboundMessage.parse((await jobsIn(c, 'outbound'))[0]?.data);
    expect(out.meta?.handoff).toBe(true);
    expect(out.content.kind === 'text' && out.content.body).toMatch(/una persona de nuestro equipo/);
  });

  test('greeting: a short answer and nothing else', async () => {
    const c = context();
    const { outcome } = await routeOnce(
      c,
      inbound({ text: 'hola' }),
      classification({ category: 'greeting', needsTicket: false, priority: 'low' }),
    );
    expect(outcome.action).toBe('greeting');
    expect(await jobsIn(c, 'tickets')).toEqual([]);
    expect(await jobsIn(c, 'diagnostics')).toEqual([]);
    const outs = await jobsIn(c, 'outbound');
    expect(outs).toHaveLength(1);
    const out = OutboundMessage.parse(outs[0]?.data);
    expect(out.content.kind === 'text' && out.content.body).toMatch(/^¡Hola!/);
  });

  test('a question with no ticket: only the acknowledgement', async () => {
    const c = context();
    const { outcome } = await routeOnce(
      c,
      inbound({ text: 'dónde puedo pagar?' }),
      classification({ category: 'billing', needsTicket: false, priority: 'low' }),
    );
    expect(outcome.action).toBe('ack_only');
    expect(await jobsIn(c, 'tickets')).toEqual([]);
    expect(await jobsIn(c, 'outbound')).toHaveLength(1);
  });

  test('a ticket for a sender with no phone (group LID) is not opened, and the chat still gets its acknowledgement', async () => {
    const c = context();
    const lid = inbound({
      channel: 'group',
      chatId: '120363041234567890@g.us',
      from: '201234567890123@lid',
      senderPhone: undefined,
      customer: undefined,
    });
    const { outcome } = await routeOnce(c, lid, classification({ category: 'technical' }));
    expect(outcome.action).toBe('ack_only');
    expect(outcome.note).toMatch(/no phone/);
    expect(await jobsIn(c, 'tickets')).toEqual([]);
    const out = OutboundMessage.parse((await jobsIn(c, 'outbound'))[0]?.data);
    expect(out.mentions).toEqual(['201234567890123@lid']);
  });

  test('routing the same message twice creates nothing twice', async () => {
    const c = context();
    const message = inbound({ text: 'me cobraron doble' });
    const cls = classification({ category: 'billing' });
    const first = await routeOnce(c, message, cls);
    const second = await routeOnce(c, message, cls);
    expect(first.outcome.jobs.every((j) => !j.duplicate)).toBe(true);
    expect(second.outcome.jobs.every((j) => j.duplicate)).toBe(true);
    expect(await jobsIn(c, 'tickets')).toHaveLength(1);
    expect(await jobsIn(c, 'outbound')).toHaveLength(1);
  });
});
