import { envUrl } from '@helpline/runtime';
import { z } from 'zod';

/**
 * Twilio as a second one-to-one channel (issue 18). The channel sends once the account SID,
 * the auth token and the WhatsApp sender number are set; its webhook takes messages once the
 * auth token and the public URL Twilio calls are set.
 */
export const twilioConfigShape = {
  /** The account's SID (`AC` and 32 hex digits): basic-auth user and the `AccountSid` webhooks must carry. */
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'expected an account SID: AC followed by 32 hexadecimal digits')
    .optional(),
  /** Signs Twilio's webhooks (X-Twilio-Signature) and authenticates Messages API calls. */
  TWILIO_AUTH_TOKEN: z.string().min(8, 'expected the account auth token').optional(),
  /** The WhatsApp sender in E.164 (`+15550100000`); messages go `From=whatsapp:{number}`. */
  TWILIO_WHATSAPP_NUMBER: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +15550100000')
    .optional(),
  /**
   * The full public URL Twilio posts incoming messages to, exactly as configured in Twilio
   * (the signature covers it, and a proxy changes what the gateway sees). Status callbacks
   * go to this URL followed by `/status`.
   */
  TWILIO_WEBHOOK_URL: envUrl(['http', 'https'], 'https://helpline.example.com/webhook/twilio').optional(),
  TWILIO_API_URL: envUrl(['http', 'https'], 'https://api.twilio.com').default('https://api.twilio.com'),
  /**
   * How buttons and lists reach a Twilio chat: `text` (numbered lines, answered with the
   * number; any WhatsApp client shows them) or `content` (quick replies and list pickers
   * made through the Content API, numbered text when that fails).
   */
  TWILIO_INTERACTIVE: z.enum(['text', 'content']).default('text'),
  TWILIO_CONTENT_API_URL: envUrl(['http', 'https'], 'https://content.twilio.com').default('https://content.twilio.com'),
};

type TwilioConfigFields = z.infer<z.ZodObject<typeof twilioConfigShape>>;

/** What the Twilio sender needs; absent while any of it is unset. */
export interface TwilioSendSettings {
  accountSid: string;
  authToken: string;
  whatsappNumber: string;
  apiUrl: string;
  /** Where Twilio posts the sent messages' statuses; absent without TWILIO_WEBHOOK_URL. */
  statusCallbackUrl?: string;
}

/** The URL status callbacks are posted to: the webhook URL followed by `/status`. */
export function twilioStatusUrl(webhookUrl: string): string {
  const url = new URL(webhookUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/status`;
  return url.toString();
}

export function twilioSendSettings(config: TwilioConfigFields): TwilioSendSettings | undefined {
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_WHATSAPP_NUMBER: number } = config;
  if (!accountSid || !authToken || !number) return undefined;
  return {
    accountSid,
    authToken,
    whatsappNumber: number,
    apiUrl: config.TWILIO_API_URL,
    ...(config.TWILIO_WEBHOOK_URL ? { statusCallbackUrl: twilioStatusUrl(config.TWILIO_WEBHOOK_URL) } : {}),
  };
}
