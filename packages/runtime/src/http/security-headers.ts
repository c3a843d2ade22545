import type { HttpApp } from './create-http-app.js';

/**
 * Headers every answer of every service carries. `nosniff` on all of them: a browser never
 * guesses a JSON error into HTML. HTML pages (the queue dashboard with its retry, clean and
 * pause buttons, the OpenAPI UI) may not be framed by any site (clickjacking): the old
 * `X-Frame-Options` and CSP's `frame-ancestors`, added to a policy a page sets itself.
 */
export function addSecurityHeaders(app: HttpApp): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && /^text\/html\b/i.test(type)) {
      reply.header('x-frame-options', 'DENY');
      const policy = reply.getHeader('content-security-policy');
      const existing = typeof policy === 'string' ? policy.trim() : '';
      if (!/frame-ancestors/i.test(existing)) {
        const joined = existing ? `${existing.replace(/;?$/, ';')} frame-ancestors 'none'` : "frame-ancestors 'none'";
        reply.header('content-security-policy', joined);
      }
    }
    return payload;
  });
}
