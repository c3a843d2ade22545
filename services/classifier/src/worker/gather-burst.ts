// A message's place in its chat's burst (messages sent in quick succession get one answer):
// a follower is answered by its leader; a leader of several answers their merged text,
// saved on the job so a retry answers the same messages, not a new burst.
import type { InboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { Job } from 'bullmq';
import type { z } from 'zod';
import { type BurstGate, mergeBurst } from '../burst/burst-gate.js';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { SavedBurst } from './job-progress.js';

export async function gatherBurst(
  deps: { burst: BurstGate; metrics: ClassifierMetrics },
  message: InboundMessage,
  job: Job | undefined,
  logger: Logger,
): Promise<{ leader: string } | { burst: z.infer<typeof SavedBurst> | undefined }> {
  const gathered = await deps.burst.gather(message);
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
