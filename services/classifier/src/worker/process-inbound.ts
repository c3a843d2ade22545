import { Classification, type InboundMessage, type InboundType } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { Assistant, AssistantAnswer } from '../assistant/assistant.js';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { AskToWrite, Router, RoutingOutcome } from '../routing/route-message.js';
import type { VoiceNotes } from '../voice/voice-notes.js';
import { type BurstGate, mergeBurst } from '../burst/burst-gate.js';

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

const SavedAnswer = z.object({
  kind: z.enum(['answer', 'not_found']),
  text: z.string(),
  source: z.enum(['openai', 'gemini', 'anthropic', 'knowledge']),
  entries: z.array(
    z.object({
      id: z.string(),
      heading: z.string(),
      keywords: z.array(z.string()),
      body: z.string(),
      language: z.enum(['es', 'en']),
      file: z.string(),
    }),
  ),
});

/** Where a classification (and the answer) is kept between attempts of one job (the job's progress object). */
const SavedBurst = z.object({ ids: z.array(z.string()), text: z.string() });

interface Saved {
  classification?: Classification;
  answer?: AssistantAnswer;
  transcript?: string;
  /** A burst this job leads, once closed: a retry answers the same messages, not a new burst. */
  burst?: z.infer<typeof SavedBurst>;
  ownAccount?: boolean;
}

function saved(job: Job | undefined): Saved {
  const progress = job?.progress as Record<string, unknown> | undefined;
  const classification = Classification.safeParse(progress?.classification);
  const answer = SavedAnswer.safeParse(progress?.answer);
  const burst = SavedBurst.safeParse(progress?.burst);
  const transcript = typeof progress?.transcript === 'string' ? progress.transcript : undefined;
  return {
    ...(classification.success ? { classification: classification.data } : {}),
    ...(classification.success && answer.success ? { answer: answer.data } : {}),
    ...(transcript ? { transcript } : {}),
    ...(burst.success ? { burst: burst.data } : {}),
    ...(progress?.ownAccount === true ? { ownAccount: true } : {}),
  };
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
      const gathered = await deps.burst.gather(message);
      if (gathered.role === 'follower') {
        deps.metrics.routing.inc({ action: 'merged' });
        logger.info({ leader: gathered.leader }, 'joined a burst: answered with it');
        return { burst: 'joined', leader: gathered.leader };
      }
      if (gathered.role === 'leader' && gathered.messages.length > 1) {
        burst = { ids: gathered.messages.map((m) => m.id), text: mergeBurst(message, gathered.messages).text };
        await job?.updateProgress({ burst });
        logger.info({ messages: burst.ids.length }, 'burst closed: one answer for its messages');
      }
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
      const result = await deps.assistant.classify({
        text,
        history: message.history,
        // A transcribed voice note reads as text to the models.
        messageType: transcript ? 'text' : message.type,
        ...(message.customer?.language ? { languageHint: message.customer.language } : {}),
      });
      classification = result.classification;
      logger.info(
        {
          source: result.source,
          category: classification.category,
          priority: classification.priority,
          fallbacks: result.attempts.filter((a) => a.outcome === 'passed_over').map((a) => `${a.provider}:${a.reason}`),
          durationMs: result.durationMs,
          ...(result.answer
            ? {
                answer: result.answer.kind,
                answerSource: result.answer.source,
                entries: result.answer.entries.map((e) => e.id),
              }
            : {}),
          ...(result.ownAccount ? { ownAccount: true } : {}),
        },
        'classified',
      );
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
