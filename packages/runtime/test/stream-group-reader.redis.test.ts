import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeRedis,
  createRedisConnection,
  createStreamGroupReader,
  type Redis,
  type StreamEntry,
  type StreamGroupReaderOptions,
} from '@helpline/runtime';
import { startTestRedis } from '@helpline/testkit';
import { redisTest as test } from '@helpline/testkit/fixtures';
import { describe, expect, onTestFinished } from 'vitest';
import { memoryLogger, waitFor } from './support/index.js';

const GROUP = 'readers';

function connect(url: string): Redis {
  const redis = createRedisConnection(url, 'worker');
  onTestFinished(() => closeRedis(redis));
  return redis;
}

interface Started {
  reader: ReturnType<typeof createStreamGroupReader>;
  redis: Redis;
  /** Ids of each batch the handler was given, in order. */
  batches: string[][];
  failures: unknown[];
  reclaimed: { entries: number; deleted: number }[];
}

/** A reader on its own connection, with a recording handler (or `handle`), stopped after the test. */
function reader(
  url: string,
  stream: string,
  options: Partial<StreamGroupReaderOptions> & { handle?: (entries: readonly StreamEntry[]) => Promise<void> } = {},
): Started {
  const redis = connect(url);
  const batches: string[][] = [];
  const failures: unknown[] = [];
  const reclaimed: { entries: number; deleted: number }[] = [];
  const reader = createStreamGroupReader({
    redis,
    stream,
    group: GROUP,
    consumer: 'c1',
    batchSize: 100,
    blockMs: 100,
    lingerMs: 0,
    claimIdleMs: 60_000,
    logger: memoryLogger().logger,
    purpose: 'the test',
    ...options,
    async handle(entries) {
      batches.push(entries.map((e) => e.id));
      await options.handle?.(entries);
    },
    hooks: {
      onFailure: (error) => failures.push(error),
      onReclaimed: (entries, deleted) => reclaimed.push({ entries, deleted }),
    },
  });
  onTestFinished(() => reader.stop());
  return { reader, redis, batches, failures, reclaimed };
}

async function append(redis: Redis, stream: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(String(await redis.xadd(stream, '*', 'event', `e${i}`)));
  return ids;
}

/**
 * A handler that never returns while its process "dies": the test cuts the connection, then
 * lets the handler end so the dead reader's loop can be stopped after the test (its
 * acknowledgement fails on the closed connection, as a dead process's never happens).
 */
function dying(): { handle: () => Promise<void>; die(started: Started): void } {
  let release: () => void = () => {};
  const stuck = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    handle: () => stuck,
    die(started) {
      started.redis.disconnect();
      release();
    },
  };
}

const handled = (started: Started) => started.batches.flat().length;
const pendingOf = async (redis: Redis, stream: string) => ((await redis.xpending(stream, GROUP)) as [number])[0];

describe('createStreamGroupReader: lingering', () => {
  test('after a part-full batch it lingers, so a trickle is handled in few batches; without, one each', async ({
    redis,
    prefix,
  }) => {
    const writer = connect(redis.url);
    const trickle = async (stream: string, started: Started) => {
      await append(writer, stream, 1);
      await waitFor(() => handled(started) === 1, 5_000, 'the first entry');
      // Ten entries 30 ms apart, each sooner than the block (100 ms) ends.
      for (let i = 0; i < 10; i++) {
        await append(writer, stream, 1);
        await sleep(30);
      }
      await waitFor(() => handled(started) === 11, 5_000, 'the trickle');
    };

    const lingering = reader(redis.url, `${prefix}:lingering`, { lingerMs: 500 });
    lingering.reader.start();
    await trickle(`${prefix}:lingering`, lingering);
    expect(lingering.batches.length).toBeLessThanOrEqual(3);

    const eager = reader(redis.url, `${prefix}:eager`, { lingerMs: 0 });
    eager.reader.start();
    await trickle(`${prefix}:eager`, eager);
    expect(eager.batches.length).toBeGreaterThanOrEqual(8);
  });

  test('a backlog is read in full batches without waiting; stop cuts a linger short', async ({ redis, prefix }) => {
    const stream = `${prefix}:events`;
    const writer = connect(redis.url);
    await append(writer, stream, 250);
    const started = reader(redis.url, stream, { lingerMs: 60_000 });
    started.reader.start();
    await waitFor(() => handled(started) === 250, 5_000, 'the backlog');
    expect(started.batches.map((b) => b.length)).toEqual([100, 100, 50]);
    // The last batch was part-full: the next entry waits for the linger.
    await append(writer, stream, 1);
    await sleep(400);
    expect(handled(started)).toBe(250);
    const stopAt = performance.now();
    await started.reader.stop();
    expect(performance.now() - stopAt).toBeLessThan(1_000);
    expect(await writer.xlen(stream)).toBe(1);
  });
});

describe('createStreamGroupReader: at least once', () => {
  test('entries read and not acknowledged before a crash are read first by the same consumer after a restart', async ({
    redis,
    prefix,
  }) => {
    const stream = `${prefix}:events`;
    const writer = connect(redis.url);
    const ids = await append(writer, stream, 3);
    // The first process takes the batch and dies in its handler, before any acknowledgement.
    const crash = dying();
    const crashed = reader(redis.url, stream, { handle: crash.handle });
    crashed.reader.start();
    await waitFor(() => crashed.batches.length === 1, 5_000, 'the batch read');
    crash.die(crashed);
    expect(await pendingOf(writer, stream)).toBe(3);

    // Restarted under the same name: its own pending entries come first, without the reclaim wait.
    const restarted = reader(redis.url, stream, { claimIdleMs: 60_000 });
    restarted.reader.start();
    await waitFor(() => handled(restarted) === 3, 5_000, 'the pending entries');
    expect(restarted.batches).toEqual([ids]);
    await waitFor(async () => (await pendingOf(writer, stream)) === 0, 5_000, 'the acknowledgement');
    expect(restarted.reclaimed).toEqual([]);
  });

  test('another consumer claims the entries of one that is gone after claimIdleMs', async ({ redis, prefix }) => {
    const stream = `${prefix}:events`;
    const writer = connect(redis.url);
    const ids = await append(writer, stream, 3);
    const crash = dying();
    const gone = reader(redis.url, stream, { handle: crash.handle });
    gone.reader.start();
    await waitFor(() => gone.batches.length === 1, 5_000, 'the batch read');
    crash.die(gone);

    const other = reader(redis.url, stream, { consumer: 'c2', claimIdleMs: 300 });
    const from = Date.now();
    other.reader.start();
    await waitFor(() => handled(other) === 3, 5_000, 'the claimed entries');
    expect(Date.now() - from).toBeGreaterThanOrEqual(250);
    expect(other.batches).toEqual([ids]);
    expect(other.reclaimed).toEqual([{ entries: 3, deleted: 0 }]);
    await waitFor(async () => (await pendingOf(writer, stream)) === 0, 5_000, 'the acknowledgement');
  });

  test('a failed batch is read again; an entry deleted while pending is acknowledged and never handed over', async ({
    redis,
    prefix,
  }) => {
    const stream = `${prefix}:events`;
    const writer = connect(redis.url);
    const [first, deleted, third] = await append(writer, stream, 3);
    // Read by this consumer before a crash; one of them erased meanwhile.
    await writer.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
    await writer.xreadgroup('GROUP', GROUP, 'c1', 'STREAMS', stream, '>');
    await writer.xdel(stream, deleted as string);
    let calls = 0;
    const started = reader(redis.url, stream, {
      async handle() {
        calls += 1;
        if (calls === 1) throw new Error('the store is away');
      },
    });
    started.reader.start();
    await waitFor(() => started.batches.length === 2, 5_000, 'the batch read again');
    expect(started.batches).toEqual([
      [first, third],
      [first, third],
    ]);
    expect(started.failures).toHaveLength(1);
    await waitFor(async () => (await pendingOf(writer, stream)) === 0, 5_000, 'the acknowledgement');
    expect(await writer.xlen(stream)).toBe(0);
  });
});

describe('createStreamGroupReader: stopping and Redis going away', () => {
  test('stop waits for the batch in hand and acknowledges it; a blocked read is cut short', async ({
    redis,
    prefix,
  }) => {
    const stream = `${prefix}:events`;
    const writer = connect(redis.url);
    await append(writer, stream, 2);
    let release: () => void = () => {};
    const inHand = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started = reader(redis.url, stream, { handle: () => inHand });
    started.reader.start();
    await waitFor(() => started.batches.length === 1, 5_000, 'the batch in hand');
    let stopped = false;
    const stopping = started.reader.stop().then(() => {
      stopped = true;
    });
    await sleep(300);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await pendingOf(writer, stream)).toBe(0);
    expect(await writer.xlen(stream)).toBe(0);
    expect(started.reader.running()).toBe(false);

    const blocked = reader(redis.url, `${prefix}:quiet`, { blockMs: 20_000 });
    blocked.reader.start();
    await sleep(200);
    const stopAt = performance.now();
    await blocked.reader.stop();
    expect(performance.now() - stopAt).toBeLessThan(1_000);
  });

  test('Redis killed and restarted empty: the reader reconnects, makes its group again and goes on', async ({
    prefix,
  }) => {
    const own = await startTestRedis({ spawn: true });
    onTestFinished(() => own.stop());
    const stream = `${prefix}:events`;
    const writer = connect(own.url);
    const started = reader(own.url, stream);
    started.reader.start();
    await append(writer, stream, 1);
    await waitFor(() => handled(started) === 1, 5_000, 'the first entry');

    await own.kill();
    await sleep(300);
    await own.restart();
    // A new, empty Redis: no stream, no group. The writer's connection waits for it too.
    const [after] = await append(writer, stream, 1);
    await waitFor(() => handled(started) === 2, 15_000, 'the entry written after the restart');
    expect(started.batches.at(-1)).toEqual([after]);
    expect(started.reader.running()).toBe(true);
    await waitFor(async () => (await pendingOf(writer, stream)) === 0, 5_000, 'the acknowledgement');
  });
});
