import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InboundMessage } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { buildSignedWebhookRequest, waitFor } from '@helpline/testkit';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createRecipientPacer } from '../src/cloud/recipient-pacer.js';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';
import { API_TOKEN, APP_SECRET, PHONE_NUMBER_ID, testConfig, testContext, withRedisDown } from './support/harness.js';
import { ACCESS_TOKEN, cloudTestBed } from './support/cloud-harness.js';
import { messagesChange } from './support/meta-webhooks.js';

// Whole conversations through the real path: signed webhook -> app -> conversation ->
// outbound queue -> outbound worker -> Cloud API sender -> the fake Graph API, whose
// recorded requests are what the customer would have received.

const CUSTOMER = '573001112233';

const bed = cloudTestBed();
let context: GatewayContext;
let app: HttpApp;
/** Added to the wall clock: the handoff timeout test moves time forward. */
let offsetMs = 0;
let sequence = 0;

async function start(env: Record<string, string> = {}): Promise<void> {
  offsetMs = 0;
  bed.graph.reset();
  const config = testConfig({
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    GRAPH_API_URL: bed.graph.url,
    ...env,
  });
  context = testContext(bed.redis.url, config, { consent: true, clock: () => new Date(Date.now() + offsetMs) });
  // The producer connection refuses commands until it is connected (no offline queue).
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  app = await buildApp(context);
  startWorkers(context);
}
beforeEach(() => start());
afterEach(async () => {
  await app.close();
  await context.close();
});

// ---- what Meta sends -------------------------------------------------------------------

function envelope(message: Record<string, unknown>, from = CUSTOMER) {
  return messagesChange({
    contacts: [{ profile: { name: 'Ana Cliente' }, wa_id: from }],
    messages: [{ from, timestamp: String(Math.floor((Date.now() + offsetMs) / 1000)), ...message }],
  });
}

function statusEnvelope(messageId: string, status: string, errors?: unknown[]) {
  return messagesChange({
    statuses: [
      {
        id: messageId,
        status,
        timestamp: String(Math.floor((Date.now() + offsetMs) / 1000)),
        recipient_id: CUSTOMER,
        ...(errors ? { errors } : {}),
      },
    ],
  });
}

const nextId = () => `wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgW${Date.now().toString(36).toUpperCase()}${++sequence}`;

async function post(body: unknown): Promise<void> {
  const signed = buildSignedWebhookRequest({ body, appSecret: APP_SECRET });
  const res = await app.inject({ method: 'POST', url: '/webhook', payload: signed.payload, headers: signed.headers });
  expect(res.statusCode, res.body).toBe(200);
}

const text = async (body: string, id = nextId(), from = CUSTOMER) => {
  await post(envelope({ id, type: 'text', text: { body } }, from));
  return id;
};
const button = (replyId: string, title: string) =>
  post(
    envelope({
      id: nextId(),
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: replyId, title } },
    }),
  );
const listChoice = (replyId: string, title: string) =>
  post(
    envelope({
      id: nextId(),
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: { id: replyId, title } },
    }),
  );

// ---- what the customer received ------------------------------------------------------

interface GraphSend {
  to: string;
  type: string;
  text?: { body: string };
  interactive?: {
    type: 'button' | 'list';
    header?: { text: string };
    body: { text: string };
    footer?: { text: string };
    action: {
      buttons?: { reply: { id: string; title: string } }[];
      button?: string;
      sections?: { rows: { id: string }[] }[];
    };
  };
}

function received(to = CUSTOMER): GraphSend[] {
  return bed.graph
    .messageRequests()
    .filter((r) => r.outcome === 200 && (r.body as GraphSend | undefined)?.to === to)
    .map((r) => r.body as GraphSend);
}
const bodyText = (m: GraphSend | undefined) => m?.text?.body ?? m?.interactive?.body.text ?? '';

/** Waits until the outbound queue is drained, then returns what the customer received. */
async function settle(to = CUSTOMER): Promise<GraphSend[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const pending = await context.producers.outbound.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const failed = await context.producers.outbound.queue.getFailed();
    if (failed.length > 0) throw new Error(`outbound job failed: ${failed.map((j) => j.failedReason).join('; ')}`);
    if (Object.values(pending).every((n) => n === 0)) return received(to);
    if (Date.now() > deadline) throw new Error(`outbound queue not drained: ${JSON.stringify(pending)}`);
    await sleep(20);
  }
}

/** The newest messages since `before` messages had been received. */
async function newSince(before: number, to = CUSTOMER): Promise<GraphSend[]> {
  return (await settle(to)).slice(before);
}

async function inboundJobs(): Promise<InboundMessage[]> {
  const jobs = await context.producers.inbound.queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
  return jobs.sort((a, b) => a.timestamp - b.timestamp).map((j) => j.data as InboundMessage);
}

const staff = (method: 'GET' | 'POST' | 'DELETE', url: string) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${API_TOKEN}` } });

async function consent(): Promise<void> {
  await text('hola');
  await settle();
  await button('consent.accept.1', 'Acepto');
  await settle();
}

// ---- conversations -----------------------------------------------------------------------

describe('through signed webhooks to the fake Graph API', () => {
  test('first contact: the privacy notice with accept and decline buttons, nothing classified', async () => {
    await text('Hola, mi número de documento es 10203040');
    const [notice, ...more] = await settle();
    expect(more).toEqual([]);
    expect(notice?.type).toBe('interactive');
    expect(notice?.interactive?.type).toBe('button');
    expect(notice?.interactive?.body.text).toContain('Ley 1581 de 2012');
    expect(notice?.interactive?.footer?.text).toBe('Aviso de privacidad versión 1');
    expect(notice?.interactive?.action.buttons?.map((b) => b.reply)).toEqual([
      { id: 'consent.accept.1', title: 'Acepto' },
      { id: 'consent.decline', title: 'No acepto' },
    ]);
    expect(await inboundJobs()).toEqual([]);
    const res = await staff('GET', `/api/conversations/${CUSTOMER}/messages`);
    expect(res.json()).toMatchObject({ total: 0, items: [] });
  });

  test('decline: a polite close and nothing else; writing later asks again', async () => {
    await text('hola');
    await settle();
    await button('consent.decline', 'No acepto');
    const [close, ...more] = await newSince(1);
    expect(more).toEqual([]);
    expect(close?.type).toBe('text');
    expect(bodyText(close)).toMatch(/no guardaremos tus datos/);
    const list = await staff('GET', '/api/conversations?state=declined');
    expect(list.json()).toMatchObject({ total: 1, items: [{ chatId: CUSTOMER, state: 'declined', consent: null }] });

    await text('otra pregunta');
    const [again] = await newSince(2);
    expect(again?.interactive?.action.buttons?.[0]?.reply.id).toBe('consent.accept.1');
  });

  test('accept: the menu as an interactive list; a list reply picks an item', async () => {
    await consent();
    const menu = received().at(-1);
    expect(menu?.interactive?.type).toBe('list');
    expect(menu?.interactive?.action.button).toBe('Ver opciones');
    expect(menu?.interactive?.action.sections?.[0]?.rows.map((r) => r.id)).toHaveLength(6);
    const chat = await staff('GET', `/api/conversations?number=${CUSTOMER}`);
    expect(chat.json().items[0]).toMatchObject({
      state: 'active',
      consent: { version: '1' },
      language: 'es',
      name: 'Ana Cliente',
    });

    const before = received().length;
    await listChoice('menu.check_connection', 'Revisar mi conexión');
    const [ack] = await newSince(before);
    expect(bodyText(ack)).toMatch(/revisando tu conexión/);
    const [diagnosis] = await context.producers.diagnostics.queue.getJobs(['waiting']);
    expect(diagnosis?.data).toMatchObject({
      customer: { phone: CUSTOMER },
      openTicketOnFailure: true,
      replyTo: { chatId: CUSTOMER },
    });

    const beforeBilling = received().length;
    await listChoice('menu.billing', 'Facturación');
    expect(bodyText((await newSince(beforeBilling))[0])).toMatch(
      /Todavía no tenemos conexión con el sistema de facturación/,
    );
  });

  test('each command answers from the data file, in any case and with or without accents', async () => {
    await consent();
    const expectations: [string, RegExp][] = [
      ['MENÚ', /¿En qué te podemos ayudar\?/],
      ['Ayuda', /Puedes escribir estos comandos/],
      ['help', /You can type these commands/],
      ['facturas', /no podemos enviarte tus facturas/],
      ['DEUDA', /saldo pendiente/],
      ['puntos de pago', /puntos de pago/],
      ['Puntos De Págo', /puntos de pago/],
    ];
    for (const [command, words] of expectations) {
      const before = received().length;
      await text(command);
      const answers = await newSince(before);
      expect(answers, command).toHaveLength(1);
      expect(bodyText(answers[0]), command).toMatch(words);
    }
    expect(await inboundJobs()).toEqual([]);
  });

  test('report a problem, then free text: both reach inbound with the last turns', async () => {
    await consent();
    await listChoice('menu.report_problem', 'Reportar un problema');
    expect(bodyText((await settle()).at(-1))).toMatch(/Cuéntanos en un mensaje qué problema tienes/);
    const description = await text('El módem tiene la luz LOS en rojo desde anoche');
    await settle();
    const free = await text('y ahora tampoco funciona el teléfono');
    await settle();
    const [first, second] = await inboundJobs();
    expect(first).toMatchObject({ id: description, customer: { consent: true, language: 'es' } });
    expect(first?.history.map((t) => t.role)).toEqual(['customer', 'bot', 'customer', 'bot']);
    expect(first?.history.at(-1)?.text).toMatch(/Cuéntanos en un mensaje/);
    expect(second?.id).toBe(free);
    expect(second?.history.at(-1)).toMatchObject({
      role: 'customer',
      text: 'El módem tiene la luz LOS en rojo desde anoche',
    });
  });

  test('handoff: announced, answers stop, messages logged, staff resume', async () => {
    await consent();
    await text('agente');
    const [announcement] = await newSince(2);
    expect(bodyText(announcement)).toMatch(/Te comunicamos con una persona/);
    const paused = await staff('GET', '/api/conversations?state=paused');
    expect(paused.json()).toMatchObject({ total: 1, items: [{ chatId: CUSTOMER, handoff: { reason: 'customer' } }] });

    await text('¿me escuchan?');
    await text('menu');
    expect(await newSince(3)).toEqual([]);
    const log = await staff('GET', `/api/conversations/${CUSTOMER}/messages?limit=2`);
    expect(log.json().items.map((e: { text: string; skipped?: string }) => [e.text, e.skipped])).toEqual([
      ['menu', 'paused'],
      ['¿me escuchan?', 'paused'],
    ]);

    const resumed = await staff('POST', `/api/conversations/${CUSTOMER}/resume`);
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ resumed: true, chat: { state: 'active', handoff: null } });
    await text('menu');
    expect((await newSince(3))[0]?.interactive?.type).toBe('list');
  });

  test('handoff ends by itself after HANDOFF_TIMEOUT_HOURS', async () => {
    await app.close();
    await context.close();
    await start({ HANDOFF_TIMEOUT_HOURS: '2' });
    await consent();
    await listChoice('menu.talk_to_person', 'Hablar con una persona');
    expect(bodyText((await newSince(2))[0])).toContain('2 horas');
    offsetMs += 2 * 3600_000 + 1000;
    await text('menu');
    expect((await newSince(3))[0]?.interactive?.type).toBe('list');
  });

  test('rate limit: one notice a minute, then logged but not classified', async () => {
    await app.close();
    await context.close();
    await start({ RATE_LIMIT_PER_MINUTE: '4' });
    // Minutes are counted on the clock: start this test at the beginning of one.
    offsetMs = 60_000 - ((Date.now() % 60_000) - 1000);
    await consent();
    await text('uno');
    await text('dos');
    await text('tres');
    await text('cuatro');
    await text('cinco');
    const answers = await newSince(2);
    expect(answers).toHaveLength(1);
    expect(bodyText(answers[0])).toMatch(/muchos mensajes/);
    expect((await inboundJobs()).map((m) => m.text)).toEqual(['uno', 'dos']);
    const log = await staff('GET', `/api/conversations/${CUSTOMER}/messages?limit=4`);
    const inboundLog = log.json().items.filter((e: { direction: string }) => e.direction === 'inbound');
    expect(inboundLog.map((e: { text: string; skipped?: string }) => [e.text, e.skipped])).toEqual([
      ['cinco', 'rate_limited'],
      ['cuatro', 'rate_limited'],
      ['tres', 'rate_limited'],
    ]);
  });

  test('a redelivered webhook sends no second answer', async () => {
    await consent();
    const id = nextId();
    await text('ayuda', id);
    await text('ayuda', id);
    expect(await newSince(2)).toHaveLength(1);
  });

  test('delivery statuses and the data-removal request', async () => {
    await consent();
    await text('ayuda');
    await settle();
    const wamid = bed.graph.messageRequests().at(-1)?.messageId;
    expect(wamid).toBeDefined();
    await post(statusEnvelope(wamid!, 'delivered'));
    await post(statusEnvelope(wamid!, 'read'));
    const log = await staff('GET', `/api/conversations/${CUSTOMER}/messages`);
    expect(log.json().items[0]).toMatchObject({
      direction: 'outbound',
      purpose: 'help',
      status: 'read',
      providerMessageId: wamid,
    });
    expect(log.json().total).toBe(4);

    const stats = await staff('GET', '/api/stats');
    expect(stats.json()).toMatchObject({
      messages: { inbound: 2, outbound: 2, total: 4 },
      chats: { total: 1, active: 1 },
    });

    const removed = await staff('DELETE', `/api/conversations/${CUSTOMER}`);
    expect(removed.json()).toMatchObject({ chatId: CUSTOMER, forgotten: true, messages: 4 });
    expect((await staff('GET', `/api/conversations/${CUSTOMER}/messages`)).statusCode).toBe(404);
    expect((await staff('DELETE', `/api/conversations/${CUSTOMER}`)).statusCode).toBe(404);
    expect((await staff('GET', '/api/conversations')).json()).toMatchObject({ total: 0, items: [] });
    // Consent went with it: the next message is a first contact again.
    const before = received().length;
    await text('hola de nuevo');
    expect((await newSince(before))[0]?.interactive?.action.buttons?.[0]?.reply.id).toBe('consent.accept.1');
  });
});

/** Every key under the context's prefix whose name or content holds `text`. */
async function keysHolding(text: string): Promise<string[]> {
  const redisClient = context.redis('producer');
  const found: string[] = [];
  for (const key of await redisClient.keys(`${context.prefix}:*`)) {
    const type = await redisClient.type(key);
    let content = '';
    if (type === 'string') content = (await redisClient.get(key)) ?? '';
    else if (type === 'hash') content = JSON.stringify(await redisClient.hgetall(key));
    else if (type === 'list') content = JSON.stringify(await redisClient.lrange(key, 0, -1));
    else if (type === 'set') content = JSON.stringify(await redisClient.smembers(key));
    else if (type === 'zset') content = JSON.stringify(await redisClient.zrange(key, 0, -1));
    else if (type === 'stream') content = JSON.stringify(await redisClient.xrange(key, '-', '+'));
    if (key.includes(text) || content.includes(text)) found.push(key);
  }
  return found.sort();
}

describe('data-removal request (Ley 1581)', () => {
  const OTHER = '573009998877';
  const tapFrom = (
    from: string,
    replyId: string,
    title: string,
    kind: 'button_reply' | 'list_reply' = 'button_reply',
  ) =>
    post(
      envelope(
        { id: nextId(), type: 'interactive', interactive: { type: kind, [kind]: { id: replyId, title } } },
        from,
      ),
    );

  test('DELETE erases the chat everywhere the gateway keeps it, and only that chat', async () => {
    // Both customers consent and talk; CUSTOMER's story leaves traces everywhere.
    for (const who of [CUSTOMER, OTHER]) {
      await text('hola', nextId(), who);
      await settle(who);
      await tapFrom(who, 'consent.accept.1', 'Acepto');
      await settle(who);
      await text('ayuda', nextId(), who);
      await settle(who);
    }
    const otherFree = await text('mi módem no enciende', nextId(), OTHER);
    const free = [await text('no tengo internet desde ayer'), await text('sigue sin funcionar')];
    // The classifier's worker fails the first for good and completes the second.
    const classifier = new Worker(
      'inbound',
      async (job) => {
        if (job.id === free[0]) throw new UnrecoverableError('classifier broke');
        if (job.id === otherFree) throw new Error('not this one');
        return { ok: true };
      },
      { connection: { url: bed.redis.url }, prefix: context.prefix },
    );
    await waitFor(
      async () => (await context.producers.inbound.queue.getJobState(free[1]!)) === 'completed',
      10_000,
      'the classifier',
    );
    await waitFor(
      async () => (await context.producers.inbound.queue.getJobState(free[0]!)) === 'failed',
      10_000,
      'the failure',
    );
    await classifier.close();
    await tapFrom(CUSTOMER, 'menu.check_connection', 'Revisar mi conexión', 'list_reply');
    await settle();
    const sent = bed.graph.messageRequests().filter((r) => r.outcome === 200 && (r.body as GraphSend).to === CUSTOMER);
    await post(statusEnvelope(sent.at(-1)!.messageId!, 'delivered'));
    // A reply that failed for good sits in the outbound dead letters with the number.
    bed.graph.failWith(131026, { times: 1 });
    const refusedByMeta = await text('deuda');
    await waitFor(
      async () => (await context.producers.outbound.queue.getJobState(`${refusedByMeta}-debt`)) === 'failed',
      10_000,
      'the failed send',
    );
    // A message the contract refuses, kept for an operator; and the pair rate limit's pause.
    await post(envelope({ id: `wamid.${'Z'.repeat(300)}`, type: 'text', text: { body: 'demasiado largo el id' } }));
    const pacer = createRecipientPacer(context.redis('producer'), `${context.prefix}:gateway:cloud`);
    await pacer.pause(CUSTOMER, 600_000);
    await pacer.pause(OTHER, 600_000);

    const inboundChats = (await context.producers.inbound.queue.getJobs(['waiting', 'completed', 'failed'])).map(
      (j) => (j.data as InboundMessage).chatId,
    );
    expect(inboundChats.filter((chat) => chat === CUSTOMER)).toHaveLength(2);
    expect(await keysHolding(CUSTOMER)).not.toEqual([]);
    const before = { other: await keysHolding(OTHER) };
    const customerProviderIds = sent.map((r) => r.messageId!);
    expect(await context.deliveryStore.get(customerProviderIds[0]!)).toMatchObject({ recipient: CUSTOMER });

    const removed = await staff('DELETE', `/api/conversations/${CUSTOMER}`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toMatchObject({
      chatId: CUSTOMER,
      forgotten: true,
      erased: {
        jobs: { inbound: 2, diagnostics: 1 },
        activeJobsLeft: 0,
        window: true,
        pacing: true,
        refusedMessages: 1,
      },
    });
    // The notice, the menu, the help text, the diagnosis acknowledgement and the failed one.
    expect(removed.json().erased.jobs.outbound).toBe(5);
    expect(removed.json().erased.deliveryRecords).toBe(customerProviderIds.length);

    // Nothing under the prefix names the number or holds it any more: keys, jobs, records;
    // but for the event stream, which keeps the chat's consent evidence (not yet archived by a
    // desk here) and the erasure mark that tells the desk to erase its archive too.
    expect(await keysHolding(CUSTOMER)).toEqual([context.events.key]);
    const left = (await context.redis('producer').xrange(context.events.key, '-', '+'))
      .map(([, fields]) => JSON.parse(fields[1] ?? '{}') as { chatId: string; type: string })
      .filter((event) => event.chatId === CUSTOMER)
      .map((event) => event.type);
    expect([...new Set(left)].sort()).toEqual(['chat_erased', 'consent']);
    expect(removed.json().erased.streamEvents).toBeGreaterThan(0);
    for (const id of free) {
      expect(await context.producers.inbound.queue.getJob(id)).toBeUndefined();
      expect(await context.arrivals.arrival(id)).toBeUndefined();
    }
    for (const id of customerProviderIds) expect(await context.deliveryStore.get(id)).toBeUndefined();
    expect(await context.producers.outbound.queue.getJob(`${refusedByMeta}-debt`)).toBeUndefined();
    expect(await context.producers.diagnostics.queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
    expect((await staff('GET', '/api/webhook/refused')).json().total).toBe(0);

    // The other chat keeps everything it had.
    expect(await keysHolding(OTHER)).toEqual(before.other);
    expect(await context.producers.inbound.queue.getJob(otherFree)).toBeDefined();
    expect(await context.conversationWindow.isOpen(OTHER, new Date())).toBe(true);
    expect(await pacer.waitMs(OTHER)).toBeGreaterThan(0);
    const others = (await staff('GET', '/api/conversations')).json();
    expect(others.items.map((c: { chatId: string }) => c.chatId)).toEqual([OTHER]);
    expect(others.items[0].lastActivityAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));

    // Asked twice: nothing is left to erase.
    expect((await staff('DELETE', `/api/conversations/${CUSTOMER}`)).statusCode).toBe(404);
  });
});

describe('staff endpoints', () => {
  test('need the bearer token', async () => {
    for (const [method, url] of [
      ['GET', '/api/conversations'],
      ['GET', `/api/conversations/${CUSTOMER}/messages`],
      ['POST', `/api/conversations/${CUSTOMER}/resume`],
      ['DELETE', `/api/conversations/${CUSTOMER}`],
      ['GET', '/api/stats'],
    ] as const) {
      expect((await app.inject({ method, url })).statusCode, url).toBe(401);
    }
  });

  test('bad queries are refused naming the field', async () => {
    const state = await staff('GET', '/api/conversations?state=sleeping');
    expect(state.statusCode).toBe(400);
    expect(state.json().message).toMatch(/state/);
    const limit = await staff('GET', '/api/conversations?limit=1000');
    expect(limit.statusCode).toBe(400);
    expect(limit.json().message).toMatch(/limit/);
    const number = await staff('GET', '/api/conversations?number=abc');
    expect(number.statusCode).toBe(400);
    expect(number.json().message).toMatch(/number/);
  });

  test('unknown chats answer 404', async () => {
    expect((await staff('POST', '/api/conversations/573000000000/resume')).statusCode).toBe(404);
    expect((await staff('GET', '/api/conversations/573000000000/messages')).statusCode).toBe(404);
  });

  test('messages are paginated newest first', async () => {
    await consent();
    for (const word of ['ayuda', 'deuda', 'facturas']) {
      await text(word);
      await settle();
    }
    const first = (await staff('GET', `/api/conversations/${CUSTOMER}/messages?limit=3`)).json();
    const second = (await staff('GET', `/api/conversations/${CUSTOMER}/messages?limit=3&offset=3`)).json();
    expect(first.total).toBe(8);
    expect(first.items.map((e: { direction: string }) => e.direction)).toEqual(['outbound', 'inbound', 'outbound']);
    expect(first.items[1].text).toBe('facturas');
    expect(second.items[0].text).toBe('deuda');
  });
});

describe('with Redis down', () => {
  test('the webhook answers 503 (Meta delivers again) and so do the staff endpoints', async () => {
    const config = testConfig({
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      GRAPH_API_URL: bed.graph.url,
    });
    await withRedisDown(
      (url) => testContext(url, config, { consent: true, addTimeoutMs: 500 }),
      async (down) => {
        const signed = buildSignedWebhookRequest({
          body: envelope({ id: nextId(), type: 'text', text: { body: 'hola' } }),
          appSecret: APP_SECRET,
        });
        const hook = await down.inject({
          method: 'POST',
          url: '/webhook',
          payload: signed.payload,
          headers: signed.headers,
        });
        expect(hook.statusCode).toBe(503);
        const stats = await down.inject({ url: '/api/stats', headers: { authorization: `Bearer ${API_TOKEN}` } });
        expect(stats.statusCode).toBe(503);
        expect(stats.json()).toMatchObject({ error: 'unavailable' });
      },
    );
  });
});
