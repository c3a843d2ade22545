import type { Channel, NoticeSkipReason, OutboundMessage } from '@helpline/contracts';
import { CodedError, createWorker, ERRORS, type Logger, PermanentError, type ServiceMetrics } from '@helpline/runtime';
import { DelayedError, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ArrivalLog } from '../latency/arrival-log.js';
import { purposeLabel } from '../latency/reply-purpose.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { startClaimHeartbeat } from './claim-heartbeat.js';
import { type ChannelSender, mayHaveBeenSent, type OutboundObserver } from './channel-sender.js';
import type { ChatChannels } from './chat-channel.js';
import type { NoticeGate } from './notice-gate.js';
import type { SendGuard } from './send-guard.js';

/** What an operator must set to enable each channel, for the failure reason. */
const ENABLE_HINT: Record<Channel, string> = {
  cloud: 'cloud channel disabled: set WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID',
  group: 'group channel disabled: set BAILEYS_ENABLED',
  twilio: 'twilio channel disabled: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER',
};

export interface OutboundWorkerDeps {
  connection: Redis;
  prefix?: string;
  logger: Logger;
  metrics: ServiceMetrics;
  gatewayMetrics: GatewayMetrics;
  /** One sender per enabled channel; a message for a missing one fails for good. */
  senders: Partial<Record<Channel, ChannelSender>>;
  observers: readonly OutboundObserver[];
  /** At most one send per job id (see send-guard.ts). */
  sendGuard: SendGuard;
  /** Notices (`meta.notice`) held back at send time: opted out, or no consent (notice-gate.ts). */
  noticeGate?: NoticeGate;
  /** The chat's channel for a message that follows it (`channelFromChat`, chat-channel.ts). */
  chatChannels?: Pick<ChatChannels, 'resolve'>;
  /** Arrivals of inbound messages, for the end-to-end latency of their replies. */
  arrivals?: ArrivalLog;
  clock?: () => Date;
  concurrency?: number;
  autorun?: boolean;
  /** BullMQ lock and stalled-check timing (tests shorten them); the runtime's defaults otherwise. */
  lockDuration?: number;
  stalledInterval?: number;
}

export type DeliverDeps = Pick<
  OutboundWorkerDeps,
  'senders' | 'observers' | 'sendGuard' | 'gatewayMetrics' | 'arrivals' | 'clock' | 'noticeGate' | 'chatChannels'
>;

export interface OutboundJobResult {
  messageId?: string;
  /** True when this run found the message already sent and sent nothing. */
  duplicate?: boolean;
  /** A notice held back at send time, and why: completed, not retried. */
  skipped?: NoticeSkipReason;
}

/** Another run of the same job holds the send claim: try again later, without sending now. */
export class SendInProgressError extends CodedError {
  constructor(
    readonly jobId: string,
    readonly retryInMs: number,
  ) {
    super(
      ERRORS.send_in_progress,
      `outbound job ${jobId} is being sent by another run; checking again in ${retryInMs} ms`,
    );
    this.name = 'SendInProgressError';
  }
}

/**
 * The message is out but an observer (delivery state, conversation log, a handoff the
 * classifier asked for) failed. Retryable: the job's send guard stays at `sent:`, so the
 * retry sends nothing and tells the observers again.
 */
export class ObserversFailedError extends CodedError {
  constructor(
    readonly messageId: string | undefined,
    readonly failures: number,
    options: { cause?: unknown } = {},
  ) {
    super(
      ERRORS.observers_failed,
      `message ${messageId ?? '(no id)'} was sent, but ${failures} observer(s) failed; telling them again on the retry`,
      options,
    );
    this.name = 'ObserversFailedError';
  }
}

/**
 * Tells every observer at once, each even when another failed (they do not depend on one another),
 * and returns the first failure, if any, with how many failed.
 */
async function tellObservers(
  message: OutboundMessage,
  result: { messageId?: string },
  deps: DeliverDeps,
  log: Logger,
): Promise<{ failures: number; first?: unknown }> {
  // Together, not one after another: their writes leave in one round trip.
  const told = await Promise.allSettled(deps.observers.map(async (observer) => observer.onSent?.(message, result)));
  let failures = 0;
  let first: unknown;
  for (const outcome of told) {
    if (outcome.status === 'fulfilled') continue;
    failures += 1;
    first ??= outcome.reason;
    log.error(
      { err: outcome.reason, messageId: result.messageId },
      'outbound observer failed after the message was sent',
    );
  }
  return { failures, first };
}

/**
 * After a send: tells the observers, then marks the job `observed:`. When one failed the
 * job stays at `sent:` and fails retryably, so that the retry tells them again without
 * sending. Only when the `sent:` mark itself could not be written is the job completed
 * anyway: a retry would then find no mark once the claim expires and send a second time.
 */
async function observeSent(
  message: OutboundMessage,
  jobId: string,
  result: { messageId?: string },
  markedSent: boolean,
  deps: DeliverDeps,
  log: Logger,
): Promise<void> {
  const { failures, first } = await tellObservers(message, result, deps, log);
  if (failures > 0) {
    if (markedSent) throw new ObserversFailedError(result.messageId, failures, { cause: first });
    log.error(
      { messageId: result.messageId },
      'observers failed and the sent mark is missing: not retried, so as not to send twice',
    );
    return;
  }
  await deps.sendGuard.markObserved(jobId, result.messageId).catch((error: unknown) => {
    // Still `sent:`: a later run of the same id tells the observers once more (idempotent).
    log.warn({ err: error }, 'could not mark the outbound job as observed');
  });
}

/**
 * The end-to-end latency of a reply: from its story's inbound message reaching the gateway
 * to this send. Messages with no recorded arrival (a ticket update days later, an operator's
 * message) observe nothing; a read receipt is no reply. A metric: failures are only logged.
 */
async function observeEndToEnd(
  message: OutboundMessage,
  sentAtMs: number,
  deps: DeliverDeps,
  log: Logger,
): Promise<void> {
  if (!deps.arrivals || message.content.kind === 'mark_read') return;
  try {
    const arrived = await deps.arrivals.arrival(message.correlationId);
    if (arrived === undefined) return;
    // Replicas' clocks differ a little: never a negative latency.
    deps.gatewayMetrics.endToEnd.observe(
      { purpose: purposeLabel(message.purpose) },
      Math.max(0, sentAtMs - arrived) / 1000,
    );
  } catch (error) {
    log.warn({ err: error }, 'could not read the arrival of the message this one answers');
  }
}

/**
 * Hands one outbound message to its channel's sender, then tells the observers, under the
 * send guard: the job's claim is taken before the send and turned into `sent:` as soon as
 * the channel took the message, so a re-run of the job (a stalled job re-run while the
 * first run still goes, a worker killed after the send, a retry after an observer failed)
 * never sends it again. A failed send releases the claim: nothing went out, and the retry
 * must send.
 */
export async function deliverOutbound(
  queued: OutboundMessage,
  jobId: string,
  deps: DeliverDeps,
  log: Logger,
): Promise<OutboundJobResult> {
  // Chosen at send time, so the observers and the events name the channel it went on.
  const message = deps.chatChannels ? await deps.chatChannels.resolve(queued) : queued;
  const sender = deps.senders[message.channel];
  if (!sender) throw new PermanentError('channel_disabled', ENABLE_HINT[message.channel]);
  const { sendGuard: guard } = deps;

  const claim = await guard.claim(jobId);
  switch (claim.state) {
    case 'sending':
      throw new SendInProgressError(jobId, claim.retryInMs);
    case 'observed':
      deps.gatewayMetrics.duplicatesAvoided.inc({ channel: message.channel });
      log.info({ messageId: claim.messageId }, 'outbound job already sent; not sending it again');
      return { messageId: claim.messageId, duplicate: true };
    case 'sent': {
      // The run that sent may have died before the observers heard of it: tell them now.
      // They are idempotent (delivery state by HSETNX, log entries by job id).
      deps.gatewayMetrics.duplicatesAvoided.inc({ channel: message.channel });
      log.info(
        { messageId: claim.messageId },
        'outbound job already sent; not sending it again, telling the observers',
      );
      const result = { messageId: claim.messageId };
      await observeSent(message, jobId, result, true, deps, log);
      return { ...result, duplicate: true };
    }
    case 'claimed':
      break;
  }

  // Decided now, with the claim held, not when the notice was queued: an opt-out that came
  // in the meantime holds it back. Skipped is done (the job completes), never retried.
  const skip = deps.noticeGate ? await deps.noticeGate.check(message) : undefined;
  if (skip && deps.noticeGate) {
    try {
      await deps.noticeGate.skipped(message, jobId, skip);
    } finally {
      await guard.release(jobId, claim.token).catch((error: unknown) => {
        log.warn({ err: error }, 'could not release the send claim of a skipped notice');
      });
    }
    log.info({ reason: skip, purpose: message.meta?.notice?.purpose }, 'notice not sent');
    return { skipped: skip };
  }

  // Renewed while this run lives (claim-heartbeat.ts).
  const stopHeartbeat = startClaimHeartbeat(guard, jobId, claim.token, log);

  let result: { messageId?: string };
  try {
    result = await sender.send(message, log);
  } catch (error) {
    stopHeartbeat();
    if (mayHaveBeenSent(error)) {
      // No answer, but the message may be out: the claim is kept until it expires, so the
      // retry waits for it, and the channel's report of the message (Meta's status webhook
      // with its callback data) can mark the job sent before then. Without a report, the
      // retry sends again: a message is never lost to the guard.
      log.warn(
        { err: error, retryAfterMs: guard.claimTtlMs },
        'send ended without an answer; keeping the claim until the channel reports the message or the claim expires',
      );
      throw error;
    }
    await guard.release(jobId, claim.token).catch((releaseError: unknown) => {
      // The claim then expires on its own; the retry waits for it.
      log.warn({ err: releaseError }, 'could not release the send claim after a failed send');
    });
    throw error;
  }
  stopHeartbeat();
  deps.noticeGate?.sent(message);
  const sentAt = (deps.clock ?? (() => new Date()))().getTime();
  const [marked] = await Promise.allSettled([
    guard.markSent(jobId, result.messageId),
    observeEndToEnd(message, sentAt, deps, log),
  ]);
  if (marked.status === 'rejected') {
    // Rethrowing would retry a message that is already out; the claim still blocks other
    // runs until it expires.
    log.error({ err: marked.reason, messageId: result.messageId }, 'could not mark the outbound job as sent');
  }
  await observeSent(message, jobId, result, marked.status === 'fulfilled', deps, log);
  return result;
}

/** The worker on `outbound`: every channel's messages, validated by the runtime first. */
export function createOutboundWorker(deps: OutboundWorkerDeps): Worker<OutboundMessage, OutboundJobResult> {
  return createWorker(
    'outbound',
    async (message, { job, logger }) => {
      try {
        return await deliverOutbound(message, String(job.id), deps, logger);
      } catch (error) {
        if (!(error instanceof SendInProgressError) || !job.token) throw error;
        // Back to `delayed` without spending an attempt: waiting for another run's claim
        // must not exhaust the job's retries and fail a message that was never sent.
        logger.info({ retryInMs: error.retryInMs }, 'another run is sending this job; checking again later');
        await job.moveToDelayed(Date.now() + error.retryInMs, job.token);
        throw new DelayedError(error.message);
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      logger: deps.logger,
      metrics: deps.metrics,
      concurrency: deps.concurrency ?? 8,
      autorun: deps.autorun,
      lockDuration: deps.lockDuration,
      stalledInterval: deps.stalledInterval,
    },
  );
}
