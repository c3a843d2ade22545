// A send claim kept alive while its run lives: pacing and group throttling may wait longer
// than a claim's TTL before the call itself.
import type { Logger } from '@helpline/runtime';
import type { SendGuard } from './send-guard.js';

/** Renews the job's claim every third of its TTL until the returned stop is called. */
export function startClaimHeartbeat(guard: SendGuard, jobId: string, token: string, log: Logger): () => void {
  const heartbeat = setInterval(
    () => {
      guard.renew(jobId, token).then(
        (held) => {
          if (!held) log.warn('send claim lost while sending (expired or taken over)');
        },
        (error: unknown) => log.warn({ err: error }, 'could not renew the send claim'),
      );
    },
    Math.max(10, Math.floor(guard.claimTtlMs / 3)),
  );
  heartbeat.unref();
  return () => clearInterval(heartbeat);
}
