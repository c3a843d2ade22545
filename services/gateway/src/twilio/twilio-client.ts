import { CodedError, ERRORS } from '@helpline/runtime';
import {
  createHttpTransport,
  type HttpAnswer,
  type HttpTransport,
  HttpTransportError,
} from '../cloud/http-transport.js';
import type { MessageForm } from './twilio-message-form.js';
import { twilioDeclaration } from './twilio-error-codes.js';

/**
 * A Twilio REST error answer: `{ code, message, more_info, status }`. `retryAfterMs` is the
 * Retry-After a 429 carried, when it did. Its catalogue code follows Twilio's code and the
 * HTTP status (twilio-error-codes.ts); Twilio's own number is `providerCode`.
 */
export class TwilioApiError extends CodedError {
  readonly status: number;
  declare readonly providerCode: number | undefined;
  readonly moreInfo: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, body: unknown, retryAfterMs?: number) {
    const b = (body ?? {}) as Record<string, unknown>;
    const code = typeof b.code === 'number' ? b.code : undefined;
    const message = typeof b.message === 'string' ? b.message : `HTTP ${status}`;
    super(twilioDeclaration(status, code), `Twilio ${status}${code !== undefined ? ` code ${code}` : ''}: ${message}`, {
      ...(code !== undefined ? { providerCode: code } : {}),
    });
    this.name = 'TwilioApiError';
    this.status = status;
    this.moreInfo = typeof b.more_info === 'string' ? b.more_info : undefined;
    this.retryAfterMs = retryAfterMs;
  }
}

/** No HTTP answer. `mayHaveBeenSent`: the request had left whole, so Twilio may have taken it. */
export class TwilioNetworkError extends CodedError {
  readonly mayHaveBeenSent: boolean;

  constructor(cause: HttpTransportError) {
    super(ERRORS.twilio_unreachable, `Twilio unreachable: ${cause.message}`, { cause });
    this.name = 'TwilioNetworkError';
    this.mayHaveBeenSent = cause.requestSent;
  }
}

export interface TwilioClientOptions {
  /** TWILIO_API_URL, e.g. https://api.twilio.com. */
  apiUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs?: number;
  transport?: HttpTransport;
}

export interface TwilioClient {
  /** POST /2010-04-01/Accounts/{sid}/Messages.json; resolves with the message SID. */
  sendMessage(form: MessageForm): Promise<{ messageId?: string; status?: string }>;
  close(): void;
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Twilio's Messages API over kept-alive HTTP. No retries here: the outbound queue owns retrying. */
export function createTwilioClient(options: TwilioClientOptions): TwilioClient {
  const transport = options.transport ?? createHttpTransport();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = options.apiUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const messagesUrl = new URL(`${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`);

  return {
    async sendMessage(form) {
      const body = new URLSearchParams(form).toString();
      let answer: HttpAnswer;
      try {
        answer = await transport.request(messagesUrl, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body,
          timeoutMs,
        });
      } catch (error) {
        if (error instanceof HttpTransportError) throw new TwilioNetworkError(error);
        throw error;
      }
      let json: unknown;
      try {
        json = answer.text ? JSON.parse(answer.text) : undefined;
      } catch {
        json = undefined;
      }
      if (answer.status < 200 || answer.status >= 300) {
        throw new TwilioApiError(answer.status, json, retryAfterMs(answer.headers?.['retry-after']));
      }
      const sid = (json as { sid?: unknown } | undefined)?.sid;
      const status = (json as { status?: unknown } | undefined)?.status;
      return {
        ...(typeof sid === 'string' ? { messageId: sid } : {}),
        ...(typeof status === 'string' ? { status } : {}),
      };
    },
    close: () => transport.close(),
  };
}
