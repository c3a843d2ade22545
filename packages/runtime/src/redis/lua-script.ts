import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LuaScript {
  /** The SHA1 Redis knows the script by. */
  readonly sha: string;
  run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/**
 * A Lua script called by its SHA1 (EVALSHA), so that the hot path (every webhook message,
 * every send) does not ship the script's text each time; loaded with EVAL on NOSCRIPT
 * (a fresh or restarted Redis).
 */
export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    sha,
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}
