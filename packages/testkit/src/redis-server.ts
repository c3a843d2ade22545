import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The one message a test run shows when it has no Redis to use. */
export const REDIS_MISSING_MESSAGE = 'set REDIS_URL or install redis-server (Debian package `redis-server`)';

export interface TestRedisOptions {
  /**
   * Turn AOF on, with an fsync on every write, so that data survives `restart()` and even
   * `kill()`: chaos tests need a crash to lose nothing that Redis acknowledged.
   * @defaultValue false
   */
  appendOnly?: boolean;
  /** Data directory. When absent a temporary one is made, and removed by `stop()`. */
  dir?: string;
  /** Port to listen on. When absent a free one is picked. */
  port?: number;
  /**
   * Start a server even when REDIS_URL is set, for tests that restart or kill it: a
   * shared server given by the environment is not theirs to take down.
   * @defaultValue false
   */
  spawn?: boolean;
}

export interface TestRedis {
  url: string;
  port: number;
  /** False when the server came from REDIS_URL: `stop()` leaves it alone. */
  owned: boolean;
  /** Shuts the server down (SIGTERM, then waits for the process to exit). */
  stop(): Promise<void>;
  /** Shuts the server down and starts it again on the same port and directory. */
  restart(): Promise<void>;
  /** Ends the server with SIGKILL, as a crash would; `restart()` brings it back. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 3;

/**
 * Gives a test a Redis: the one at REDIS_URL when set, else a private `redis-server`
 * (from REDIS_SERVER_BIN or PATH) on 127.0.0.1 with persistence off unless asked for.
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const external = process.env.REDIS_URL;
  if (external && !options.spawn) return externalRedis(external);
  return spawnRedis(options);
}

function externalRedis(url: string): TestRedis {
  const notOurs = async (): Promise<never> => {
    throw new Error('the Redis at REDIS_URL is shared: a test may not restart or kill it; pass { spawn: true }');
  };
  return {
    url,
    port: Number(new URL(url).port || 6379),
    owned: false,
    stop: async () => {},
    restart: notOurs,
    kill: notOurs,
  };
}

async function spawnRedis(options: TestRedisOptions): Promise<TestRedis> {
  const bin = process.env.REDIS_SERVER_BIN || 'redis-server';
  const appendOnly = options.appendOnly ?? false;
  const madeDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'helpline-redis-')));

  let port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        child = await launch(bin, port, dir, appendOnly);
        break;
      } catch (error) {
        // A free port can be taken between our probe and redis-server's bind; only then
        // is another port worth a try.
        const raced = error instanceof EarlyExitError && options.port === undefined && attempt < PORT_ATTEMPTS;
        if (!raced) throw error;
        port = await freePort();
      }
    }
  } catch (error) {
    if (madeDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    owned: true,
    stop: async () => {
      await end(child, 'SIGTERM');
      if (madeDir) await rm(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await end(child, 'SIGTERM');
      child = await launch(bin, port, dir, appendOnly);
    },
    kill: async () => {
      await end(child, 'SIGKILL');
    },
  };
}

/** redis-server ended before it answered; carries its output, which says why. */
class EarlyExitError extends Error {}

async function launch(bin: string, port: number, dir: string, appendOnly: boolean): Promise<ChildProcess> {
  await mkdir(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--daemonize', 'no'];
  args.push('--appendonly', appendOnly ? 'yes' : 'no');
  if (appendOnly) args.push('--appendfsync', 'always');

  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(REDIS_MISSING_MESSAGE, { cause: error });
    }
    throw error;
  }
  track(child);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child)) {
      throw new EarlyExitError(
        `redis-server exited (${child.exitCode ?? child.signalCode}) before answering PING:\n${output}`,
      );
    }
    if (await answersPing(port)) return child;
    await sleep(25);
  }
  await end(child, 'SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${port} within ${READY_TIMEOUT_MS} ms:\n${output}`);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function end(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || exited(child)) return;
  const gone = once(child, 'exit');
  child.kill(signal);
  // A server stuck in a shutdown save must not hang the test run.
  const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await gone;
  } finally {
    clearTimeout(escalate);
  }
}

// Servers still running when the test process exits (a test that never called stop, a
// worker torn down mid-run) are killed with it rather than left behind.
const running = new Set<ChildProcess>();
function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
function track(child: ChildProcess): void {
  if (running.size === 0) process.on('exit', killAll);
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killAll);
  });
}

/** A raw RESP PING, so waiting for readiness needs no client and no reconnect noise. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // While an AOF loads Redis answers -LOADING; only +PONG means ready.
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

/** A port the kernel says is free right now, on the address redis-server binds. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}
