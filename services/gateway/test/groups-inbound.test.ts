import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InboundMessage } from '@helpline/contracts';
import { createProducer, createRedisConnection, type Producer, type Redis } from '@helpline/runtime';
import { startTestRedis, type TestRedis, uniqueQueueName } from '@helpline/testkit';
import { fakeGroupReaction, fakeGroupText } from '@helpline/testkit/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInboundEnqueuer } from '../src/ingest/inbound-enqueuer.js';
import type { MessageSink } from '../src/ingest/message-sink.js';
import { eventually, GROUP, type GroupTestRig, groupRig, metricValue, OTHER_GROUP } from './support/groups.js';

/** The real enqueuer on a BullMQ producer, recording the order in which it stored messages. */
function enqueuer(producer: Producer<'inbound'>): MessageSink & { order: string[] } {
  const inner = createInboundEnqueuer({ producer });
  const order: string[] = [];
  return {
    order,
    async accept(message: InboundMessage, log) {
      const outcome = await inner.accept(message, log);
      if (outcome === 'accepted') order.push(message.id);
      return outcome;
    },
  };
}

describe('group messages into the inbound queue', () => {
  let server: TestRedis;
  let connection: Redis;
  let producer: Producer<'inbound'>;
  let rig: GroupTestRig;

  beforeAll(async () => {
    server = await startTestRedis();
    connection = createRedisConnection(server.url, 'producer');
    producer = createProducer('inbound', { connection, prefix: uniqueQueueName('gw') });
  });
  afterEach(async () => {
    await rig?.close();
  });
  afterAll(async () => {
    await producer.close();
    await connection.quit();
    await server.stop();
  });

  it('enqueues allow-listed group messages under their key id, with the LID resolved, and counts what it skips', async () => {
    const sink = enqueuer(producer);
    rig = await groupRig(server.url, sink);
    await rig.channel.start();
    const socket = await rig.factory.waitForSocket(1);
    socket.open();
    socket.mapLid('111222333444555@lid', '5491133334444@s.whatsapp.net');

    const reported = fakeGroupText({ group: GROUP, participant: '111222333444555@lid', pushName: 'Ana', text: 'No imprime la impresora fiscal' });
    socket.receive([
      reported,
      fakeGroupText({ group: OTHER_GROUP, participant: '5491100000009@s.whatsapp.net' }),
      fakeGroupText({ group: GROUP, participant: '5491100000000@s.whatsapp.net', fromMe: true }),
      fakeGroupReaction({ group: GROUP, participant: '111222333444555@lid', to: reported.key.id! }),
    ]);
    // History filling in ('append') is not a new message.
    socket.receive([fakeGroupText({ group: GROUP, participant: '5491100000001@s.whatsapp.net' })], 'append');

    await eventually(() => expect(sink.order).toEqual([reported.key.id]));
    const job = await producer.queue.getJob(reported.key.id!);
    expect(job?.data).toMatchObject({
      id: reported.key.id,
      channel: 'group',
      chatId: GROUP,
      from: '5491133334444',
      senderPhone: '5491133334444',
      senderName: 'Ana',
      text: 'No imprime la impresora fiscal',
    });
    // A repeated delivery of the same message adds no second job.
    socket.receive([reported]);
    await eventually(async () => expect(await metricValue(rig.metrics, 'helpline_group_messages_total{outcome="duplicate",service="gateway"}')).toBe(1));
    expect(await producer.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });

    for (const [reason, n] of [['foreign_group', 1], ['own', 1], ['reaction', 1], ['not_notify', 1]] as const) {
      expect(await metricValue(rig.metrics, `helpline_group_messages_skipped_total{reason="${reason}",service="gateway"}`), reason).toBe(n);
    }
  });

  it('keeps nothing aside while Redis answers: the spool file stays empty', async () => {
    const sink = enqueuer(producer);
    rig = await groupRig(server.url, sink);
    await rig.channel.start();
    const socket = await rig.factory.waitForSocket(1);
    socket.open();
    socket.receive([fakeGroupText({ group: GROUP, participant: '5491100000002@s.whatsapp.net' })]);
    await eventually(() => expect(sink.order).toHaveLength(1));
    await expect(readFile(join(rig.spoolDir, 'spool.jsonl'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('spool across a Redis outage', () => {
  let server: TestRedis;

  beforeAll(async () => {
    // Our own server: the test stops and starts it.
    server = await startTestRedis({ spawn: true });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('loses nothing: messages received while Redis is down arrive in order once it is back, and the spool empties', async () => {
    const connection = createRedisConnection(server.url, 'producer');
    const producer = createProducer('inbound', { connection, prefix: uniqueQueueName('gw'), addTimeoutMs: 500 });
    const sink = enqueuer(producer);
    const rig = await groupRig(server.url, sink);
    try {
      await rig.channel.start();
      const socket = await rig.factory.waitForSocket(1);
      socket.open();
      const before = fakeGroupText({ group: GROUP, participant: '5491100000001@s.whatsapp.net', text: 'antes' });
      socket.receive([before]);
      await eventually(() => expect(sink.order).toEqual([before.key.id]));

      await server.kill();
      const during = Array.from({ length: 5 }, (_, i) =>
        fakeGroupText({ group: GROUP, participant: `5491100000${100 + i}@s.whatsapp.net`, text: `caída ${i + 1}` }),
      );
      for (const message of during) socket.receive([message]);
      const spoolFile = join(rig.spoolDir, 'spool.jsonl');
      await eventually(async () => expect((await readFile(spoolFile, 'utf8')).trim().split('\n')).toHaveLength(5), 10_000);
      expect(rig.channel.status()).toMatchObject({ spooled: 5 });
      expect(rig.channel.health()).toMatchObject({ status: 'degraded' });
      expect(await metricValue(rig.metrics, 'helpline_group_spool_messages{service="gateway"}')).toBe(5);
      // One more while the first are still waiting: it queues behind them, never ahead.
      const late = fakeGroupText({ group: GROUP, participant: '5491100000200@s.whatsapp.net', text: 'después' });
      socket.receive([late]);
      await eventually(() => expect(rig.channel.spool.size()).toBe(6), 10_000);

      await server.restart();
      const expected = [before, ...during, late].map((m) => m.key.id);
      await eventually(() => expect(sink.order).toEqual(expected), 15_000);
      await eventually(async () => expect(await readFile(spoolFile, 'utf8')).toBe(''));
      expect(rig.channel.status()).toMatchObject({ spooled: 0 });
      for (const message of during) expect(await producer.queue.getJob(message.key.id!)).toBeDefined();
      expect(await metricValue(rig.metrics, 'helpline_group_messages_total{outcome="replayed",service="gateway"}')).toBe(6);
    } finally {
      await rig.close();
      await producer.close();
      await connection.quit();
    }
  });

  it('replays, after a restart of the gateway, what a previous run left in the spool', async () => {
    const connection = createRedisConnection(server.url, 'producer');
    const producer = createProducer('inbound', { connection, prefix: uniqueQueueName('gw'), addTimeoutMs: 500 });
    const first = await groupRig(server.url, enqueuer(producer));
    const spoolDir = first.spoolDir;
    try {
      await first.channel.start();
      const socket = await first.factory.waitForSocket(1);
      socket.open();
      await server.kill();
      const during = [1, 2, 3].map((i) => fakeGroupText({ group: GROUP, participant: `549110000030${i}@s.whatsapp.net`, text: `m${i}` }));
      for (const message of during) socket.receive([message]);
      await eventually(() => expect(first.channel.spool.size()).toBe(3), 10_000);
      await first.channel.stop();

      await server.restart();
      const sink = enqueuer(producer);
      const second = await groupRig(server.url, sink, {}, { spoolDir });
      try {
        await second.channel.start();
        await eventually(() => expect(sink.order).toEqual(during.map((m) => m.key.id)), 15_000);
        await eventually(() => expect(second.channel.spool.size()).toBe(0));
      } finally {
        await second.close();
      }
    } finally {
      await first.redis.quit().catch(() => {});
      await producer.close();
      await connection.quit();
    }
  });
});
