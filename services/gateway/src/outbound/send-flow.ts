import { isWindowOnlyBroadcast, refuseClosedWindowBroadcast } from './broadcast-window.js';
import type { OutboundMessage } from '@helpline/contracts';
import { CodedError, type Logger, PermanentError, type SharedRate } from '@helpline/runtime';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import { isFreeForm } from '../cloud/graph-message-body.js';
import type { SendErrorLog } from '../cloud/send-error-log.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { graphComponents, type WindowFallback } from '../templates/window-fallback.js';
import { SendRetryError } from './send-retry-error.js';

type SendResult = { messageId?: string };

/** A message as the template a fallback names, with its parameters. */
export function asTemplateMessage(message: OutboundMessage, fallback: WindowFallback): OutboundMessage {
  const components = graphComponents(fallback);
  return {
    ...message,
    content: {
      kind: 'template',
      name: fallback.name,
      language: fallback.language,
      ...(components ? { components } : {}),
    },
  };
}

/** Refused for good: no template applies outside the window. */
export function windowClosed(why: string, what: string): PermanentError {
  return new PermanentError('window_closed', `${why} and ${what}: the message cannot be sent`);
}

/**
 * The steps every channel sender takes around its own provider call, in the same order and
 * with the same metrics: the window check, the hold-back, the send rate, then on failure the
 * error record and the policy's outcome (the template instead, a retry, or a refusal). Each
 * sender keeps what is its own: the call, its error policy, its template rule, its words.
 */
export function createSendFlow(deps: {
  channel: 'cloud' | 'twilio';
  window: ConversationWindow;
  rateLimiter: SharedRate;
  errorLog: SendErrorLog;
  metrics: GatewayMetrics;
  clock: () => Date;
}) {
  const { channel, metrics } = deps;
  return {
    /** A free-form message outside the 24-hour window goes as its template at once. */
    async inWindow(
      message: OutboundMessage,
      asTemplate: (message: OutboundMessage, why: string) => OutboundMessage,
      log: Logger,
      said: string,
    ): Promise<OutboundMessage> {
      if (!isFreeForm(message.content) || (await deps.window.isOpen(message.to, deps.clock()))) return message;
      if (isWindowOnlyBroadcast(message)) refuseClosedWindowBroadcast();
      const template = asTemplate(message, 'the 24-hour window is closed');
      metrics.windowFallbacks.inc({ reason: 'window_closed' });
      log.info({ purpose: template.purpose }, said);
      return template;
    },

    /** Sleeps through a short hold-back; a longer one retries the job later. Then takes a send slot. */
    async holdBackThenAcquire(waitMs: number, maxInlineWaitMs: number, tooLong: string): Promise<void> {
      if (waitMs > maxInlineWaitMs) throw new SendRetryError(tooLong);
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      await deps.rateLimiter.acquire();
    },

    /** Keeps a failed send's code for /api/status (never failing the send itself); returns its text. */
    async recordFailure(code: string, error: unknown): Promise<string> {
      const text = error instanceof Error ? error.message : String(error);
      await deps.errorLog.record({ at: deps.clock().toISOString(), code, message: text }).catch(() => {});
      return text;
    },

    /** The provider says the window is closed: the same message as its template, once (its failure goes to `onFailure`). */
    async templateInstead(
      template: () => OutboundMessage,
      send: (message: OutboundMessage, log: Logger) => Promise<SendResult>,
      onFailure: (error: unknown, message: OutboundMessage, log: Logger) => Promise<SendResult>,
      log: Logger,
      fallback: { code: string; reason: string; said: string },
    ): Promise<SendResult> {
      metrics.messagesSent.inc({ channel, outcome: 'fallback', code: fallback.code });
      metrics.windowFallbacks.inc({ reason: fallback.reason });
      log.warn({ code: fallback.code }, fallback.said);
      const message = template();
      try {
        return await send(message, log);
      } catch (second) {
        return onFailure(second, message, log);
      }
    },

    /** Counted and thrown for the queue to retry with its backoff. */
    retry(code: string, text: string, cause: unknown): never {
      metrics.messagesSent.inc({ channel, outcome: 'retrying', code });
      throw new SendRetryError(text, { cause });
    },

    /**
     * Counted, logged and thrown as refused for good. `logCause` false leaves the provider's
     * error out of the log (a refused recipient's error names the number).
     */
    fail(
      code: string,
      permanentCode: string,
      text: string,
      cause: unknown,
      log: Logger,
      said: string,
      logCause = true,
    ): never {
      metrics.messagesSent.inc({ channel, outcome: 'failed', code });
      log.error(logCause ? { code, err: cause } : { code }, said);
      // The provider's own number (Meta's 131026; `http_<status>` when it gave none) rides
      // beside the fixed code into the job's failed reason, which broadcast reports read.
      // An error raised before the provider call (a PermanentError) has none.
      const providerCode =
        cause instanceof CodedError && !(cause instanceof PermanentError) ? (cause.providerCode ?? code) : undefined;
      throw new PermanentError(permanentCode, text, { cause, ...(providerCode !== undefined ? { providerCode } : {}) });
    },
  };
}
