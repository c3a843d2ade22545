import { join } from 'node:path';
import { answersPing, launchRedisServer, RedisServerMissingError } from '@helpline/redis-server';

export { answersPing } from '@helpline/redis-server';

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
  try {
    const server = await launchRedisServer({
      bin: env.REDIS_SERVER_BIN ?? 'redis-server',
      host: address.host,
      port: address.port,
      dir: join(dataDir, 'redis'),
      appendOnly: 'everysec',
      readyTimeoutMs: 10_000,
    });
    return { url, source: 'started redis-server', stop: () => server.stop('SIGTERM') };
  } catch (error) {
    if (error instanceof RedisServerMissingError) throw new Error(REDIS_MISSING);
    throw error;
  }
}
