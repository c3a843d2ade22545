import { jsonTextDepth, MAX_JSON_DEPTH } from '@helpline/contracts';
import type { HttpApp } from './create-http-app.js';
import secureJson from 'secure-json-parse';
import { BodyTooDeepError, ForbiddenKeyError } from '../errors/body-errors.js';
import { HttpError } from '../errors/http-error.js';

/**
 * Parses JSON text as a request body: nesting past the limit is refused before anything
 * recursive sees it (a 10,000-deep array would break a serialiser's stack further on), and
 * a `__proto__` or `constructor.prototype` key is refused by name rather than as "not valid
 * JSON". Throws HttpErrors (400).
 */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.length === 0) throw new HttpError(400, 'bad_request', 'body is empty but the content type is JSON');
  if (jsonTextDepth(text, maxDepth) > maxDepth) throw new BodyTooDeepError(maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'bad_request', describeSyntaxError(error));
  }
  try {
    // Scans the parsed value only (no second parse of the text) for poisoning keys.
    if (value !== null && typeof value === 'object')
      secureJson.scan(value, { protoAction: 'error', constructorAction: 'error' });
    return value;
  } catch {
    throw new ForbiddenKeyError(hasProtoKey(value) ? '__proto__' : 'constructor.prototype');
  }
}

/** secure-json-parse gives both refusals the same words; this tells which key it was. */
function hasProtoKey(value: unknown): boolean {
  try {
    secureJson.scan(value as object, { protoAction: 'error', constructorAction: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

/**
 * Why the text is not JSON, without the parser's own words: V8 quotes the text around the
 * fault, and a body may be a customer's data. The position is enough to find the fault.
 */
function describeSyntaxError(error: unknown): string {
  const text = error instanceof Error ? error.message : '';
  const position = /at position (\d+)/.exec(text)?.[1];
  if (position !== undefined) return `body is not valid JSON (at position ${position})`;
  if (/end of (JSON|data) input/i.test(text)) return 'body is not valid JSON (it ends too early)';
  return 'body is not valid JSON';
}

/** Replaces Fastify's JSON parser on the app (and every scope that does not set its own). */
export function useJsonBodyParser(app: HttpApp, maxDepth = MAX_JSON_DEPTH): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string, maxDepth));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
