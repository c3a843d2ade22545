import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { access, chown, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

/** The one message a test run shows when it has no PostgreSQL to use. */
export const POSTGRES_MISSING_MESSAGE =
  'set DATABASE_URL, run a PostgreSQL server at 127.0.0.1:5432, or install PostgreSQL (Debian package `postgresql`) so initdb can be found';

/** The server tests use when DATABASE_URL is not set and one answers there. */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPostgresOptions {
  /**
   * Start a private server even when DATABASE_URL is set or one answers at the default
   * address, for tests that restart or kill it: a shared server is not theirs to take down.
   * @defaultValue false
   */
  spawn?: boolean;
}

export interface TestPostgres {
  /** URL of the server's `postgres` database; tests work in `createDatabase()`'s instead. */
  url: string;
  port: number;
  /** False when the server is shared (DATABASE_URL, the default address). */
  owned: boolean;
  /** Creates a fresh, empty, uniquely named database and returns its URL. */
  createDatabase(prefix: string): Promise<string>;
  /** Drops the databases made here (shared server) or shuts the private server down. */
  stop(): Promise<void>;
  /** Private server only: a fast shutdown, then a start on the same port and data. */
  restart(): Promise<void>;
  /** Private server only: SIGKILL of the whole server, as a crash would; `restart()` brings it back. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const run = promisify(execFile);

/**
 * Gives a test a PostgreSQL: DATABASE_URL when set; else the server at 127.0.0.1:5432 if
 * one answers; else a private one made with `initdb` and run from PATH or
 * `/usr/lib/postgresql/<version>/bin` on a free port, removed by `stop()`.
 */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  if (!options.spawn) {
    const external = process.env.DATABASE_URL;
    if (external) return sharedPostgres(external);
    if (await answers(DEFAULT_POSTGRES_URL, 2_000)) return sharedPostgres(DEFAULT_POSTGRES_URL);
  }
  return spawnPostgres();
}

function sharedPostgres(url: string): TestPostgres {
  const made: string[] = [];
  const notOurs = async (): Promise<never> => {
    throw new Error('this PostgreSQL is shared: a test may not restart or kill it; pass { spawn: true }');
  };
  return {
    url,
    port: Number(new URL(url).port || 5432),
    owned: false,
    createDatabase: async (prefix) => {
      const created = await createUniqueDatabase(url, prefix);
      made.push(created.name);
      return created.url;
    },
    stop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const name of made.splice(0)) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
    restart: notOurs,
    kill: notOurs,
  };
}

async function spawnPostgres(): Promise<TestPostgres> {
  const bin = await findBinDir();
  const base = await mkdtemp(join(tmpdir(), 'helpline-postgres-'));
  const data = join(base, 'data');
  try {
    // initdb and postgres refuse to run as root: as root they run as the `postgres` user.
    const user = process.getuid?.() === 0 ? await systemUser('postgres') : undefined;
    await mkdir(data, { mode: 0o700 });
    if (user) {
      await chown(base, user.uid, user.gid);
      await chown(data, user.uid, user.gid);
    }
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
      { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C.UTF-8' } },
    );
    const port = await freePort();
    // After a SIGKILL, a backend of the killed server can still hold the shared memory for
    // a moment after its process group is gone from view (seen once under CI load: "pre-existing
    // shared memory block is still in use"); PostgreSQL asks for the old processes to end, so
    // the launch waits for that and tries again rather than failing the restart.
    const launchServer = async (): Promise<ChildProcess> => {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        try {
          return await launch(bin, data, base, port, user);
        } catch (error) {
          const stale = error instanceof Error && error.message.includes('pre-existing shared memory block');
          if (!stale || Date.now() > deadline) throw error;
          await sleep(200);
        }
      }
    };
    let child = await launchServer();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url,
      port,
      owned: true,
      createDatabase: async (prefix) => (await createUniqueDatabase(url, prefix)).url,
      stop: async () => {
        await end(child, 'SIGINT');
        await rm(base, { recursive: true, force: true });
      },
      restart: async () => {
        await end(child, 'SIGINT');
        child = await launchServer();
      },
      kill: async () => {
        await end(child, 'SIGKILL');
      },
    };
  } catch (error) {
    await rm(base, { recursive: true, force: true });
    throw error;
  }
}

async function findBinDir(): Promise<string> {
  const candidates = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  // Newest installed version first.
  for (const v of versions.sort((a, b) => Number(b) - Number(a))) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  for (const dir of candidates) {
    const found = await Promise.all(
      ['initdb', 'postgres'].map((b) =>
        access(join(dir, b)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (found.every(Boolean)) return dir;
  }
  throw new Error(POSTGRES_MISSING_MESSAGE);
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return { uid, gid };
  } catch (error) {
    throw new Error(
      `running as root, PostgreSQL needs the non-root user "${name}" (Debian's postgresql package makes it)`,
      {
        cause: error,
      },
    );
  }
}

async function launch(
  bin: string,
  data: string,
  socketDir: string,
  port: number,
  user: { uid: number; gid: number } | undefined,
): Promise<ChildProcess> {
  const args = ['-D', data, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1'];
  // fsync off: a killed server keeps what it wrote (the OS still has it); only a machine
  // crash would lose data, which tests do not simulate. Commits stay synchronous.
  args.push('-c', 'fsync=off', '-c', 'max_connections=200');
  // detached: its own process group, so kill() ends the backends with the postmaster.
  const child = spawn(join(bin, 'postgres'), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(user ?? {}),
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  track(child);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child))
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}`);
    if (await answers(url, 1_000)) return child;
    await sleep(50);
  }
  await end(child, 'SIGKILL');
  throw new Error(`postgres did not answer on port ${port} within ${READY_TIMEOUT_MS} ms:\n${output}`);
}

async function createUniqueDatabase(serverUrl: string, prefix: string): Promise<{ name: string; url: string }> {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'test';
  const name = `${clean}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** Whether a server at `url` accepts a connection and answers SELECT 1 within the deadline. */
async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGINT is PostgreSQL's fast shutdown; SIGKILL goes to the whole process group. */
async function end(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const gone = once(child, 'exit');
  const pid = child.pid;
  const kill = (s: NodeJS.Signals): void => {
    try {
      process.kill(s === 'SIGKILL' ? -pid : pid, s);
    } catch {
      // already gone
    }
  };
  kill(signal);
  const escalate = setTimeout(() => kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await gone;
  } finally {
    clearTimeout(escalate);
  }
  // Backends notice the postmaster's death on their own; wait until the group is gone so a
  // restart can take the port and the shared memory again.
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(25);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Servers still running when the test process exits are killed with it, backends included.
const running = new Set<ChildProcess>();
function killAll(): void {
  for (const child of running) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
function track(child: ChildProcess): void {
  if (running.size === 0) process.on('exit', killAll);
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killAll);
  });
}
