// A message's place in its chat's burst (messages sent in quick succession get one answer):
// a follower is answered by its leader; a leader of several answers their merged text,
// saved on the job so a retry answers the same messages, not a new burst.
import type { InboundMessage } from '@helpline/contracts';
import { deferJob, type Logger } from '@helpline/runtime';
import type { Job } from 'bullmq';
import type { z } from 'zod';
import { type BurstGate, type BurstWait, mergeBurst } from '../burst/burst-gate.js';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { SavedBurst } from './job-progress.js';

/**
 * Waits shorter than this are slept through in the slot. A sleeping leader holds a slot for
 * what is left of its window, so the slots held are about the message rate times the window:
 * under 100 ms that is 20 of the default 32 at 200 messages a second, and sleeping costs
 * nothing, while deferring costs a few Redis scripts and a trip through the delayed set.
 * Longer waits would fill the worker: they are deferred.
 */
const DEFER_FROM_MS = 100;

/**
 * A leader with a job and its lock token gives its worker slot back while its window is
 * open (the job deferred to the window's end), so that waiting leaders never fill the
 * worker: with the window at seconds and slots held, a worker of 32 would answer at most
 * 32 bursts per window. Without a job (a direct call) it sleeps.
 */
function waitOutWindow(job: Job | undefined, token: string | undefined, logger: Logger): BurstWait | undefined {
  if (!job || !token) return undefined;
  return async (ms, until) => {
    if (ms < DEFER_FROM_MS) return new Promise((resolve) => setTimeout(resolve, ms));
    logger.debug({ ms }, 'burst window open: the leader waits deferred');
    return deferJob(job, token, until);
  };
}

export async function gatherBurst(
  deps: { burst: BurstGate; metrics: ClassifierMetrics },
  message: InboundMessage,
  job: Job | undefined,
  logger: Logger,
  token?: string,
): Promise<{ leader: string } | { burst: z.infer<typeof SavedBurst> | undefined }> {
  const gathered = await deps.burst.gather(message, waitOutWindow(job, token, logger));
  if (gathered.role === 'follower') {
    deps.metrics.routing.inc({ action: 'merged' });
    logger.info({ leader: gathered.leader }, 'joined a burst: answered with it');
    return { leader: gathered.leader };
  }
  if (gathered.role === 'leader' && gathered.messages.length > 1) {
    const burst = { ids: gathered.messages.map((m) => m.id), text: mergeBurst(message, gathered.messages).text };
    await job?.updateProgress({ burst });
    logger.info({ messages: burst.ids.length }, 'burst closed: one answer for its messages');
    return { burst };
  }
  return { burst: undefined };
}
