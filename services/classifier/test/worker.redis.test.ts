import {
  type Classification,
  type InboundMessageInput,
  jobIds,
  OutboundMessage,
  TicketRequest,
  DiagnosticRequest,
} from '@helpline/contracts';
import { createProducer, createRedisConnection, type Producer } from '@helpline/runtime';
import type { Job } from 'bullmq';
import { describe, expect } from 'vitest';
import { type ClassifierContext, createContext } from '../src/context.js';
import { createInboundWorker } from '../src/worker/inbound-worker.js';
import { answer, configFor, inbound, memoryLogger, uniquePrefix, waitFor } from './support/index.js';
import { type ClassifierBed, classifierTest as test } from './support/fixtures.js';

interface Harness {
  context: ClassifierContext;
  inboundQueue: Producer<'inbound'>;
  start(): void;
  send(message: InboundMessageInput): Promise<Job>;
  finished(id: string): Promise<Job>;
}

function harness(
  bed: ClassifierBed,
  keys: ('openai' | 'gemini' | 'anthropic')[] = ['openai', 'gemini', 'anthropic'],
): Harness {
  const prefix = uniquePrefix();
  const context = createContext(configFor(bed.llm, { REDIS_URL: bed.redis.url }, keys), {
    prefix,
    logger: memoryLogger().logger,
  });
  bed.open.push(context);
  const connection = createRedisConnection(bed.redis.url, 'producer');
  bed.open.push({ close: () => connection.quit() });
  const inboundQueue = createProducer('inbound', { connection, prefix });
  bed.open.push(inboundQueue);
  return {
    context,
    inboundQueue,
    start() {
      const worker = createInboundWorker({
        connection: context.redis('worker'),
        prefix,
        logger: context.logger,
        metrics: context.metrics,
        process: context.processInbound,
      });
      // Shown by /health; closed by the context before its connections (a worker's close
      // waits for its active job).
      context.addWorker(worker);
    },
    async send(message) {
      const jobId = jobIds.inbound(message.id);
      await waitFor(
        async () => ((await connection.ping().catch(() => undefined)) === 'PONG' ? true : undefined),
        5_000,
        'Redis',
      );
      await inboundQueue.add(message, { jobId });
      return (await inboundQueue.queue.getJob(jobId)) as Job;
    },
    finished(id) {
      return waitFor(
        async () => {
          const job = await inboundQueue.queue.getJob(jobIds.inbound(id));
          const state = await job?.getState();
          if (state === 'failed') throw new Error(`inbound job failed: ${job?.failedReason}`);
          // Read again: the first read may predate the completion and its return value.
          return state === 'completed' ? await inboundQueue.queue.getJob(jobIds.inbound(id)) : undefined;
        },
        15_000,
        `inbound job ${id}`,
      );
    },
  };
}

async function dataIn(c: ClassifierContext, queue: 'diagnostics' | 'tickets' | 'outbound') {
  const jobs = await c.producers[queue].queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((j) => ({ id: j.id, data: j.data as unknown }));
}

describe('the inbound worker, end to end', () => {
  test('a connectivity report from a Cloud customer: LLM classification, a diagnosis job and an acknowledgement job', async ({
    bed,
  }) => {
    bed.llm.enqueue('openai', {
      kind: 'answer',
      answer: answer({ category: 'connectivity', priority: 'high', summary: 'Sin internet desde ayer' }),
    });
    const h = harness(bed);
    h.start();
    const message = inbound({
      text: 'no tengo internet desde ayer',
      history: [{ role: 'bot', text: '¿En qué te ayudamos?', at: '2026-03-02T13:59:00.000Z' }],
    });
    await h.send(message);
    const job = await h.finished(message.id);
    expect(job.returnvalue).toMatchObject({ source: 'openai', reused: false, routing: { action: 'diagnostics' } });

    const [diag] = await dataIn(h.context, 'diagnostics');
    expect(diag?.id).toBe(jobIds.diagnostics(message.correlationId));
    expect(DiagnosticRequest.parse(diag?.data).reportedText).toBe('no tengo internet desde ayer');
    const [ack] = await dataIn(h.context, 'outbound');
    expect(ack?.id).toBe(jobIds.outbound(message.correlationId, 'ack'));
    expect(OutboundMessage.parse(ack?.data).meta?.classification?.source).toBe('openai');
    // The history went to the model as data.
    const sent = bed.llm.requestsFor('openai')[0]?.body as { messages: { content: string }[] };
    expect(sent.messages[1]?.content).toContain('bot: ¿En qué te ayudamos?');
  });

  test('with every provider down, keywords classify and a ticket is opened for a group report', async ({ bed }) => {
    for (const name of ['openai', 'gemini', 'anthropic'] as const)
      bed.llm.setDefault(name, { kind: 'status', status: 503 });
    const h = harness(bed);
    h.start();
    const message = inbound({
      channel: 'group',
      chatId: '120363041234567890@g.us',
      from: '573015550000@s.whatsapp.net',
      senderPhone: undefined,
      senderName: 'Caja 2',
      customer: undefined,
      text: 'la impresora de facturas no imprime, urgente',
    });
    await h.send(message);
    const job = await h.finished(message.id);
    expect(job.returnvalue).toMatchObject({ source: 'keywords', routing: { action: 'ticket' } });
    const ticket = TicketRequest.parse((await dataIn(h.context, 'tickets'))[0]?.data);
    expect(ticket).toMatchObject({ category: 'technical', priority: 'urgent', contact: { phone: '573015550000' } });
    const ack = OutboundMessage.parse((await dataIn(h.context, 'outbound'))[0]?.data);
    expect(ack.mentions).toEqual(['573015550000@s.whatsapp.net']);
  });

  test('a retried job reuses the classification saved on it: no second LLM call, same routing', async ({ bed }) => {
    const h = harness(bed);
    const message = inbound({ text: 'quiero hablar con un asesor' });
    const job = await h.send(message);
    const saved: Classification = {
      category: 'human',
      priority: 'medium',
      needsTicket: false,
      summary: 'Pide un asesor',
      language: 'es',
      confidence: 0.95,
      source: 'anthropic',
      entities: { ips: [], documentNumbers: [], ticketNumbers: [] },
    };
    // What an earlier attempt left behind before Redis failed under it.
    await job.updateProgress({ classification: saved });
    h.start();
    const done = await h.finished(message.id);
    expect(done.returnvalue).toMatchObject({ reused: true, source: 'anthropic', routing: { action: 'handoff' } });
    expect(bed.llm.requests).toHaveLength(0);
    const ack = OutboundMessage.parse((await dataIn(h.context, 'outbound'))[0]?.data);
    expect(ack.meta).toMatchObject({ handoff: true, classification: { source: 'anthropic' } });
  });

  test('a reaction gets no classification and no acknowledgement', async ({ bed }) => {
    const h = harness(bed);
    h.start();
    const message = inbound({
      type: 'reaction',
      text: '',
      reaction: { messageId: 'wamid.earlier', emoji: '👍', removed: false },
    });
    await h.send(message);
    const job = await h.finished(message.id);
    expect(job.returnvalue).toEqual({ skipped: 'reaction' });
    expect(await dataIn(h.context, 'outbound')).toEqual([]);
    expect(bed.llm.requests).toHaveLength(0);
  });

  test('the same inbound message delivered twice adds one job of each kind', async ({ bed }) => {
    const h = harness(bed, []);
    h.start();
    const message = inbound({ text: 'me cobraron doble este mes' });
    await h.send(message);
    await h.finished(message.id);
    // A second delivery after the first finished: the inbound id dedupes it at the door,
    // and a forced second run of the use case adds nothing either.
    const again = await h.inboundQueue.add(message, { jobId: jobIds.inbound(message.id), reportDuplicate: true });
    expect(again.duplicate).toBe(true);
    const parsed = (await h.inboundQueue.queue.getJob(jobIds.inbound(message.id)))!.data;
    const rerun = await h.context.processInbound(parsed as never, undefined, h.context.logger);
    expect('routing' in rerun && rerun.routing.jobs.every((j) => j.duplicate)).toBe(true);
    expect(await dataIn(h.context, 'tickets')).toHaveLength(1);
    expect(await dataIn(h.context, 'outbound')).toHaveLength(1);
  });
});
