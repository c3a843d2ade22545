import { createHash } from 'node:crypto';
import type { OutboundContent } from '@helpline/contracts';
import type { Redis } from 'ioredis';
import { CodedError, ERRORS, whenReady } from '@helpline/runtime';

type Choices = Extract<OutboundContent, { kind: 'buttons' | 'list' }>;

/** The Content API `types` of a session message with choices: quick replies or a list picker. */
export function contentTypesFor(content: Choices): Record<string, unknown> {
  // Twilio's quick-reply and list-picker bodies have no header or footer: they join the body.
  const body = [content.header ? `*${content.header}*` : undefined, content.body, content.footer]
    .filter(Boolean)
    .join('\n\n');
  if (content.kind === 'buttons') {
    return { 'twilio/quick-reply': { body, actions: content.buttons.map((b) => ({ title: b.title, id: b.id })) } };
  }
  return {
    'twilio/list-picker': {
      body,
      button: content.buttonText,
      items: content.sections.flatMap((s) =>
        s.rows.map((r) => ({ item: r.title, id: r.id, ...(r.description ? { description: r.description } : {}) })),
      ),
    },
  };
}

export interface ContentCatalogOptions {
  /** TWILIO_CONTENT_API_URL, e.g. https://content.twilio.com. */
  apiUrl: string;
  accountSid: string;
  authToken: string;
  redis: Redis;
  keyPrefix: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The Content API answered an error or nothing: the caller sends numbered text instead. */
export class ContentApiError extends CodedError {
  constructor(message: string) {
    super(ERRORS.twilio_content_failed, message);
    this.name = 'ContentApiError';
  }
}

/**
 * Content templates for the conversation's choices, made through Twilio's Content API
 * (`POST /v1/Content`) the first time a given set of choices is sent and kept by a hash of
 * what they hold (`<prefix>:gateway:twilio:content:<sha256>`), so each distinct menu or
 * notice is created once, by whichever replica sends it first.
 */
export function createContentCatalog(options: ContentCatalogOptions) {
  const fetcher = options.fetch ?? fetch;
  const base = options.apiUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  return {
    async sidFor(content: Choices, language: string): Promise<string> {
      const types = contentTypesFor(content);
      const hash = createHash('sha256').update(JSON.stringify({ language, types })).digest('hex');
      const key = `${options.keyPrefix}:content:${hash}`;
      await whenReady(options.redis);
      const known = await options.redis.get(key);
      if (known) return known;
      let res: Response;
      try {
        res = await fetcher(`${base}/v1/Content`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ friendly_name: `helpline_${hash.slice(0, 16)}`, language, types }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch (error) {
        throw new ContentApiError(`Content API unreachable: ${(error as Error).message}`);
      }
      const answer = (await res.json().catch(() => undefined)) as { sid?: unknown; code?: unknown } | undefined;
      if (!res.ok || typeof answer?.sid !== 'string') {
        throw new ContentApiError(`Content API answered ${res.status}${answer?.code ? ` code ${answer.code}` : ''}`);
      }
      await options.redis.set(key, answer.sid);
      return answer.sid;
    },
  };
}

export type ContentCatalog = ReturnType<typeof createContentCatalog>;
