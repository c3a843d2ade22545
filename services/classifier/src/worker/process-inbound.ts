import { Classification, type InboundMessage, type InboundType } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { Job } from 'bullmq';
import type { ClassifierChain } from '../chain/classifier-chain.js';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { Router, RoutingOutcome } from '../routing/route-message.js';

/**
 * Types that are not something a person asked: a reaction, a deleted or edited message, a
 * system notice. They get no classification and, above all, no acknowledgement.
 */
const SILENT_TYPES: ReadonlySet<InboundType> = new Set(['reaction', 'revoke', 'edit', 'system']);

export type InboundResult =
  | { skipped: InboundType }
  | { classification: Classification; source: Classification['source']; reused: boolean; routing: RoutingOutcome };

export interface InboundDeps {
  chain: ClassifierChain;
  route: Router;
  metrics: ClassifierMetrics;
}

/** Where a classification is kept between attempts of one job (the job's progress object). */
function savedClassification(job: Job | undefined): Classification | undefined {
  const progress = job?.progress as { classification?: unknown } | undefined;
  const parsed = Classification.safeParse(progress?.classification);
  return parsed.success ? parsed.data : undefined;
}

/**
 * One inbound message: classify, then route. The classification is saved on the job before
 * routing, so a retried job (Redis hiccup while enqueueing) routes the same way again and
 * its idempotent job ids add nothing twice, instead of asking an LLM that might now answer
 * differently and open a second kind of work.
 */
export function createInboundProcessor(deps: InboundDeps) {
  return async function processInbound(
    message: InboundMessage,
    job: Job | undefined,
    logger: Logger,
  ): Promise<InboundResult> {
    if (SILENT_TYPES.has(message.type)) {
      deps.metrics.routing.inc({ action: 'skipped' });
      logger.debug({ type: message.type }, 'nothing to classify');
      return { skipped: message.type };
    }
    let classification = savedClassification(job);
    const reused = classification !== undefined;
    if (!classification) {
      const result = await deps.chain.classify({
        text: message.text,
        history: message.history,
        messageType: message.type,
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
        },
        'classified',
      );
      await job?.updateProgress({ classification });
    }
    const routing = await deps.route(message, classification, logger);
    logger.info({ action: routing.action, jobs: routing.jobs }, 'routed');
    return { classification, source: classification.source, reused, routing };
  };
}

export type InboundProcessor = ReturnType<typeof createInboundProcessor>;
