import { baseConfigShape, envBoolean, envInt, envOptionalUrl, envPort, envUrl } from '@helpline/runtime';
import { z } from 'zod';
import { conversationConfigShape } from './conversation/conversation-config.js';
import { groupConfigShape } from './groups/group-config.js';
import { twilioConfigShape } from './twilio/twilio-config.js';

/**
 * The gateway's slice of the environment. Parsed once, in main; tests
 * build the object with `parseGatewayConfig`, which applies the same defaults.
 */
export const gatewayConfigShape = {
  ...baseConfigShape,
  GATEWAY_PORT: envPort(3001),
  /** Group mode (Baileys): BAILEYS_ENABLED, WHATSAPP_GROUP_IDS, ... (src/groups/group-config.ts). */
  ...groupConfigShape,
  /** Cloud API: the channel is disabled (and /health says so) unless both are set. */
  WHATSAPP_ACCESS_TOKEN: z.string().optional(),
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, 'expected the numeric phone number id').optional(),
  /** GET /webhook answers 403 to every verification while it is unset. */
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: z.string().optional(),
  /** POST /webhook answers 503 while it is unset: an unsigned payload is never trusted. */
  META_APP_SECRET: z.string().optional(),
  GRAPH_API_URL: envUrl(['http', 'https'], 'https://graph.facebook.com').default('https://graph.facebook.com'),
  // The latest version in Meta's Graph API changelog (v26.0, July 2026); older ones retire on its schedule.
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'expected a version such as v26.0')
    .default('v26.0'),
  /**
   * Template sent instead of free-form text outside the 24-hour window, as `name` or
   * `name:language` (language defaults to es). Unset: such a message fails permanently.
   */
  WHATSAPP_WINDOW_TEMPLATE: z.string().optional(),
  /**
   * Purpose -> approved template (name, language, parameters, Twilio Content SID), a JSON
   * file validated at start; the window fallback of both channels sends the purpose's.
   */
  WHATSAPP_TEMPLATES_FILE: z.string().optional(),
  /** Twilio as a second one-to-one channel: TWILIO_ACCOUNT_SID, ... (src/twilio/twilio-config.ts). */
  ...twilioConfigShape,
  /** Messages per second to the Graph API across every replica (Redis-backed); Twilio's sends keep the same rate apart. */
  WHATSAPP_SEND_RATE: envInt(80, { min: 1, max: 1000 }),
  /**
   * The silent-loss alarm's quiet period: exported as helpline_inbound_silence_alert_seconds
   * so the Prometheus rule reads it instead of carrying a number of its own.
   */
  INBOUND_SILENCE_ALERT_MINUTES: envInt(120, { min: 5, max: 7 * 24 * 60 }),
  /**
   * The accounts service answers billing, invoices, debt, payment points, plans and password
   * requests (queue `accounts`); false keeps the data file's "not connected to that system yet" answers.
   */
  ACCOUNTS_ENABLED: envBoolean(true),
  /** The accounts service, whose statement PDFs the gateway fetches (with API_TOKEN) and uploads to Meta. */
  ACCOUNTS_URL: envUrl(['http', 'https'], 'http://127.0.0.1:8005').default('http://127.0.0.1:8005'),
  /**
   * The HMAC key of the public, expiring document URLs (GET /public/documents/...) Twilio
   * downloads a statement from. Unset: statements cannot go to Twilio chats.
   */
  DOCUMENT_URL_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  /** Seconds a signed document URL stays valid (Twilio downloads the media when it sends). */
  DOCUMENT_URL_TTL_SECONDS: envInt(900, { min: 60, max: 7 * 24 * 3600 }),
  /** Where the public reaches this gateway (the TLS proxy's origin); unset: TWILIO_WEBHOOK_URL's origin. */
  PUBLIC_BASE_URL: envOptionalUrl(['http', 'https'], 'https://helpline.example.com'),
  /**
   * Largest inbound media GET /api/media serves (413 past it). WhatsApp's own limits: 16 MB
   * for audio and video, 100 MB for documents; a voice note is well under 1 MB.
   */
  MEDIA_MAX_BYTES: envInt(16 * 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
  /** The customer conversation: notice version, handoff timeout, rate limit, log size and age. */
  ...conversationConfigShape,
};

export const gatewayConfigSchema = z.object(gatewayConfigShape);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** The config from a plain record of variables (tests; main uses loadConfigOrExit). */
export function parseGatewayConfig(env: Record<string, string | undefined> = {}): GatewayConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return gatewayConfigSchema.parse(clean);
}

/** Whether the Cloud API can send: both the token and the phone number id are set. */
export function cloudApiConfigured(config: GatewayConfig): boolean {
  return Boolean(config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID);
}

/** Whether Twilio can send: the account SID, the auth token and the WhatsApp number are set. */
export function twilioConfigured(config: GatewayConfig): boolean {
  return Boolean(config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_WHATSAPP_NUMBER);
}
