import { once } from 'node:events';
import {
  type DiagnosticRequest,
  type InboundMessage,
  jobIds,
  type OutboundMessage,
  OutboundMessage as OutboundSchema,
} from '@helpline/contracts';
import { createMetrics, createProducer, createRedisConnection, type Producer, type Redis } from '@helpline/runtime';
import { startTestRedis, type TestRedis, uniqueQueueName } from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { conversationConfigSchema } from '../src/conversation/conversation-config.js';
import { type Conversation, createConversation } from '../src/conversation/create-conversation.js';
import { cloudReply, cloudText } from './support/conversation-messages.js';
import { quietLogger } from './support/harness.js';

const CHAT = '573001112233';
const log = quietLogger();

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

interface World {
  connection: Redis;
  prefix: string;
  producers: { inbound: Producer<'inbound'>; outbound: Producer<'outbound'>; diagnostics: Producer<'diagnostics'> };
  conversation: Conversation;
  metrics: ReturnType<typeof createMetrics>;
  now: Date;
}
let world: World;

function build(env: Record<string, string> = {}, connection = world?.connection, prefix = world?.prefix): World {
  const producers = {
    inbound: createProducer('inbound', { connection, prefix }),
    outbound: createProducer('outbound', { connection, prefix }),
    diagnostics: createProducer('diagnostics', { connection, prefix }),
  };
  const metrics = createMetrics('gateway');
  const w: World = {
    connection,
    prefix,
    producers,
    metrics,
    now: new Date('2025-06-01T12:00:00.000Z'),
    conversation: undefined as unknown as Conversation,
  };
  w.conversation = createConversation({
    redis: connection,
    keyPrefix: `${prefix}:conv`,
    producers,
    metrics,
    logger: log,
    clock: () => w.now,
    config: conversationConfigSchema.parse(env),
  });
  return w;
}

beforeEach(async () => {
  const connection = createRedisConnection(redis.url, 'producer');
  if (connection.status !== 'ready') await once(connection, 'ready');
  world = build({}, connection, uniqueQueueName('conv'));
});

afterEach(async () => {
  await Promise.all(Object.values(world.producers).map((p) => p.close()));
  await world.connection.quit();
});

const later = (ms: number) => {
  world.now = new Date(world.now.getTime() + ms);
  return world.now;
};
const say = (text: string, over: Partial<InboundMessage> = {}) =>
  world.conversation.sink.accept(cloudText(CHAT, text, later(1000), over), log);
const tap = (kind: 'button_reply' | 'list_reply', id: string, title = id) =>
  world.conversation.sink.accept(cloudReply(CHAT, kind, id, title, later(1000)), log);

async function jobs<Q extends 'inbound' | 'outbound' | 'diagnostics'>(queue: Q) {
  const found = await world.producers[queue].queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return found.sort((a, b) => a.timestamp - b.timestamp || Number(a.id! > b.id!) - 0.5);
}
const outbound = async (): Promise<OutboundMessage[]> =>
  (await jobs('outbound')).map((j) => OutboundSchema.parse(j.data));
const inbound = async (): Promise<InboundMessage[]> => (await jobs('inbound')).map((j) => j.data as InboundMessage);

/** What the outbound worker does after a send: tell the observer. */
let sentCount = 0;
async function deliverAll(): Promise<void> {
  const delivered = new Set((await world.connection.smembers(`${world.prefix}:test-delivered`)).map((s) => s));
  for (const job of await jobs('outbound')) {
    if (delivered.has(job.id!)) continue;
    sentCount += 1;
    await world.conversation.observer.onSent?.(OutboundSchema.parse(job.data), { messageId: `wamid.out.${sentCount}` });
    await world.connection.sadd(`${world.prefix}:test-delivered`, job.id!);
  }
}

async function acceptConsent(): Promise<void> {
  await say('hola');
  await deliverAll();
  await tap('button_reply', 'consent.accept.1', 'Acepto');
  await deliverAll();
}

const lastOutbound = async () => (await outbound()).at(-1)!;
const bodyOf = (m: OutboundMessage) =>
  m.content.kind === 'text'
    ? m.content.body
    : m.content.kind === 'buttons' || m.content.kind === 'list'
      ? m.content.body
      : '';
const metricValue = async (name: string, labels: Record<string, string>) => {
  const metric = (await world.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = (metric?.values as { labels: Record<string, string>; value: number }[] | undefined)?.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return value?.value ?? 0;
};

describe('consent', () => {
  test('first contact gets the privacy notice and nothing of the message is kept', async () => {
    const secret = 'mi cédula es 1234567 y vivo en la calle 5';
    expect(await say(secret)).toBe('accepted');
    const [notice, ...rest] = await outbound();
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({ purpose: 'privacy_notice', to: CHAT, channel: 'cloud' });
    expect(notice!.content).toMatchObject({
      kind: 'buttons',
      buttons: [
        { id: 'consent.accept.1', title: 'Acepto' },
        { id: 'consent.decline', title: 'No acepto' },
      ],
    });
    expect(await inbound()).toEqual([]);
    // Not a word of it anywhere in Redis: not in the log, the state, the plan, nor a job.
    const keys = await world.connection.keys(`${world.prefix}:*`);
    for (const key of keys) {
      const type = await world.connection.type(key);
      const dump =
        type === 'string'
          ? await world.connection.get(key)
          : type === 'hash'
            ? JSON.stringify(await world.connection.hgetall(key))
            : type === 'list'
              ? JSON.stringify(await world.connection.lrange(key, 0, -1))
              : '';
      expect(dump ?? '').not.toContain('1234567');
    }
    expect((await world.conversation.staff.chat(CHAT))?.state).toBe('awaiting_consent');
    expect(await world.conversation.store.logLength(CHAT)).toBe(0);
  });

  test('a customer writing in English gets the English notice', async () => {
    await say('Hello, my internet is not working');
    const notice = await lastOutbound();
    expect(notice.content).toMatchObject({ kind: 'buttons', header: 'Privacy notice' });
    expect(bodyOf(notice)).toContain('Law 1581 of 2012');
  });

  test('decline: a polite close, nothing kept; writing again asks again', async () => {
    await say('hola');
    await tap('button_reply', 'consent.decline', 'No acepto');
    const close = await lastOutbound();
    expect(close).toMatchObject({ purpose: 'consent_declined', content: { kind: 'text' } });
    expect((await world.conversation.staff.chat(CHAT))?.name).toBeNull();
    expect(bodyOf(close)).toMatch(/no guardaremos tus datos/);
    expect((await world.conversation.staff.chat(CHAT))?.state).toBe('declined');
    expect(await world.conversation.store.logLength(CHAT)).toBe(0);
    expect(await metricValue('helpline_conversation_events_total', { event: 'consent_declined' })).toBe(1);

    await say('hola otra vez');
    expect((await lastOutbound()).purpose).toBe('privacy_notice');
    expect((await outbound()).filter((m) => m.purpose === 'privacy_notice')).toHaveLength(2);
    expect((await world.conversation.staff.chat(CHAT))?.state).toBe('awaiting_consent');
  });

  test('accept: consent recorded with time and version, then the menu', async () => {
    await say('hola');
    await tap('button_reply', 'consent.accept.1', 'Acepto');
    const menu = await lastOutbound();
    expect(menu).toMatchObject({ purpose: 'menu', content: { kind: 'list', buttonText: 'Ver opciones' } });
    const rows = menu.content.kind === 'list' ? menu.content.sections.flatMap((s) => s.rows.map((r) => r.id)) : [];
    expect(rows).toEqual([
      'menu.check_connection',
      'menu.report_problem',
      'menu.billing',
      'menu.change_password',
      'menu.improve_plan',
      'menu.talk_to_person',
    ]);
    const chat = await world.conversation.staff.chat(CHAT);
    expect(chat).toMatchObject({ state: 'active', consent: { version: '1', at: world.now.toISOString() } });
    expect(await metricValue('helpline_conversation_events_total', { event: 'consent_accepted' })).toBe(1);
  });

  test('a new notice version asks again; the old accept button does not count', async () => {
    await acceptConsent();
    await Promise.all(Object.values(world.producers).map((p) => p.close()));
    const now = world.now;
    world = build({ PRIVACY_NOTICE_VERSION: '2025-07' });
    world.now = now;
    await say('menu');
    const notice = await lastOutbound();
    expect(notice.purpose).toBe('privacy_notice');
    expect(notice.content.kind === 'buttons' && notice.content.buttons[0]?.id).toBe('consent.accept.2025-07');
    expect(await inbound()).toEqual([]);

    const before = (await outbound()).length;
    await tap('button_reply', 'consent.accept.1', 'Acepto');
    expect((await outbound()).length).toBe(before + 1);
    expect((await lastOutbound()).purpose).toBe('privacy_notice');

    await tap('button_reply', 'consent.accept.2025-07', 'Acepto');
    expect((await lastOutbound()).purpose).toBe('menu');
    expect((await world.conversation.staff.chat(CHAT))?.consent?.version).toBe('2025-07');
  });
});

describe('menu and commands', () => {
  beforeEach(acceptConsent);

  test('check my connection enqueues a diagnosis for this customer', async () => {
    const choice = cloudReply(CHAT, 'list_reply', 'menu.check_connection', 'Revisar mi conexión', later(1000));
    await world.conversation.sink.accept(choice, log);
    const [diagnosis] = await jobs('diagnostics');
    expect(diagnosis?.id).toBe(jobIds.diagnostics(choice.id));
    expect(diagnosis?.data as DiagnosticRequest).toMatchObject({
      correlationId: choice.id,
      customer: { phone: CHAT },
      replyTo: { channel: 'cloud', chatId: CHAT, language: 'es' },
      openTicketOnFailure: true,
    });
    expect((await lastOutbound()).purpose).toBe('diagnosis_started');
    expect(
      await metricValue('helpline_conversation_commands_total', { command: 'check_connection', via: 'list' }),
    ).toBe(1);
  });

  test('report a problem asks for a description; the next message goes to inbound', async () => {
    await tap('list_reply', 'menu.report_problem', 'Reportar un problema');
    expect((await lastOutbound()).purpose).toBe('ask_description');
    expect((await world.conversation.staff.chat(CHAT))?.state).toBe('awaiting_description');
    await deliverAll();
    await say('El router tiene una luz roja desde anoche');
    const [message] = await inbound();
    expect(message).toMatchObject({
      text: 'El router tiene una luz roja desde anoche',
      customer: { consent: true, language: 'es' },
    });
    expect(message!.history.map((t) => t.role)).toContain('bot');
    expect((await world.conversation.staff.chat(CHAT))?.state).toBe('active');
  });

  test.each([
    ['menu.billing', 'billing', /facturación/],
    ['menu.change_password', 'change_password', /contraseña/],
    ['menu.improve_plan', 'improve_plan', /planes/],
  ])('%s answers from the data file and says the integration does not exist yet', async (id, purpose, words) => {
    await tap('list_reply', id);
    const answer = await lastOutbound();
    expect(answer.purpose).toBe(purpose);
    expect(bodyOf(answer)).toMatch(words);
    expect(bodyOf(answer)).toMatch(/todavía no/i);
    expect(await inbound()).toEqual([]);
  });

  test.each([
    ['MENU', 'menu'],
    ['Menú', 'menu'],
    ['ayuda', 'help'],
    ['help', 'help'],
    ['FACTURAS', 'invoices'],
    ['deuda', 'debt'],
    ['Puntos de pago', 'payment_points'],
  ])('the command %j answers %s', async (text, purpose) => {
    const before = (await outbound()).length;
    await say(text);
    const all = await outbound();
    expect(all).toHaveLength(before + 1);
    expect(all.at(-1)?.purpose).toBe(purpose);
    expect(await inbound()).toEqual([]);
  });

  test('help in English answers in English', async () => {
    await say('help');
    expect(bodyOf(await lastOutbound())).toMatch(/You can type these commands/);
  });

  test('free text reaches inbound with the last turns, at most 10, oldest first', async () => {
    for (let i = 1; i <= 7; i++) {
      await say(`mensaje número ${i} sobre la señal`);
      await say('ayuda');
      await deliverAll();
    }
    const last = cloudText(CHAT, 'sigue sin funcionar el internet', later(1000));
    await world.conversation.sink.accept(last, log);
    const messages = await inbound();
    const final = messages.find((m) => m.id === last.id)!;
    expect(final.history).toHaveLength(10);
    expect(final.history.map((t) => t.text)).not.toContain(last.text);
    expect(final.history.at(-1)?.role).toBe('bot');
    expect(final.history.at(-2)).toMatchObject({ role: 'customer', text: 'ayuda' });
    const times = final.history.map((t) => t.at);
    expect([...times].sort()).toEqual(times);
    expect(messages.find((m) => m.text === 'mensaje número 1 sobre la señal')?.history.map((t) => t.text)).toContain(
      'Acepto',
    );
  });

  test('a reaction is logged, neither answered nor classified', async () => {
    const before = (await outbound()).length;
    await say('', { type: 'reaction', reaction: { messageId: 'wamid.x', emoji: '👍', removed: false } });
    expect(await outbound()).toHaveLength(before);
    expect(await inbound()).toEqual([]);
  });
});

describe('handoff', () => {
  beforeEach(acceptConsent);

  test('agente pauses the bot, is announced, logs while paused, and staff resume it', async () => {
    await say('Agente');
    const announcement = await lastOutbound();
    expect(announcement.purpose).toBe('handoff');
    expect(bodyOf(announcement)).toContain('24 horas');
    const chat = await world.conversation.staff.chat(CHAT);
    expect(chat).toMatchObject({ state: 'paused', handoff: { reason: 'customer' } });
    expect(await metricValue('helpline_conversation_events_total', { event: 'handoff' })).toBe(1);

    const before = (await outbound()).length;
    await say('¿hay alguien?');
    await say('menu');
    expect(await outbound()).toHaveLength(before);
    expect(await inbound()).toEqual([]);
    const logged = await world.conversation.store.pageEntries(CHAT, 0, 2);
    expect(logged.items.map((e) => [e.text, e.skipped])).toEqual([
      ['menu', 'paused'],
      ['¿hay alguien?', 'paused'],
    ]);
    expect((await world.conversation.staff.listChats({ offset: 0, limit: 10, state: 'paused' })).total).toBe(1);

    expect(await world.conversation.staff.resume(CHAT)).toMatchObject({
      resumed: true,
      chat: { state: 'active', handoff: null },
    });
    await say('menu');
    expect((await lastOutbound()).purpose).toBe('menu');
    expect(await metricValue('helpline_conversation_events_total', { event: 'resume' })).toBe(1);
  });

  test('the pause ends by itself after HANDOFF_TIMEOUT_HOURS', async () => {
    await tap('list_reply', 'menu.talk_to_person', 'Hablar con una persona');
    expect((await lastOutbound()).purpose).toBe('handoff');
    later(23 * 3600_000);
    const before = (await outbound()).length;
    await say('menu');
    expect(await outbound()).toHaveLength(before);
    later(3600_000);
    await say('menu');
    expect((await lastOutbound()).purpose).toBe('menu');
    expect((await world.conversation.staff.chat(CHAT))?.handoff).toBeNull();
  });

  test('the classifier asks for a handoff through meta.handoff', async () => {
    const question = cloudText(CHAT, 'quiero hablar con un humano ya', later(1000));
    await world.conversation.sink.accept(question, log);
    expect((await inbound()).map((m) => m.id)).toEqual([question.id]);
    const classification = {
      category: 'human' as const,
      priority: 'medium' as const,
      needsTicket: false,
      summary: 'Pide hablar con una persona',
      language: 'es' as const,
      confidence: 0.9,
      source: 'keywords' as const,
    };
    await world.conversation.observer.onSent?.(
      OutboundSchema.parse({
        correlationId: question.id,
        purpose: 'answer',
        channel: 'cloud',
        to: CHAT,
        content: { kind: 'text', body: 'Te paso con un asesor.' },
        meta: { classification, handoff: true },
      }),
      { messageId: 'wamid.classifier.1' },
    );
    expect(await world.conversation.staff.chat(CHAT)).toMatchObject({
      state: 'paused',
      handoff: { reason: 'classifier' },
    });
    // The classifier's acknowledgement already told the customer; no second announcement.
    expect(await world.producers.outbound.queue.getJob(jobIds.outbound(question.id, 'handoff'))).toBeUndefined();
    const [answer, asked] = (await world.conversation.store.pageEntries(CHAT, 0, 2)).items;
    expect(answer).toMatchObject({ direction: 'outbound', purpose: 'answer', classification: { category: 'human' } });
    expect(asked).toMatchObject({
      id: question.id,
      classification: { category: 'human', summary: 'Pide hablar con una persona' },
    });
  });
});

describe('abuse', () => {
  test('over the limit: one notice, then logged and counted but not classified', async () => {
    await Promise.all(Object.values(world.producers).map((p) => p.close()));
    const now = new Date('2025-06-01T12:00:00.000Z');
    world = build({ RATE_LIMIT_PER_MINUTE: '5' });
    world.now = now;
    await say('hola');
    await tap('button_reply', 'consent.accept.1', 'Acepto');
    for (let i = 0; i < 3; i++) await world.conversation.sink.accept(cloudText(CHAT, `texto ${i}`, later(100)), log);
    expect(await inbound()).toHaveLength(3);
    for (let i = 3; i < 8; i++) await world.conversation.sink.accept(cloudText(CHAT, `texto ${i}`, later(100)), log);
    expect(await inbound()).toHaveLength(3);
    const notices = (await outbound()).filter((m) => m.purpose === 'rate_limited');
    expect(notices).toHaveLength(1);
    expect(bodyOf(notices[0]!)).toMatch(/muchos mensajes/);
    const logged = (await world.conversation.store.pageEntries(CHAT, 0, 5)).items;
    expect(logged.map((e) => e.skipped)).toEqual(Array(5).fill('rate_limited'));
    expect(await metricValue('helpline_conversation_events_total', { event: 'rate_limited' })).toBe(5);

    // The next minute starts afresh.
    later(60_000);
    await world.conversation.sink.accept(cloudText(CHAT, 'ya pasó un minuto', world.now), log);
    expect(await inbound()).toHaveLength(4);
  });
});

describe('redelivery', () => {
  test('the same wamid twice sends one answer and logs one entry', async () => {
    await acceptConsent();
    const message = cloudText(CHAT, 'ayuda', later(1000));
    expect(await world.conversation.sink.accept(message, log)).toBe('accepted');
    expect(await world.conversation.sink.accept(message, log)).toBe('duplicate');
    expect((await outbound()).filter((m) => m.correlationId === message.id)).toHaveLength(1);
    const entries = await world.conversation.store.pageEntries(CHAT, 0, 100);
    expect(entries.items.filter((e) => e.id === message.id)).toHaveLength(1);
  });

  test('a handling that failed halfway repeats the same decision on redelivery', async () => {
    await acceptConsent();
    await say('Agente');
    await world.conversation.staff.resume(CHAT);
    await tap('list_reply', 'menu.report_problem');
    // The description arrives, but the enqueue onto inbound fails (Redis away for it).
    const description = cloudText(CHAT, 'no hay señal en la sede norte', later(1000));
    const original = world.producers.inbound.add;
    world.producers.inbound.add = async () => {
      throw new Error('Connection is closed.');
    };
    await expect(world.conversation.sink.accept(description, log)).rejects.toThrow('Connection is closed');
    world.producers.inbound.add = original;
    // Meanwhile the chat moved on; the redelivery still counts as the awaited description.
    await say('menu');
    expect(await world.conversation.sink.accept(description, log)).toBe('accepted');
    const [queued] = await inbound();
    expect(queued?.id).toBe(description.id);
    expect((await outbound()).filter((m) => m.correlationId === description.id)).toEqual([]);
    expect(await world.conversation.sink.accept(description, log)).toBe('duplicate');
  });
});

describe('groups', () => {
  test('group messages go straight to inbound, with no consent asked', async () => {
    const group = cloudText('120363025246125486@g.us', 'el POS de la sede 3 no imprime', later(1000), {
      channel: 'group',
      from: '573009998877@s.whatsapp.net',
    });
    expect(await world.conversation.sink.accept(group, log)).toBe('accepted');
    expect(await world.conversation.sink.accept(group, log)).toBe('duplicate');
    expect((await inbound()).map((m) => m.id)).toEqual([group.id]);
    expect(await outbound()).toEqual([]);
    expect(await world.conversation.staff.chat(group.chatId)).toBeUndefined();
  });
});

describe('log and staff queries', () => {
  test('delivery states move forward only; failures are kept with their code', async () => {
    await acceptConsent();
    await say('ayuda');
    await deliverAll();
    const [help] = (await world.conversation.store.pageEntries(CHAT, 0, 1)).items;
    expect(help).toMatchObject({ direction: 'outbound', purpose: 'help', status: 'sent' });
    const observer = world.conversation.observer;
    const status = (s: 'delivered' | 'read' | 'failed', errors?: { code: number; title: string }[]) =>
      observer.onStatus?.({
        messageId: help!.providerMessageId!,
        recipient: CHAT,
        status: s,
        timestamp: world.now.toISOString(),
        errors,
      });
    await status('read');
    await status('delivered');
    expect((await world.conversation.store.pageEntries(CHAT, 0, 1)).items[0]?.status).toBe('read');
    // A voice note is played after it is read: `played` is newer than `read`, and a late
    // `read` does not take it back.
    await observer.onStatus?.({
      messageId: help!.providerMessageId!,
      recipient: CHAT,
      status: 'played',
      timestamp: world.now.toISOString(),
    });
    await status('read');
    expect((await world.conversation.store.pageEntries(CHAT, 0, 1)).items[0]?.status).toBe('played');
    await status('failed', [{ code: 131047, title: 'Re-engagement message' }]);
    expect((await world.conversation.store.pageEntries(CHAT, 0, 1)).items[0]).toMatchObject({
      status: 'failed',
      error: { code: 131047 },
    });
  });

  test('a customer id named by a producer marks the chat as a known customer', async () => {
    await acceptConsent();
    const question = cloudText(CHAT, 'no tengo internet', later(1000));
    await world.conversation.sink.accept(question, log);
    await world.conversation.observer.onSent?.(
      OutboundSchema.parse({
        correlationId: question.id,
        purpose: 'diagnosis',
        channel: 'cloud',
        to: CHAT,
        content: { kind: 'text', body: 'Tu conexión está bien.' },
        meta: { customerId: 'C-1042' },
      }),
      { messageId: 'wamid.network.1' },
    );
    expect(await world.conversation.staff.chat(CHAT)).toMatchObject({ customerId: 'C-1042' });
    expect((await world.conversation.staff.stats()).chats.withKnownCustomer).toBe(1);
    const [diagnosis] = (await world.conversation.store.pageEntries(CHAT, 0, 1)).items;
    expect(diagnosis).toMatchObject({ purpose: 'diagnosis', customerId: 'C-1042' });
    await say('sigue igual');
    expect((await inbound()).at(-1)?.customer).toMatchObject({ consent: true, customerId: 'C-1042' });
    // The customer's own messages carry the id in the log too, once it is known.
    const [latest] = (await world.conversation.store.pageEntries(CHAT, 0, 1)).items;
    expect(latest).toMatchObject({ direction: 'inbound', text: 'sigue igual', customerId: 'C-1042' });
    const earlier = (await world.conversation.store.pageEntries(CHAT, 0, 100)).items.find((e) => e.id === question.id);
    expect(earlier?.customerId).toBeUndefined();
  });

  test('lastActivityAt follows every message either way, and the list returns it', async () => {
    const activity = async () =>
      (await world.conversation.staff.listChats({ offset: 0, limit: 10 })).items[0]?.lastActivityAt;
    await say('hola');
    // Before consent too: the notice's chat shows when it last wrote.
    expect(await activity()).toBe(world.now.toISOString());
    await deliverAll();
    await tap('button_reply', 'consent.accept.1', 'Acepto');
    const accepted = world.now.toISOString();
    expect(await activity()).toBe(accepted);
    // The menu goes out a minute later: an outbound message is activity too.
    later(60_000);
    await deliverAll();
    expect(await activity()).toBe(world.now.toISOString());
    const question = cloudText(CHAT, 'no tengo internet', later(30_000));
    await world.conversation.sink.accept(question, log);
    expect(await activity()).toBe(question.receivedAt);
    expect((await world.conversation.staff.chat(CHAT))?.lastActivityAt).toBe(question.receivedAt);
  });

  test('the log is capped at CONVERSATION_HISTORY_MAX and expires after CONVERSATION_TTL_DAYS', async () => {
    await Promise.all(Object.values(world.producers).map((p) => p.close()));
    const now = world.now;
    world = build({ CONVERSATION_HISTORY_MAX: '10', CONVERSATION_TTL_DAYS: '2' });
    world.now = now;
    await acceptConsent();
    for (let i = 0; i < 12; i++) await say(`mensaje ${i}`);
    const page = await world.conversation.store.pageEntries(CHAT, 0, 100);
    expect(page.total).toBe(10);
    expect(page.items.at(0)?.text).toBe('mensaje 11');
    expect(page.items.at(-1)?.text).toBe('mensaje 2');
    const ttl = await world.connection.ttl(`${world.prefix}:conv:log:${CHAT}`);
    expect(ttl).toBeGreaterThan(2 * 86400 - 60);
    expect(ttl).toBeLessThanOrEqual(2 * 86400);
    expect(await world.connection.ttl(`${world.prefix}:conv:chat:${CHAT}`)).toBeGreaterThan(2 * 86400 - 60);
  });

  test('forgetting a chat removes its log, state and consent', async () => {
    await acceptConsent();
    await say('ayuda');
    await deliverAll();
    expect(await world.conversation.staff.forget(CHAT)).toEqual({ messages: 4 });
    const left = await world.connection.keys(`${world.prefix}:conv:*${CHAT}*`);
    expect(left).toEqual([]);
    expect(await world.connection.keys(`${world.prefix}:conv:sent:*`)).toEqual([]);
    expect(await world.conversation.staff.chat(CHAT)).toBeUndefined();
    expect(await world.conversation.staff.forget(CHAT)).toBeUndefined();
    await say('hola');
    expect((await lastOutbound()).purpose).toBe('privacy_notice');
  });

  test('lists filter by number and state; stats count messages and chats', async () => {
    await acceptConsent();
    await say('ayuda');
    await deliverAll();
    const other = '573209998877';
    await world.conversation.sink.accept(cloudText(other, 'hola', later(1000)), log);
    const all = await world.conversation.staff.listChats({ offset: 0, limit: 10 });
    expect(all.items.map((c) => c.chatId)).toEqual([other, CHAT]);
    expect(
      (await world.conversation.staff.listChats({ offset: 0, limit: 10, state: 'awaiting_consent' })).items.map(
        (c) => c.chatId,
      ),
    ).toEqual([other]);
    expect(
      (await world.conversation.staff.listChats({ offset: 0, limit: 10, number: '+57 300 111' })).items.map(
        (c) => c.chatId,
      ),
    ).toEqual([CHAT]);
    expect((await world.conversation.staff.listChats({ offset: 1, limit: 1 })).items.map((c) => c.chatId)).toEqual([
      CHAT,
    ]);
    const stats = await world.conversation.staff.stats();
    // Logged: the accept and "ayuda" in, the menu and the help text out. Nothing of the
    // chat that has not consented.
    expect(stats).toEqual({
      messages: { total: 4, inbound: 2, outbound: 2 },
      chats: { total: 2, withKnownCustomer: 0, paused: 0, active: 2 },
      last24h: { inbound: 2, outbound: 2, chats: 2 },
    });
    later(25 * 3600_000);
    expect((await world.conversation.staff.stats()).last24h).toEqual({ inbound: 0, outbound: 0, chats: 0 });
  });
});
