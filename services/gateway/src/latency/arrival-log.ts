import type { Redis } from 'ioredis';

/**
 * When each inbound message reached the gateway, by its correlation id (the id every reply
 * to it carries), so the outbound worker can measure the end-to-end latency of a reply.
 */
export interface ArrivalLog {
  /** Keeps the first arrival: a redelivered message keeps the time the customer wrote first. */
  record(correlationId: string, arrivedAtMs: number): Promise<void>;
  /** Milliseconds since the epoch, or undefined when none is recorded (expired, not inbound). */
  arrival(correlationId: string): Promise<number | undefined>;
  /** Drops these messages' arrivals (a data-removal request); returns how many there were. */
  forget(correlationIds: readonly string[]): Promise<number>;
}

/** A day: later replies (a ticket closed next week) are not "the answer" the metric measures. */
export const ARRIVAL_TTL_MS = 24 * 3600_000;

export function createArrivalLog(redis: Redis, keyPrefix: string, ttlMs = ARRIVAL_TTL_MS): ArrivalLog {
  const key = (correlationId: string) => `${keyPrefix}:arrival:${correlationId}`;
  return {
    async record(correlationId, arrivedAtMs) {
      await redis.set(key(correlationId), String(arrivedAtMs), 'PX', ttlMs, 'NX');
    },
    async arrival(correlationId) {
      const value = await redis.get(key(correlationId));
      const ms = value === null ? Number.NaN : Number(value);
      return Number.isFinite(ms) ? ms : undefined;
    },
    async forget(correlationIds) {
      return correlationIds.length > 0 ? redis.del(...correlationIds.map(key)) : 0;
    },
  };
}
