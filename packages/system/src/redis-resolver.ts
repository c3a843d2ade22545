import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export interface ResolvedRedis {
  url: string;
  /** Where the address came from, for the start banner. */
  source: 'REDIS_URL' | 'default address' | 'started redis-server';
  /** Stops the redis-server this start launched; nothing for the others. */
  stop(): Promise<void>;
}

export const DEFAULT_REDIS = { host: '127.0.0.1', port: 6379 };

export const REDIS_MISSING =
  'Redis is needed: set REDIS_URL, run one on 127.0.0.1:6379, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)';

/** Whether something at host:port answers PING with PONG within the deadline. */
export function answersPing(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

async function waitForPing(host: string, port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await answersPing(host, port, 300)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}

/**
 * Redis for a one-command start, in this order: REDIS_URL when set; else the default
 * address when something answers there; else `redis-server` from PATH as a child process
 * with its data (append-only) under `dataDir`; else an error whose message says what to
 * install or set.
 */
export async function resolveRedis(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  address: { host: string; port: number } = DEFAULT_REDIS,
): Promise<ResolvedRedis> {
  const nothing = async () => {};
  const url = `redis://${address.host}:${address.port}`;
  if (env.REDIS_URL) return { url: env.REDIS_URL, source: 'REDIS_URL', stop: nothing };
  if (await answersPing(address.host, address.port)) return { url, source: 'default address', stop: nothing };
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    env.REDIS_SERVER_BIN ?? 'redis-server',
    ['--port', String(address.port), '--bind', address.host, '--dir', dir, '--appendonly', 'yes', '--save', ''],
    { stdio: 'ignore' },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (!spawned) throw new Error(REDIS_MISSING);
  await waitForPing(address.host, address.port, child, 10_000);
  return {
    url,
    source: 'started redis-server',
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
