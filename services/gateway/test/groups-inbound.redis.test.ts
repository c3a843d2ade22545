import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboundMessage } from '@helpline/contracts';
import {
  closeRedis,
  createProducer,
  createRedisConnection,
  PermanentError,
  type Producer,
  type Redis,
} from '@helpline/runtime';
import { startTestRedis, type TestRedis, uniqueQueueName } from '@helpline/testkit';
import { fakeGroupReaction, fakeGroupText } from '@helpline/testkit/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInboundEnqueuer } from '../src/ingest/inbound-enqueuer.js';
import { createInboundSpool } from '../src/groups/inbound-spool.js';
import type { MessageSink } from '../src/ingest/message-sink.js';
import { quietLogger } from './support/harness.js';
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
    await closeRedis(connection);
    await server.stop();
  });

  it('enqueues allow-listed group messages under their key id, with the LID resolved, and counts what it skips', async () => {
    const sink = enqueuer(producer);
    rig = await groupRig(server.url, sink);
    const socket = await rig.startOpen();
    socket.mapLid('111222333444555@lid', '5491133334444@s.whatsapp.net');

    const reported = fakeGroupText({
      group: GROUP,
      participant: '111222333444555@lid',
      pushName: 'Ana',
      text: 'No imprime la impresora fiscal',
    });
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
    await eventually(async () =>
      expect(
        await metricValue(rig.metrics, 'helpline_group_messages_total{outcome="duplicate",service="gateway"}'),
      ).toBe(1),
    );
    expect(await producer.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });

    for (const [reason, n] of [
      ['foreign_group', 1],
      ['own', 1],
      ['reaction', 1],
      ['not_notify', 1],
    ] as const) {
      expect(
        await metricValue(rig.metrics, `helpline_group_messages_skipped_total{reason="${reason}",service="gateway"}`),
        reason,
      ).toBe(n);
    }
  });

  it('keeps nothing aside while Redis answers: the spool file stays empty', async () => {
    const sink = enqueuer(producer);
    rig = await groupRig(server.url, sink);
    const socket = await rig.startOpen();
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

  /**
   * Each test's way into the inbound queue: a producer on the fail-fast connection (adds
   * give up after 500 ms while Redis is away) and the enqueuer that records the order.
   */
  const outageIt = it.extend<{ inbound: { producer: Producer<'inbound'>; sink: ReturnType<typeof enqueuer> } }>({
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixture's dependencies from this pattern
    inbound: async ({}, use) => {
      const connection = createRedisConnection(server.url, 'producer');
      const producer = createProducer('inbound', { connection, prefix: uniqueQueueName('gw'), addTimeoutMs: 500 });
      try {
        await use({ producer, sink: enqueuer(producer) });
      } finally {
        await producer.close();
        await closeRedis(connection);
      }
    },
  });

  outageIt(
    'loses nothing: messages received while Redis is down arrive in order once it is back, and the spool empties',
    async ({ inbound: { producer, sink } }) => {
      const rig = await groupRig(server.url, sink);
      try {
        const socket = await rig.startOpen();
        const before = fakeGroupText({ group: GROUP, participant: '5491100000001@s.whatsapp.net', text: 'antes' });
        socket.receive([before]);
        await eventually(() => expect(sink.order).toEqual([before.key.id]));

        await server.kill();
        const during = Array.from({ length: 5 }, (_, i) =>
          fakeGroupText({ group: GROUP, participant: `5491100000${100 + i}@s.whatsapp.net`, text: `caída ${i + 1}` }),
        );
        for (const message of during) socket.receive([message]);
        const spoolFile = join(rig.spoolDir, 'spool.jsonl');
        await eventually(
          async () => expect((await readFile(spoolFile, 'utf8')).trim().split('\n')).toHaveLength(5),
          10_000,
        );
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
        expect(
          await metricValue(rig.metrics, 'helpline_group_messages_total{outcome="replayed",service="gateway"}'),
        ).toBe(6);
      } finally {
        await rig.close();
      }
    },
  );

  outageIt(
    'replays, after a restart of the gateway, what a previous run left in the spool',
    async ({ inbound: { producer } }) => {
      const first = await groupRig(server.url, enqueuer(producer));
      const spoolDir = first.spoolDir;
      try {
        await first.channel.start();
        const socket = await first.factory.waitForSocket(1);
        socket.open();
        await server.kill();
        const during = [1, 2, 3].map((i) =>
          fakeGroupText({ group: GROUP, participant: `549110000030${i}@s.whatsapp.net`, text: `m${i}` }),
        );
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
        await closeRedis(first.redis);
      }
    },
  );

  outageIt(
    'keeps messages in memory while the spool file cannot be written, says so, and writes them once it can',
    async ({ inbound: { sink } }) => {
      const rig = await groupRig(server.url, sink);
      const spoolFile = join(rig.spoolDir, 'spool.jsonl');
      try {
        const socket = await rig.startOpen();
        // "Disk full": the spool file cannot be opened for writing.
        await mkdir(spoolFile);
        await server.kill();
        const during = [1, 2, 3].map((i) =>
          fakeGroupText({ group: GROUP, participant: `549110000040${i}@s.whatsapp.net`, text: `sin disco ${i}` }),
        );
        for (const message of during) socket.receive([message]);
        await eventually(() => expect(rig.channel.spool.size()).toBe(3), 10_000);
        expect(rig.channel.status()).toMatchObject({ spooled: 3, unsaved: 3 });
        expect(rig.channel.health()).toMatchObject({
          status: 'degraded',
          message: expect.stringMatching(
            /3 group messages are held in memory only: the spool file .* cannot be written/,
          ),
        });
        expect(await metricValue(rig.metrics, 'helpline_group_spool_unsaved_messages{service="gateway"}')).toBe(3);
        expect(await metricValue(rig.metrics, 'helpline_group_messages_total{outcome="held",service="gateway"}')).toBe(
          3,
        );
        expect(
          await metricValue(rig.metrics, 'helpline_group_spool_write_failures_total{service="gateway"}'),
        ).toBeGreaterThanOrEqual(1);

        // The disk is freed while Redis is still away: the retry writes them to the file.
        await rm(spoolFile, { recursive: true });
        await eventually(
          async () => expect((await readFile(spoolFile, 'utf8')).trim().split('\n')).toHaveLength(3),
          10_000,
        );
        expect(rig.channel.status()).toMatchObject({ spooled: 3, unsaved: 0 });
        expect(rig.channel.health().message).not.toMatch(/memory/);

        await server.restart();
        await eventually(() => expect(sink.order).toEqual(during.map((m) => m.key.id)), 15_000);
        await eventually(async () => expect(await readFile(spoolFile, 'utf8')).toBe(''));
      } finally {
        await rig.close();
      }
    },
  );

  outageIt(
    'goes on replaying when rewriting the spool fails, and rewrites it once it can',
    async ({ inbound: { sink } }) => {
      const rig = await groupRig(server.url, sink);
      const spoolFile = join(rig.spoolDir, 'spool.jsonl');
      try {
        const socket = await rig.startOpen();
        await server.kill();
        const during = [1, 2, 3, 4].map((i) =>
          fakeGroupText({ group: GROUP, participant: `549110000050${i}@s.whatsapp.net`, text: `reescritura ${i}` }),
        );
        for (const message of during) socket.receive([message]);
        await eventually(
          async () => expect((await readFile(spoolFile, 'utf8')).trim().split('\n')).toHaveLength(4),
          10_000,
        );
        // The rewrite after each replayed entry goes through `<path>.tmp`: make it fail.
        await mkdir(`${spoolFile}.tmp`);

        await server.restart();
        // Every entry is replayed, not only the first, though no new message arrives.
        await eventually(() => expect(sink.order).toEqual(during.map((m) => m.key.id)), 15_000);
        expect(rig.channel.spool.size()).toBe(0);
        // Nothing is at risk (all delivered), but the file still lists them.
        expect((await readFile(spoolFile, 'utf8')).trim().split('\n')).toHaveLength(4);
        expect(rig.channel.health()).toMatchObject({ status: 'ok' });

        await rm(`${spoolFile}.tmp`, { recursive: true });
        await eventually(async () => expect(await readFile(spoolFile, 'utf8')).toBe(''), 10_000);
      } finally {
        await rig.close();
      }
    },
  );
});

describe('spool memory buffer', () => {
  it('holds at most maxUnsaved messages in memory, drops and counts the rest, and delivers the held ones in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helpline-spool-'));
    const path = join(dir, 'spool.jsonl');
    let redisUp = false;
    const delivered: string[] = [];
    const spool = createInboundSpool<string>({
      path,
      logger: quietLogger(),
      retryMs: 20,
      maxUnsaved: 2,
      async deliver(entry) {
        if (entry === 'refused') throw new PermanentError('invalid_group_message', 'does not fit the contract');
        if (!redisUp) throw new Error('Connection is closed.');
        delivered.push(entry);
      },
    });
    try {
      await spool.open();
      // "Disk full": the spool file cannot be opened for writing.
      await mkdir(path);
      expect(await spool.submit('uno')).toBe('held');
      expect(await spool.submit('dos')).toBe('held');
      expect(await spool.submit('tres')).toBe('dropped');
      expect(spool.health()).toMatchObject({
        failing: true,
        unsaved: 2,
        dropped: 1,
        lastWriteError: expect.stringMatching(/EISDIR/),
      });
      redisUp = true;
      await eventually(() => expect(delivered).toEqual(['uno', 'dos']));
      // A message refused for good while the rejected file cannot be written either waits in memory.
      await rm(path, { recursive: true });
      await mkdir(`${path}.rejected`);
      expect(await spool.submit('refused')).toBe('rejected');
      expect(spool.health()).toMatchObject({ failing: true, unsaved: 1 });
      await rm(`${path}.rejected`, { recursive: true });
      await eventually(async () => expect(await readFile(`${path}.rejected`, 'utf8')).toMatch(/"entry":"refused"/));
      expect(spool.health()).toMatchObject({ failing: false, unsaved: 0 });
    } finally {
      await spool.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
