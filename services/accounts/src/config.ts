import { baseConfigShape, envBoolean, envInt, envOptionalUrl, envPort, envRequired, envUrl } from '@helpline/runtime';
import { z } from 'zod';

/**
 * The accounts service's slice of the environment, parsed only in main. The built-in store
 * (`local`) is the default; WispHub runs when asked for, or when both its variables are set.
 */
export const accountsConfigSchema = z
  .object({
    ...baseConfigShape,
    ACCOUNTS_PORT: envPort(8005),
    /** PostgreSQL: the built-in back-office, receipts and statements live in its `accounts` schema. */
    DATABASE_URL: envRequired('a postgres:// URL').pipe(
      envUrl(['postgres', 'postgresql'], 'postgres://user:password@127.0.0.1:5432/helpline'),
    ),
    /** `wisphub` or `local`; when unset, wisphub if WISPHUB_API_URL and WISPHUB_API_KEY are set, local otherwise. */
    BILLING_PROVIDER: z.enum(['wisphub', 'local'], { error: 'expected wisphub or local' }).optional(),
    WISPHUB_API_URL: envOptionalUrl(['http', 'https'], 'https://api.wisphub.net'),
    WISPHUB_API_KEY: z.string().trim().min(1).optional(),
    /** Deadline of each WispHub call, body included. */
    WISPHUB_TIMEOUT_MS: envInt(8_000, { min: 100, max: 120_000 }),
    /** Payment points (name, address, city, hours, latitude, longitude, methods), CSV or JSON; unset: the built-in store's. */
    PAYMENT_POINTS_FILE: z.string().trim().min(1).optional(),
    /** The gateway, whose GET /api/media/:mediaId gives the bytes of a customer's receipt (with API_TOKEN). */
    GATEWAY_URL: envUrl(['http', 'https'], 'http://127.0.0.1:3001').default('http://127.0.0.1:3001'),
    /** Largest receipt accepted, in bytes (WhatsApp sends images up to 5 MB and documents up to 100 MB). */
    RECEIPT_MAX_BYTES: envInt(10 * 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    /** A receipt pending longer than this counts in helpline_receipts_overdue (the alert). */
    RECEIPT_REVIEW_HOURS: envInt(4, { min: 1, max: 24 * 14 }),
    /** How long a document number proven in a chat counts, in hours. */
    IDENTITY_PROOF_HOURS: envInt(24, { min: 1, max: 24 * 30 }),
    /** Wrong document numbers before the customer is offered a person. */
    IDENTITY_MAX_TRIES: envInt(3, { min: 1, max: 10 }),
    /** Dates of payments and due dates are read in this time zone. */
    BUSINESS_TIMEZONE: z
      .string()
      .default('America/Bogota')
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'expected an IANA time zone such as America/Bogota'),
    /** The daily notices (due reminders, overdue, cut-off) and the restored notice; false: none is sent. */
    NOTICES_ENABLED: envBoolean(true),
    /** When the daily notices go out, HH:MM (24 hours) in BUSINESS_TIMEZONE. */
    NOTICE_SEND_TIME: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 hours), such as 09:00')
      .default('09:00'),
    /** The due reminder goes this many days before an invoice's due date. */
    NOTICE_DAYS_BEFORE_DUE: envInt(3, { min: 0, max: 60 }),
    /** Country calling code put before a national (10-digit or shorter) phone of the back-office, for its WhatsApp chat. */
    NOTICE_COUNTRY_CODE: z
      .string()
      .trim()
      .regex(/^\d{1,3}$/, 'expected a country calling code in digits, such as 57')
      .default('57'),
    /** Account requests handled at once by one process. */
    ACCOUNTS_CONCURRENCY: envInt(8, { min: 1, max: 256 }),
    /** The number's messages per second, as the gateway sends at (the same variable, the same value). */
    WHATSAPP_SEND_RATE: envInt(80, { min: 1, max: 1000 }),
    /** The share of WHATSAPP_SEND_RATE broadcasts use, in percent: the rest is kept for replies to customers. */
    BROADCAST_RATE_PERCENT: envInt(80, { min: 1, max: 100 }),
    /** Milliseconds the broadcast report waits after a part-full batch of events, so batches fill under a trickle. */
    BROADCAST_EVENTS_LINGER_MS: envInt(250, { min: 0, max: 10_000 }),
    /** Customers on a router with an outage who wrote within this many hours are told of it. */
    OUTAGE_NOTICE_HOURS: envInt(6, { min: 1, max: 24 }),
    /** Purpose -> approved template (the gateway's file): broadcasts by template purpose. */
    WHATSAPP_TEMPLATES_FILE: z.string().trim().min(1).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.WISPHUB_API_URL && !config.WISPHUB_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['WISPHUB_API_KEY'], message: 'is required when WISPHUB_API_URL is set' });
    }
    if (config.BILLING_PROVIDER === 'wisphub' && !config.WISPHUB_API_URL) {
      ctx.addIssue({ code: 'custom', path: ['WISPHUB_API_URL'], message: 'is required when BILLING_PROVIDER=wisphub' });
    }
  });
export type AccountsConfig = z.infer<typeof accountsConfigSchema>;

export function billingProviderOf(config: AccountsConfig): 'wisphub' | 'local' {
  return config.BILLING_PROVIDER ?? (config.WISPHUB_API_URL && config.WISPHUB_API_KEY ? 'wisphub' : 'local');
}
