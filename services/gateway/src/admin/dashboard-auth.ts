import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The realm a browser shows when it asks for the operator token. */
export const DASHBOARD_CHALLENGE = 'Basic realm="helpline"';

/**
 * The secret a request presents: the bearer token, or the password of HTTP Basic (any user
 * name). Browsers cannot add a bearer header to a page load, but they prompt for Basic.
 */
export function presentedSecret(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1].trim();
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * onRequest hook for the operator dashboard: `API_TOKEN` as a bearer token or as the Basic
 * password, compared in constant time (both sides hashed, so neither length leaks). A
 * refusal carries the Basic challenge so that a browser asks; with no token configured the
 * dashboard is closed (503), like every operator route.
 */
export function createDashboardAuth(apiToken: string | undefined) {
  const expected = apiToken ? digest(apiToken) : undefined;
  return async function dashboardAuth(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!expected) {
      return reply.status(503).send({
        error: 'operator_api_disabled',
        message: 'operator routes are disabled: set API_TOKEN to enable them',
      });
    }
    const secret = presentedSecret(request.headers.authorization);
    if (secret !== undefined && timingSafeEqual(digest(secret), expected)) return undefined;
    return reply
      .status(401)
      .header('www-authenticate', DASHBOARD_CHALLENGE)
      .send({ error: 'unauthorized', message: 'the operator token is required (bearer, or as the Basic password)' });
  };
}
