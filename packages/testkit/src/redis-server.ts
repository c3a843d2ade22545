import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import {
  launchRedisServer,
  RedisServerExitedError,
  RedisServerMissingError,
  type RedisServerProcess,
} from '@helpline/redis-server';

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
  // Every write fsynced when persistence is asked for: chaos tests need a crash to lose
  // nothing that Redis acknowledged.
  const appendOnly = options.appendOnly ? 'always' : 'no';
  const madeDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'helpline-redis-')));
  const launch = (port: number) => launchRedisServer({ bin, port, dir, appendOnly });

  let port = options.port ?? (await freePort());
  let server: RedisServerProcess | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        server = await launch(port);
        break;
      } catch (error) {
        if (error instanceof RedisServerMissingError) throw new Error(REDIS_MISSING_MESSAGE, { cause: error });
        // A free port can be taken between our probe and redis-server's bind; only then
        // is another port worth a try.
        const raced = error instanceof RedisServerExitedError && options.port === undefined && attempt < PORT_ATTEMPTS;
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
      await server?.stop('SIGTERM');
      if (madeDir) await rm(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await server?.stop('SIGTERM');
      server = await launch(port);
    },
    kill: async () => {
      await server?.stop('SIGKILL');
    },
  };
}
