import { type HttpApp, HttpError } from '@helpline/runtime';
import type { FastifyRequest } from 'fastify';
import { registerSignedWebhookScope, type WebhookTally } from '../webhook/signed-webhook-scope.js';
import { type IngestTwilioDeps, ingestTwilioMessage, ingestTwilioStatus } from './ingest-twilio.js';
import { twilioStatusUrl } from './twilio-config.js';
import { type FormParam, verifyTwilioBodySignature, verifyTwilioFormSignature } from './twilio-signature.js';

/** Twilio's own requests are small; anything larger is not one of them. */
export const TWILIO_BODY_LIMIT = 256 * 1024;

/** What Twilio expects back from a messaging webhook: TwiML, here with nothing to do. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export interface TwilioWebhookSettings {
  authToken?: string;
  accountSid?: string;
  /** TWILIO_WEBHOOK_URL: the public URL Twilio calls and signs. */
  webhookUrl?: string;
}

/** The URL Twilio signed: the configured public URL's origin and path with the query as received. */
function signedUrl(publicUrl: string, request: FastifyRequest): string {
  const url = new URL(publicUrl);
  const query = request.raw.url?.includes('?') ? request.raw.url.slice(request.raw.url.indexOf('?')) : '';
  return `${url.origin}${url.pathname}${query}`;
}

/** A JSON body's top-level fields as parameters (Twilio's JSON webhooks are flat). */
function jsonParams(raw: Buffer): FormParam[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  return Object.entries(json).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]);
}

/**
 * The checks both routes share: configured, a body, the signature, our account. Returns
 * the parameters of a request that passed them all.
 */
function verified(
  request: FastifyRequest,
  publicUrl: string | undefined,
  settings: TwilioWebhookSettings,
  count: WebhookTally['count'],
): FormParam[] {
  const { authToken, accountSid } = settings;
  if (!authToken || !publicUrl) {
    count(request, 'unavailable');
    throw new HttpError(
      503,
      'webhook_disabled',
      'Twilio webhook disabled: set TWILIO_AUTH_TOKEN and TWILIO_WEBHOOK_URL to verify Twilio signatures',
    );
  }
  const raw = request.body;
  if (!Buffer.isBuffer(raw)) {
    count(request, 'bad_request');
    throw new HttpError(400, 'bad_request', 'expected a form-encoded body');
  }
  const url = signedUrl(publicUrl, request);
  const header = request.headers['x-twilio-signature'];
  const signature = typeof header === 'string' ? header : undefined;
  const isJson = /^application\/json/i.test(String(request.headers['content-type'] ?? ''));
  let params: FormParam[] | undefined;
  let ok: boolean;
  if (isJson) {
    ok = verifyTwilioBodySignature(authToken, signature, url, raw);
    params = ok ? jsonParams(raw) : undefined;
  } else {
    params = [...new URLSearchParams(raw.toString('utf8'))];
    ok = verifyTwilioFormSignature(authToken, signature, url, params);
  }
  if (!ok) {
    count(request, 'invalid_signature');
    // The body is not logged: it is unauthenticated and may carry anyone's data.
    request.log.warn({ bytes: raw.length, hasSignature: signature !== undefined }, 'Twilio signature refused');
    throw new HttpError(403, 'invalid_signature', 'missing or wrong X-Twilio-Signature');
  }
  if (!params) {
    count(request, 'bad_request');
    throw new HttpError(400, 'bad_request', 'body is not a JSON object');
  }
  const account = params.find(([name]) => name === 'AccountSid')?.[1];
  if (accountSid && account !== accountSid) {
    count(request, 'invalid_signature');
    request.log.warn({ hasAccountSid: account !== undefined }, 'Twilio webhook for another account refused');
    throw new HttpError(403, 'wrong_account', "AccountSid: not this gateway's Twilio account");
  }
  return params;
}

/**
 * POST /webhook/twilio (incoming WhatsApp messages) and POST /webhook/twilio/status (status
 * callbacks of the messages sent), in their own scope: the body is kept as bytes, since the
 * signature is checked before anything is parsed or trusted.
 */
export async function twilioWebhookRoutes(
  app: HttpApp,
  settings: TwilioWebhookSettings,
  deps: IngestTwilioDeps,
): Promise<void> {
  const metrics = deps.metrics;
  await registerSignedWebhookScope(
    app,
    {
      contentTypes: ['application/x-www-form-urlencoded', 'application/json'],
      bodyLimit: TWILIO_BODY_LIMIT,
      metrics,
      unavailableMessage: 'Twilio webhook not stored: Redis unavailable; Twilio will try again',
    },
    (scope, tally) => {
      scope.post(
        '/webhook/twilio',
        { schema: { summary: 'Twilio incoming WhatsApp messages (signed, form-encoded)', tags: ['webhook'] } },
        async (request, reply) => {
          const params = verified(request, settings.webhookUrl, settings, tally.count);
          const outcome = await ingestTwilioMessage(params, deps, request.log);
          tally.handled(request);
          request.log.debug({ outcome }, 'Twilio message handled');
          return reply.type('text/xml').send(EMPTY_TWIML);
        },
      );

      scope.post(
        '/webhook/twilio/status',
        { schema: { summary: 'Twilio status callbacks of sent messages (signed)', tags: ['webhook'] } },
        async (request, reply) => {
          const statusUrl = settings.webhookUrl ? twilioStatusUrl(settings.webhookUrl) : undefined;
          const params = verified(request, statusUrl, settings, tally.count);
          const job = new URL(request.raw.url ?? '/', 'http://gateway').searchParams.get('job') ?? undefined;
          const outcome = await ingestTwilioStatus(params, job, deps, request.log);
          tally.handled(request);
          if (outcome === 'ignored') metrics.webhookEvents.inc({ outcome: 'ignored' });
          return reply.type('text/xml').send(EMPTY_TWIML);
        },
      );
    },
  );
}
