import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, Producer, Redis } from '@helpline/runtime';
import type { BroadcastContent } from './broadcast-message.js';
import type { BroadcastStore } from './broadcast-store.js';
import { cancelBroadcast } from './cancel-broadcast.js';
import { createCancelFlags } from './cancel-flags.js';
import { handOut } from './hand-out.js';
import { reconcileStale } from './reconcile-recipients.js';
import type { SendPacer } from './send-pacer.js';
import type { WindowClient } from './window-client.js';

export { failureOf } from './recipient-job.js';

export interface DispatcherDeps {
  store: BroadcastStore;
  outbound: Producer<'outbound'>;
  pacer: SendPacer;
  windows: WindowClient;
  /** Where a cancel is flagged for every replica's dispatcher at once. */
  redis: Redis;
  keyPrefix: string;
  clock: () => Date;
  logger: Logger;
  /** A recipient handed out this long ago and not heard of is looked up in the queue. */
  staleAfterMs?: number;
  /** Recipients taken per claim. */
  batchSize?: number;
  onHanded?: (count: number) => void;
}

export interface Dispatcher {
  /** One pass over the running broadcasts: hands out what the pace allows. Returns how many. */
  tick(signal?: AbortSignal): Promise<number>;
  /** Settles recipients whose job ended without an event (failed sends, a lost hand-out). */
  reconcile(): Promise<number>;
  /** Cancels a broadcast: flags it, withdraws its unsent jobs. */
  cancel(id: string): Promise<{ found: boolean; withdrawn: number }>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Hands broadcast recipients to the gateway's `outbound` queue at the shared pace, in
 * order, from every replica at once (claims in PostgreSQL never overlap): a loop of ticks
 * (claim, hand out: `hand-out.ts`), with a reconcile pass now and then
 * (`reconcile-recipients.ts`). The gateway then sends each (or skips it for opt-out or
 * missing consent) and its events fill in the report.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { store, clock, logger } = deps;
  const batchSize = deps.batchSize ?? Math.max(10, Math.min(200, Math.ceil(deps.pacer.perSecond)));
  const staleAfterMs = deps.staleAfterMs ?? 60_000;
  const steps = { ...deps, cancelled: createCancelFlags(deps.redis, deps.keyPrefix) };
  let loop: Promise<void> | undefined;
  let abort: AbortController | undefined;

  async function tick(signal?: AbortSignal): Promise<number> {
    let handed = 0;
    for (const broadcast of await store.due(clock())) {
      const batch = await store.claim(broadcast.id, batchSize, clock());
      if (batch.length === 0) continue;
      const n = await handOut(steps, broadcast.id, broadcast.content as BroadcastContent, batch, signal);
      deps.onHanded?.(n);
      handed += n;
    }
    await store.finish(clock());
    return handed;
  }

  const reconcile = () => reconcileStale(steps, staleAfterMs);

  async function run(signal: AbortSignal): Promise<void> {
    let lastReconcile = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const handed = await tick(signal);
        if (Date.now() - lastReconcile > Math.min(staleAfterMs, 15_000)) {
          lastReconcile = Date.now();
          await reconcile();
        }
        failures = 0;
        if (handed === 0) await sleep(500, undefined, { signal });
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        if (failures === 1 || failures % 20 === 0)
          logger.warn({ err: error, failures }, 'broadcast dispatch failed; retrying');
        await sleep(Math.min(250 * 2 ** Math.min(failures, 5), 10_000), undefined, { signal }).catch(() => undefined);
      }
    }
  }

  return {
    tick,
    reconcile,
    cancel: (id) => cancelBroadcast(steps, id),
    start() {
      if (loop) return;
      abort = new AbortController();
      loop = run(abort.signal).catch(() => undefined);
    },
    async stop() {
      abort?.abort();
      await loop;
      loop = undefined;
    },
  };
}
