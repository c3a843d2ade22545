import type { OutboundMessage } from '@helpline/contracts';
import { ERRORS, isPermanentError, type Logger, type SharedRate } from '@helpline/runtime';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ChannelSender } from '../outbound/channel-sender.js';
import { asTemplateMessage, createSendFlow, windowClosed } from '../outbound/send-flow.js';
import { SendRetryError } from '../outbound/send-retry-error.js';
import type { ConversationWindow } from './conversation-window.js';
import { resolveDocumentReference } from './document-reference.js';
import type { DocumentSource } from './document-source.js';
import type { GraphClient } from './graph-client.js';
import { decideOnSendError } from './graph-error-policy.js';
import { graphMessageBody } from './graph-message-body.js';
import type { RecipientPacer } from './recipient-pacer.js';
import type { SendErrorLog } from './send-error-log.js';
import { createTemplateBook, type TemplateBook } from '../templates/templates-file.js';
import { type WindowTemplate, windowFallbackFor } from '../templates/window-fallback.js';

/** The template sent outside the 24-hour window: `name` or `name:language`. */
export type { WindowTemplate };

export function parseWindowTemplate(value: string | undefined): WindowTemplate | undefined {
  if (!value) return undefined;
  const [name, language] = value.split(':');
  return name ? { name: name.trim(), language: language?.trim() || 'es' } : undefined;
}

export interface CloudSenderDeps {
  graph: GraphClient;
  window: ConversationWindow;
  rateLimiter: SharedRate;
  pacer: RecipientPacer;
  errorLog: SendErrorLog;
  metrics: GatewayMetrics;
  clock: () => Date;
  /** WHATSAPP_WINDOW_TEMPLATE: the last resort outside the window. */
  windowTemplate?: WindowTemplate;
  /** Where documents sent by reference (`content.ref`) are fetched from before their upload. */
  documents?: DocumentSource;
  /** WHATSAPP_TEMPLATES_FILE: the purpose's template (or `reply_window`) outside the window. */
  templates?: TemplateBook;
  /**
   * How long to hold back after a pair rate limit (131056). Meta allows about one message
   * every 6 seconds to one user in a burst.
   */
  pairPauseMs?: number;
  /** A paced recipient's wait up to this is slept through; longer waits retry the job later. */
  maxInlineWaitMs?: number;
}

export { SendRetryError };

/**
 * The Cloud API sender: window check (free-form outside 24 h goes as the template at
 * once), per-recipient pacing, the global rate, then the Graph call and the error policy.
 */
export function createCloudSender(deps: CloudSenderDeps): ChannelSender {
  const pairPauseMs = deps.pairPauseMs ?? 6_000;
  const maxInlineWaitMs = deps.maxInlineWaitMs ?? 10_000;
  const { metrics } = deps;
  const flow = createSendFlow({ ...deps, channel: 'cloud' });

  const templates = deps.templates ?? createTemplateBook();

  /**
   * The message as a template: its purpose's (or the generic reply_window's) from
   * WHATSAPP_TEMPLATES_FILE with its parameters, else WHATSAPP_WINDOW_TEMPLATE.
   */
  function asTemplate(message: OutboundMessage, why: string): OutboundMessage {
    const fallback = windowFallbackFor(message, templates, deps.windowTemplate);
    if (!fallback)
      throw windowClosed(why, 'neither WHATSAPP_TEMPLATES_FILE nor WHATSAPP_WINDOW_TEMPLATE gives a template');
    return asTemplateMessage(message, fallback);
  }

  async function post(original: OutboundMessage, log: Logger): Promise<{ messageId?: string }> {
    const started = performance.now();
    try {
      const message = await resolveDocumentReference(original, deps, log);
      const result = await deps.graph.sendMessage(graphMessageBody(message));
      metrics.messagesSent.inc({ channel: 'cloud', outcome: 'sent', code: 'none' });
      log.info({ messageId: result.messageId, kind: message.content.kind, purpose: message.purpose }, 'message sent');
      return result;
    } finally {
      metrics.sendDuration.observe({ channel: 'cloud' }, (performance.now() - started) / 1000);
    }
  }

  async function handleFailure(error: unknown, message: OutboundMessage, log: Logger): Promise<{ messageId?: string }> {
    const decision = decideOnSendError(error);
    const text = await flow.recordFailure(decision.code, error);
    switch (decision.action) {
      case 'window_template': {
        if (message.content.kind === 'template') break;
        const fallback = {
          code: decision.code,
          reason: 'meta_131047',
          said: 'outside the 24-hour window: sending the window template instead',
        };
        const template = () => asTemplate(message, 'Meta reports the 24-hour window closed');
        return flow.templateInstead(template, post, handleFailure, log, fallback);
      }
      case 'pace_recipient':
        await deps.pacer.pause(message.to, pairPauseMs);
        log.warn(
          { code: decision.code, pauseMs: pairPauseMs },
          'pair rate limit: pacing this recipient, retrying later',
        );
        return flow.retry(decision.code, text, error);
      case 'retry':
        log.warn({ code: decision.code, err: error }, 'send failed; it will be retried');
        return flow.retry(decision.code, text, error);
      case 'fail':
        break;
    }
    // Meta's refusal is `graph_refused` with Meta's number as its providerCode; an error
    // raised before the call (a document by reference) keeps its own code.
    return flow.fail(
      decision.code,
      isPermanentError(error) ? error.code : ERRORS.graph_refused.code,
      text,
      error,
      log,
      'send refused by the Graph API; not retried',
    );
  }

  return {
    async send(original, log) {
      const message = await flow.inWindow(
        original,
        asTemplate,
        log,
        'outside the 24-hour window: sending the window template',
      );
      const wait = message.content.kind === 'mark_read' ? 0 : await deps.pacer.waitMs(message.to);
      await flow.holdBackThenAcquire(wait, maxInlineWaitMs, `recipient paced for ${wait} ms after a pair rate limit`);
      try {
        return await post(message, log);
      } catch (error) {
        return handleFailure(error, message, log);
      }
    },
  };
}
