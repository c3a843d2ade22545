import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createProducer, createRedisConnection } from '@helpline/runtime';
import { startTestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inboundMessage, uniquePrefix, waitFor } from './support/index.js';

const fixture = fileURLToPath(new URL('./support/worker-process.ts', import.meta.url));

interface Child {
  process: ChildProcess;
  events: Record<string, unknown>[];
}

function startWorkerProcess(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--conditions=@helpline/source', '--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line));
    } catch {
      // not one of ours
    }
  });
  return { process: child, events };
}

const seen = (child: Child, event: string, jobId?: string) =>
  child.events.find((e) => e.event === event && (jobId === undefined || e.jobId === jobId));

let redis: Awaited<ReturnType<typeof startTestRedis>>;
const children: Child[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
  await redis.stop();
});

describe('worker processes', () => {
  test('a job whose worker is killed with SIGKILL is finished by another worker after the stall interval', async () => {
    const prefix = uniquePrefix();
    const env = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, JOB_MS: '1500', LOCK_MS: '1000', STALLED_MS: '500' };
    const first = startWorkerProcess(env);
    children.push(first);
    await waitFor(() => seen(first, 'ready'), 20_000, 'the first worker');

    const connection = createRedisConnection(redis.url, 'producer');
    const producer = createProducer('inbound', { connection, prefix });
    await producer.add(inboundMessage('wamid.kill'), { jobId: 'wamid.kill' });
    await waitFor(() => seen(first, 'started', 'wamid.kill'), 10_000, 'the job to start');
    first.process.kill('SIGKILL');
    await once(first.process, 'exit');
    expect(seen(first, 'finished', 'wamid.kill')).toBeUndefined();

    const second = startWorkerProcess(env);
    children.push(second);
    await waitFor(() => seen(second, 'finished', 'wamid.kill'), 20_000, 'the second worker to finish the job');
    const job = await producer.queue.getJob('wamid.kill');
    await waitFor(async () => ((await job?.getState()) === 'completed' ? true : undefined), 5_000, 'completed state');
    const done = await producer.queue.getJob('wamid.kill');
    expect(done?.returnvalue).toEqual({ by: second.process.pid });
    second.process.kill('SIGTERM');
    await once(second.process, 'exit');
    await producer.close();
    await connection.quit();
  });

  test('SIGTERM lets the active job finish, then the process exits 0', async () => {
    const prefix = uniquePrefix();
    const child = startWorkerProcess({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix, JOB_MS: '1500' });
    children.push(child);
    await waitFor(() => seen(child, 'ready'), 20_000, 'the worker');
    const connection = createRedisConnection(redis.url, 'producer');
    const producer = createProducer('inbound', { connection, prefix });
    await producer.add(inboundMessage('wamid.term'), { jobId: 'wamid.term' });
    await waitFor(() => seen(child, 'started', 'wamid.term'), 10_000, 'the job to start');
    child.process.kill('SIGTERM');
    const [code] = await once(child.process, 'exit');
    expect(code).toBe(0);
    const finishedAt = child.events.findIndex((e) => e.event === 'finished');
    const exitAt = child.events.findIndex((e) => e.event === 'exit');
    expect(finishedAt).toBeGreaterThanOrEqual(0);
    expect(finishedAt).toBeLessThan(exitAt);
    expect(child.events[exitAt]).toMatchObject({ code: 0 });
    expect(await (await producer.queue.getJob('wamid.term'))?.getState()).toBe('completed');
    await producer.close();
    await connection.quit();
  });
});
