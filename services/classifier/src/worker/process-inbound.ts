import type { Classification, InboundMessage, InboundType } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { Job } from 'bullmq';
import type { Assistant, AssistantAnswer } from '../assistant/assistant.js';
import type { BurstGate } from '../burst/burst-gate.js';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { AskToWrite, Router, RoutingOutcome } from '../routing/route-message.js';
import type { VoiceNotes } from '../voice/voice-notes.js';
import { classifyMessage } from './classify-message.js';
import { gatherBurst } from './gather-burst.js';
import { saved } from './job-progress.js';

/**
 * Types that are not something a person asked: a reaction, a deleted or edited message, a
 * system notice. They get no classification and, above all, no acknowledgement.
 */
const SILENT_TYPES: ReadonlySet<InboundType> = new Set(['reaction', 'revoke', 'edit', 'system']);

export type InboundResult =
  | { skipped: InboundType }
  | { voiceNote: 'no_provider' | 'failed'; routing: RoutingOutcome }
  /** Joined the burst another message of the chat leads: that message answers for both. */
  | { burst: 'joined'; leader: string }
  | {
      classification: Classification;
      source: Classification['source'];
      reused: boolean;
      routing: RoutingOutcome;
      answer?: AssistantAnswer;
      /** The ids of the messages answered together (a burst), in order. */
      burst?: string[];
    };

export interface InboundDeps {
  assistant: Assistant;
  voiceNotes: VoiceNotes;
  burst: BurstGate;
  askToWrite: AskToWrite;
  route: Router;
  metrics: ClassifierMetrics;
}

/**
 * One inbound message: classify, then route. The classification is saved on the job before
 * routing, so a retried job (Redis hiccup while enqueueing) routes the same way again and
 * its idempotent job ids add nothing twice, instead of asking an LLM that might now answer
 * differently and open a second kind of work.
 */
export function createInboundProcessor(deps: InboundDeps) {
  return async function processInbound(
    received: InboundMessage,
    job: Job | undefined,
    logger: Logger,
    /** The attempt's lock token: lets a burst's leader wait without holding its slot. */
    token?: string,
  ): Promise<InboundResult> {
    let message = received;
    if (SILENT_TYPES.has(message.type)) {
      deps.metrics.routing.inc({ action: 'skipped' });
      logger.debug({ type: message.type }, 'nothing to classify');
      return { skipped: message.type };
    }
    const kept = saved(job);
    let classification = kept.classification;
    let answer = kept.answer;
    let transcript = kept.transcript;
    let burst = kept.burst;
    let ownAccount = kept.ownAccount ?? false;
    const reused = classification !== undefined;
    if (!classification && !burst) {
      const gathered = await gatherBurst(deps, message, job, logger, token);
      if ('leader' in gathered) return { burst: 'joined', leader: gathered.leader };
      burst = gathered.burst;
    }
    if (burst) message = { ...message, text: burst.text };
    if (!classification && deps.voiceNotes.needsHearing(message)) {
      const language = message.customer?.language;
      const heard = await deps.voiceNotes.hear(message, language);
      if (heard.kind !== 'transcribed') {
        const routing = await deps.askToWrite(
          message,
          language ?? 'es',
          heard.kind === 'no_provider' ? 'voice_unsupported' : 'voice_failed',
        );
        logger.info({ voiceNote: heard.kind, action: routing.action }, 'voice note not heard: asked to write');
        return { voiceNote: heard.kind, routing };
      }
      transcript = heard.text;
      logger.info({ voiceNote: 'transcribed', provider: heard.provider, chars: transcript.length }, 'voice note heard');
    }
    // A voice note is handled as the words it says.
    const text = transcript ?? message.text;
    if (!classification) {
      const result = await classifyMessage(deps.assistant, { message, text, transcript }, logger);
      classification = result.classification;
      answer = result.answer;
      ownAccount = result.ownAccount;
      // Everything a retry needs to route the same way: the burst's text, the transcript, the answer.
      await job?.updateProgress({
        classification,
        ...(answer ? { answer } : {}),
        ...(transcript ? { transcript } : {}),
        ...(burst ? { burst } : {}),
        ...(ownAccount ? { ownAccount } : {}),
      });
    }
    const routing = await deps.route({ ...message, text }, classification, logger, {
      ...(answer ? { answer } : {}),
      ...(transcript ? { transcript } : {}),
      ownAccount,
    });
    logger.info({ action: routing.action, jobs: routing.jobs }, 'routed');
    return {
      classification,
      source: classification.source,
      reused,
      routing,
      ...(answer ? { answer } : {}),
      ...(burst ? { burst: burst.ids } : {}),
    };
  };
}

export type InboundProcessor = ReturnType<typeof createInboundProcessor>;
