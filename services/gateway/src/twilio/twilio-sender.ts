import { PermanentError, type SharedRate } from '@helpline/runtime';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import type { RecipientPacer } from '../cloud/recipient-pacer.js';
import type { SendErrorLog } from '../cloud/send-error-log.js';
import type { DocumentUrlSigner } from '../media/signed-document-urls.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ChannelSender } from '../outbound/channel-sender.js';
import { createSendFlow } from '../outbound/send-flow.js';
import type { TemplateBook } from '../templates/templates-file.js';
import type { WindowTemplate } from '../templates/window-fallback.js';
import type { BodyParts } from './body-parts.js';
import type { NumberedOptions } from './numbered-options.js';
import type { TwilioClient } from './twilio-client.js';
import type { ContentCatalog } from './twilio-content.js';
import { createTwilioFailureHandler, TWILIO_PAUSE_KEY } from './twilio-failure.js';
import { createTwilioPlans } from './twilio-plans.js';
import { createTwilioPost } from './twilio-post.js';

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

/**
 * The Twilio sender: window check (a free-form message outside 24 h goes as its purpose's
 * template through `ContentSid` at once), the channel-wide pause a 429 asked for, the send
 * rate, the Messages API call (twilio-post.ts), then the error policy (twilio-failure.ts).
 * Buttons and lists go as numbered text and the numbers are remembered for the customer's
 * answer.
 */
export function createTwilioSender(deps: TwilioSenderDeps): ChannelSender {
  const maxInlineWaitMs = deps.maxInlineWaitMs ?? 10_000;
  const flow = createSendFlow({ ...deps, channel: 'twilio' });
  const plans = createTwilioPlans(deps);
  const post = createTwilioPost(deps, plans);
  const handleFailure = createTwilioFailureHandler(deps, flow, plans, post);

  return {
    async send(original, log) {
      // Twilio has no read receipt or typing indicator in its Messages API: nothing to send.
      if (original.content.kind === 'mark_read') {
        log.debug('read receipts are not sent on Twilio');
        return {};
      }
      const message = await flow.inWindow(
        original,
        plans.asTemplate,
        log,
        'outside the 24-hour window: sending the template',
      );
      const wait = await deps.pause.waitMs(TWILIO_PAUSE_KEY);
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
