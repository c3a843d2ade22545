import { jobIds, type OutboundMessage } from '@helpline/contracts';
import { ERRORS, type Logger, PermanentError, type SharedRate } from '@helpline/runtime';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import type { RecipientPacer } from '../cloud/recipient-pacer.js';
import type { SendErrorLog } from '../cloud/send-error-log.js';
import type { DocumentUrlSigner } from '../media/signed-document-urls.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ChannelSender } from '../outbound/channel-sender.js';
import { asTemplateMessage, createSendFlow, windowClosed } from '../outbound/send-flow.js';
import type { TemplateBook } from '../templates/templates-file.js';
import { type WindowTemplate, windowFallbackFor } from '../templates/window-fallback.js';
import type { BodyParts } from './body-parts.js';
import { ContentApiError, type ContentCatalog } from './twilio-content.js';
import { splitBody, TWILIO_MAX_BODY } from './long-body.js';
import type { NumberedOptions } from './numbered-options.js';
import type { TwilioClient } from './twilio-client.js';
import { decideOnTwilioError } from './twilio-error-policy.js';
import { type MessageForm, type TwilioMessagePlan, twilioMessagePlan } from './twilio-message-form.js';

export interface TwilioSenderDeps {
  client: TwilioClient;
  /** TWILIO_WHATSAPP_NUMBER, E.164. */
  from: string;
  /** Where Twilio posts the message's statuses; the outbound job id is added as `job`. */
  statusCallbackUrl?: string;
  /** The Twilio number's own 24-hour windows (another number than the Cloud API's). */
  window: ConversationWindow;
  rateLimiter: SharedRate;
  /** Holds every Twilio send back after a 429 that named its Retry-After (key `all`). */
  pause: RecipientPacer;
  options: NumberedOptions;
  /** The parts of a long text already sent, per job (texts over Twilio's 1 600 characters). */
  bodyParts: BodyParts;
  templates: TemplateBook;
  /** Signs public URLs for documents by reference (statements); absent: they cannot go over Twilio. */
  documentUrls?: DocumentUrlSigner;
  /**
   * TWILIO_INTERACTIVE=content: buttons and lists go as Content API quick replies and list
   * pickers; absent, or when the Content API fails, as numbered text.
   */
  content?: ContentCatalog;
  windowTemplate?: WindowTemplate;
  errorLog: SendErrorLog;
  metrics: GatewayMetrics;
  clock: () => Date;
  /** A pause up to this is slept through; a longer one retries the job later. */
  maxInlineWaitMs?: number;
}

/** The key of the channel-wide pause in the pacer. */
const ALL = 'all';

/** The status callback URL for one message: the job id rides in the query, signed with the rest. */
export function statusCallbackFor(base: string | undefined, message: OutboundMessage): string | undefined {
  if (!base) return undefined;
  const url = new URL(base);
  url.searchParams.set('job', jobIds.outbound(message.correlationId, message.purpose));
  return url.toString();
}

/**
 * The Twilio sender: window check (a free-form message outside 24 h goes as its purpose's
 * template through `ContentSid` at once), the channel-wide pause a 429 asked for, the send
 * rate, the Messages API call, then the error policy. Buttons and lists go as numbered
 * text and the numbers are remembered for the customer's answer.
 */
export function createTwilioSender(deps: TwilioSenderDeps): ChannelSender {
  const { metrics } = deps;
  const maxInlineWaitMs = deps.maxInlineWaitMs ?? 10_000;
  const flow = createSendFlow({ ...deps, channel: 'twilio' });

  function asTemplate(message: OutboundMessage, why: string): OutboundMessage {
    const fallback = windowFallbackFor(message, deps.templates, deps.windowTemplate);
    const sid = fallback && (fallback.contentSid ?? deps.templates.contentSidFor(fallback.name, fallback.language));
    if (!fallback || !sid) {
      throw windowClosed(why, 'no template with a Twilio Content SID applies (WHATSAPP_TEMPLATES_FILE)');
    }
    return asTemplateMessage(message, fallback);
  }

  function plan(message: OutboundMessage): TwilioMessagePlan {
    return twilioMessagePlan(message, {
      from: deps.from,
      statusCallback: statusCallbackFor(deps.statusCallbackUrl, message),
      contentSidFor: (name, language) => deps.templates.contentSidFor(name, language),
      ...(deps.documentUrls ? { documentUrl: deps.documentUrls.urlFor } : {}),
    });
  }

  async function call(form: MessageForm): Promise<{ messageId?: string }> {
    const started = performance.now();
    try {
      return await deps.client.sendMessage(form);
    } finally {
      metrics.sendDuration.observe({ channel: 'twilio' }, (performance.now() - started) / 1000);
    }
  }

  /**
   * A text over Twilio's limit goes as several messages, in order. Each part sent is
   * recorded, so a retry sends only the rest; only the last part names the status callback,
   * so the job counts as sent once the whole text is out. Resolves with the last part's SID,
   * whose statuses the delivery record follows.
   */
  async function callInParts(
    message: OutboundMessage,
    form: MessageForm,
    body: string,
  ): Promise<{ messageId?: string }> {
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    const parts = splitBody(body);
    const done = await deps.bodyParts.sent(jobId);
    let messageId = done.at(-1);
    for (let i = done.length; i < parts.length; i++) {
      const last = i === parts.length - 1;
      const partForm: MessageForm = [
        ...form.filter(([name]) => name !== 'Body' && (last || name !== 'StatusCallback')),
        ['Body', parts[i] ?? ''],
      ];
      const result = await call(partForm);
      messageId = result.messageId;
      await deps.bodyParts.record(jobId, i, result.messageId ?? '');
    }
    return messageId ? { messageId } : {};
  }

  /**
   * Buttons and a list as an interactive Content API message, when that is on: the form
   * with the content's SID in place of the body. Undefined (numbered text goes instead)
   * when the Content API cannot make the content.
   */
  async function interactivePlan(message: OutboundMessage, log: Logger): Promise<TwilioMessagePlan | undefined> {
    const c = message.content;
    if (!deps.content || (c.kind !== 'buttons' && c.kind !== 'list')) return undefined;
    try {
      const sid = await deps.content.sidFor(c, 'es');
      const { form } = plan(message);
      return { form: [...form.filter(([name]) => name !== 'Body'), ['ContentSid', sid]] };
    } catch (error) {
      if (!(error instanceof ContentApiError)) throw error;
      log.warn({ err: error }, 'Content API refused the choices; sending them as numbered text');
      return undefined;
    }
  }

  async function post(message: OutboundMessage, log: Logger): Promise<{ messageId?: string }> {
    const { form, options } = (await interactivePlan(message, log)) ?? plan(message);
    const body = form.find(([name]) => name === 'Body')?.[1];
    const result =
      body !== undefined && body.length > TWILIO_MAX_BODY ? await callInParts(message, form, body) : await call(form);
    metrics.messagesSent.inc({ channel: 'twilio', outcome: 'sent', code: 'none' });
    log.info({ messageId: result.messageId, kind: message.content.kind, purpose: message.purpose }, 'message sent');
    // The numbers of this message answer its choices; any other message retires older ones.
    // Failing here must not fail a message that is out: the numbers then mean nothing.
    const remembered = options ? deps.options.remember(message.to, options) : deps.options.clear(message.to);
    await remembered.catch((error: unknown) => log.warn({ err: error }, 'could not record the numbered choices'));
    return { messageId: result.messageId };
  }

  async function handleFailure(error: unknown, message: OutboundMessage, log: Logger): Promise<{ messageId?: string }> {
    const decision = decideOnTwilioError(error);
    const text = await flow.recordFailure(decision.code, error);
    switch (decision.action) {
      case 'window_template': {
        if (message.content.kind === 'template') break;
        const fallback = {
          code: decision.code,
          reason: `twilio_${decision.code}`,
          said: 'outside the 24-hour window: sending the template instead',
        };
        const template = () => asTemplate(message, 'Twilio reports the 24-hour window closed');
        return flow.templateInstead(template, post, handleFailure, log, fallback);
      }
      case 'retry':
        if (decision.pauseMs !== undefined && decision.pauseMs > 0) await deps.pause.pause(ALL, decision.pauseMs);
        log.warn(
          { code: decision.code, pauseMs: decision.pauseMs, err: error },
          'Twilio send failed; it will be retried',
        );
        return flow.retry(decision.code, text, error);
      case 'recipient_invalid':
        return flow.fail(
          decision.code,
          'recipient_invalid',
          text,
          error,
          log,
          'Twilio refuses the recipient; not retried',
          false,
        );
      case 'fail':
        break;
    }
    // Twilio's number rides beside the fixed code as the refusal's providerCode.
    return flow.fail(
      decision.code,
      ERRORS.twilio_refused.code,
      text,
      error,
      log,
      'send refused by Twilio; not retried',
    );
  }

  return {
    async send(original, log) {
      // Twilio has no read receipt or typing indicator in its Messages API: nothing to send.
      if (original.content.kind === 'mark_read') {
        log.debug('read receipts are not sent on Twilio');
        return {};
      }
      const message = await flow.inWindow(
        original,
        asTemplate,
        log,
        'outside the 24-hour window: sending the template',
      );
      const wait = await deps.pause.waitMs(ALL);
      await flow.holdBackThenAcquire(wait, maxInlineWaitMs, `Twilio sends paused for ${wait} ms after a 429`);
      try {
        return await post(message, log);
      } catch (error) {
        if (error instanceof PermanentError) throw error;
        return handleFailure(error, message, log);
      }
    },
  };
}
