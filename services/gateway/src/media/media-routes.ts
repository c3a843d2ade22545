import { CodedError, ERRORS, ErrorBody, type HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import { MEDIA_CHANNELS, type MediaChannel, type MediaSource } from './media-source.js';

const Params = z.object({
  mediaId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'expected a media id (letters, digits, . _ -, at most 128)'),
});
const Query = z.object({
  channel: z.enum(MEDIA_CHANNELS).default('cloud').describe('the channel the message came in by'),
});

/**
 * GET /api/media/:mediaId: the bytes of an inbound message's media, streamed, with its
 * Content-Type. Only the gateway holds the channels' credentials; the classifier (voice
 * notes) and accounts (receipts) download through this with the operator token.
 */
export function registerMediaRoutes(
  app: HttpApp,
  sources: Partial<Record<MediaChannel, MediaSource>>,
  options: { timeoutMs?: number } = {},
): void {
  app.get(
    '/api/media/:mediaId',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: "An inbound message's media (voice note, image, document), streamed with its Content-Type",
        tags: ['media'],
        security: [{ bearer: [] }],
        params: Params,
        querystring: Query,
        response: { 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const { mediaId } = request.params;
      const { channel } = request.query;
      const source = sources[channel];
      if (!source) {
        throw new CodedError(ERRORS.channel_not_configured, `query.channel: the ${channel} channel is not configured`);
      }
      // A MediaError (media_not_found, media_too_large, media_upstream) answers as declared.
      const media = await source.fetch(mediaId, AbortSignal.timeout(options.timeoutMs ?? 30_000));
      reply.header('content-type', media.contentType);
      if (media.contentLength !== undefined) reply.header('content-length', media.contentLength);
      reply.header('cache-control', 'no-store');
      // A stream is sent as it is: no serializer runs on it.
      return reply.send(media.body as never);
    },
  );
}
