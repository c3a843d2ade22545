import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, httpErrors } from '../errors/http-error.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * An onRequest hook for operator routes: `Authorization: Bearer <API_TOKEN>`, compared in
 * constant time (both sides hashed first so that their lengths do not leak either). With no
 * token configured, operator routes are closed rather than open.
 */
export function createOperatorAuth(apiToken: string | undefined) {
  const expected = apiToken ? digest(apiToken) : undefined;
  return async function operatorAuth(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (!expected) {
      throw new HttpError(503, 'operator_api_disabled', 'operator routes are disabled: set API_TOKEN to enable them');
    }
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
      throw httpErrors.unauthorized();
    }
  };
}
