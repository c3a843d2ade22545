import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether something at host:port answers a raw RESP PING with +PONG within the deadline:
 * no client, no reconnect noise. While an AOF loads Redis answers -LOADING: not ready.
 */
export function answersPing(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

/** `redis-server` is not installed (spawn said ENOENT); callers say what to install. */
export class RedisServerMissingError extends Error {
  constructor(bin: string, cause: unknown) {
    super(`${bin} not found`, { cause });
    this.name = 'RedisServerMissingError';
  }
}

/** redis-server ended before it answered (a port taken, a bad option); carries its output. */
export class RedisServerExitedError extends Error {
  constructor(code: number | string | null, output: string) {
    super(`redis-server exited (${code}) before answering PING:\n${output}`);
    this.name = 'RedisServerExitedError';
  }
}

export interface LaunchOptions {
  /** The executable: REDIS_SERVER_BIN or `redis-server` from PATH. */
  bin?: string;
  host?: string;
  port: number;
  /** Data directory (made when missing). */
  dir: string;
  /** Append-only file: off, fsync every second, or fsync on every write (nothing acknowledged is lost). */
  appendOnly?: 'no' | 'everysec' | 'always';
  /** How long it may take to answer PING. */
  readyTimeoutMs?: number;
}

export interface RedisServerProcess {
  readonly child: ChildProcess;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Ends it with `signal` (SIGKILL after `escalateMs` if it does not exit) and waits for the exit. */
  stop(signal?: NodeJS.Signals, escalateMs?: number): Promise<void>;
}

/** Starts redis-server as a child process (snapshots off) and resolves once it answers PING. */
export async function launchRedisServer(options: LaunchOptions): Promise<RedisServerProcess> {
  const bin = options.bin ?? 'redis-server';
  const host = options.host ?? '127.0.0.1';
  const appendOnly = options.appendOnly ?? 'no';
  await mkdir(options.dir, { recursive: true });
  const args = ['--port', String(options.port), '--bind', host, '--save', '', '--dir', options.dir];
  args.push('--daemonize', 'no', '--appendonly', appendOnly === 'no' ? 'no' : 'yes');
  if (appendOnly !== 'no') args.push('--appendfsync', appendOnly);

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
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RedisServerMissingError(bin, error);
    throw error;
  }
  track(child);

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', escalateMs = 10_000): Promise<void> => {
    if (exited(child)) return;
    const gone = once(child, 'exit');
    child.kill(signal);
    // A server stuck in a shutdown save must not hang whoever stops it.
    const escalate = setTimeout(() => child.kill('SIGKILL'), escalateMs);
    try {
      await gone;
    } finally {
      clearTimeout(escalate);
    }
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (exited(child)) throw new RedisServerExitedError(child.exitCode ?? child.signalCode, output);
    if (await answersPing(host, options.port, 1_000)) {
      return { child, host, port: options.port, url: `redis://${host}:${options.port}`, stop };
    }
    await sleep(25);
  }
  await stop('SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${options.port} in time:\n${output}`);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

// Servers still running when this process exits (a test that never called stop, a start
// ended by an uncaught error) are killed with it rather than left behind.
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
