import { randomUUID } from 'node:crypto';
import { compareAndDelete, luaScript, type Redis } from '@helpline/runtime';

// KEYS[1] lease key; ARGV[1] holder id; ARGV[2] lease ms. Returns 1 when the holder keeps
// (or takes back an expired) lease, 0 when another holder has it.
const RENEW = luaScript(`
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`);

export interface SessionLease {
  readonly holderId: string;
  /** SET NX PX: true when this replica now holds the session. */
  acquire(): Promise<boolean>;
  /** Extends the lease; false when another replica holds it now. Rejects when Redis is away. */
  renew(): Promise<boolean>;
  /** Gives the lease up (only if still ours). */
  release(): Promise<void>;
  /** Who holds it now (a holder id), or null. */
  holder(): Promise<string | null>;
}

/**
 * One WhatsApp session may be open at a time: two replicas on the same creds would replace
 * each other's connection (DisconnectReason.connectionReplaced) in a loop. The replica that
 * holds this lease runs the socket; the others wait.
 */
export function createSessionLease(redis: Redis, key: string, leaseMs: number, holderId = randomUUID()): SessionLease {
  return {
    holderId,
    acquire: async () => (await redis.set(key, holderId, 'PX', leaseMs, 'NX')) === 'OK',
    renew: async () => (await RENEW.run(redis, [key], [holderId, String(leaseMs)])) === 1,
    release: async () => {
      await compareAndDelete(redis, key, holderId);
    },
    holder: () => redis.get(key),
  };
}
