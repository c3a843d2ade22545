import { type Redis, createSharedRate } from '@helpline/runtime';
import { parseWindowTemplate } from '../cloud/cloud-sender.js';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import { createRecipientPacer } from '../cloud/recipient-pacer.js';
import type { SendErrorLog } from '../cloud/send-error-log.js';
import type { GatewayConfig } from '../config.js';
import type { DocumentUrlSigner } from '../media/signed-document-urls.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ChannelSender } from '../outbound/channel-sender.js';
import type { TemplateBook } from '../templates/templates-file.js';
import { createBodyParts } from './body-parts.js';
import type { NumberedOptions } from './numbered-options.js';
import { createTwilioClient, type TwilioClient } from './twilio-client.js';
import { twilioSendSettings } from './twilio-config.js';
import { createContentCatalog } from './twilio-content.js';
import { createTwilioSender } from './twilio-sender.js';

export interface TwilioChannelDeps {
  config: GatewayConfig;
  /** The worker connection: a send waits out a Redis blip rather than failing. */
  redis: Redis;
  keyPrefix: string;
  /** The Twilio number's own 24-hour windows. */
  window: ConversationWindow;
  options: NumberedOptions;
  templates: TemplateBook;
  errorLog: SendErrorLog;
  metrics: GatewayMetrics;
  clock: () => Date;
  /** A client of the test's; made from the config otherwise. */
  client?: TwilioClient;
  /** Signs the public URLs Twilio downloads statements from (DOCUMENT_URL_SECRET). */
  documentUrls?: DocumentUrlSigner;
}

export interface TwilioChannel {
  /** Absent while Twilio is not configured. */
  client?: TwilioClient;
  sender?: ChannelSender;
}

/** The Twilio channel: the Messages API client and its sender, when the SID, token and number are set. */
export function buildTwilioChannel(deps: TwilioChannelDeps): TwilioChannel {
  const { config } = deps;
  const keyPrefix = `${deps.keyPrefix}:twilio`;
  const settings = twilioSendSettings(config);
  if (!settings) return {};
  const client =
    deps.client ??
    createTwilioClient({ apiUrl: settings.apiUrl, accountSid: settings.accountSid, authToken: settings.authToken });
  const sender = createTwilioSender({
    client,
    from: settings.whatsappNumber,
    statusCallbackUrl: settings.statusCallbackUrl,
    window: deps.window,
    rateLimiter: createSharedRate(deps.redis, `${keyPrefix}:rate`, config.WHATSAPP_SEND_RATE),
    pause: createRecipientPacer(deps.redis, keyPrefix),
    options: deps.options,
    bodyParts: createBodyParts(deps.redis, keyPrefix),
    ...(config.TWILIO_INTERACTIVE === 'content'
      ? {
          content: createContentCatalog({
            apiUrl: config.TWILIO_CONTENT_API_URL,
            accountSid: settings.accountSid,
            authToken: settings.authToken,
            redis: deps.redis,
            keyPrefix,
          }),
        }
      : {}),
    templates: deps.templates,
    ...(deps.documentUrls ? { documentUrls: deps.documentUrls } : {}),
    windowTemplate: parseWindowTemplate(config.WHATSAPP_WINDOW_TEMPLATE),
    errorLog: deps.errorLog,
    metrics: deps.metrics,
    clock: deps.clock,
  });
  return { client, sender };
}
