// Media and documents as the gateway reaches them: each channel's inbound media with its own
// credentials (which stay here), and the statements other services made, by reference.
import { createServiceDocumentSource, type DocumentSource } from '../cloud/document-source.js';
import type { GatewayConfig } from '../config.js';
import { twilioConfigured } from '../config.js';
import { createTwilioMediaSource } from '../twilio/twilio-media.js';
import { createCloudMediaSource } from './cloud-media-source.js';
import type { MediaChannel, MediaSource } from './media-source.js';
import { createDocumentUrlSigner, type DocumentUrlSigner } from './signed-document-urls.js';

/** Inbound media (GET /api/media) per configured channel; those given (tests) are kept. */
export function buildMediaSources(
  config: GatewayConfig,
  given: Partial<Record<MediaChannel, MediaSource>> = {},
): Partial<Record<MediaChannel, MediaSource>> {
  const mediaSources: Partial<Record<MediaChannel, MediaSource>> = { ...given };
  if (!mediaSources.cloud && config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID) {
    mediaSources.cloud = createCloudMediaSource({
      baseUrl: config.GRAPH_API_URL,
      version: config.GRAPH_API_VERSION,
      phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
      accessToken: config.WHATSAPP_ACCESS_TOKEN,
      maxBytes: config.MEDIA_MAX_BYTES,
    });
  }
  if (!mediaSources.twilio && twilioConfigured(config)) {
    mediaSources.twilio = createTwilioMediaSource({
      apiUrl: config.TWILIO_API_URL,
      accountSid: config.TWILIO_ACCOUNT_SID!,
      authToken: config.TWILIO_AUTH_TOKEN!,
      maxBytes: config.MEDIA_MAX_BYTES,
    });
  }
  return mediaSources;
}

/**
 * Statements by reference: fetched from the service that made them (operator token); for
 * Twilio, offered at a signed, expiring public URL of this gateway, which fetches them so.
 * No signer without DOCUMENT_URL_SECRET and a public base URL.
 */
export function buildDocumentAccess(
  config: GatewayConfig,
  clock: () => Date,
): { documents: DocumentSource; documentUrls?: DocumentUrlSigner } {
  const documents = createServiceDocumentSource({
    urls: { accounts: config.ACCOUNTS_URL },
    ...(config.API_TOKEN ? { token: config.API_TOKEN } : {}),
  });
  const publicBaseUrl =
    config.PUBLIC_BASE_URL ?? (config.TWILIO_WEBHOOK_URL ? new URL(config.TWILIO_WEBHOOK_URL).origin : undefined);
  if (!config.DOCUMENT_URL_SECRET || !publicBaseUrl) return { documents };
  const documentUrls = createDocumentUrlSigner({
    secret: config.DOCUMENT_URL_SECRET,
    publicBaseUrl,
    ttlSeconds: config.DOCUMENT_URL_TTL_SECONDS,
    clock,
  });
  return { documents, documentUrls };
}
