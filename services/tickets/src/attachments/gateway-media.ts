import { createHash } from 'node:crypto';
import { CodedError, ERRORS, PermanentError, readBoundedBody } from '@helpline/runtime';

export interface DownloadedMedia {
  bytes: Buffer;
  mimeType: string;
  sha256: string;
}

/**
 * Downloads a customer's media through the gateway's `GET /api/media/:mediaId?channel=`
 * (operator token): only the gateway holds the channels' credentials. The size is checked on
 * the declared length and while reading, so a file over the CRM's limit is refused without
 * being held in memory. 404 (expired or unknown media) and 413 are final; other answers and
 * network errors are thrown as plain errors for the job's retry.
 */
export function createGatewayMedia(options: {
  gatewayUrl: string;
  token: string | undefined;
  maxBytes: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}) {
  const doFetch = options.fetch ?? fetch;
  const base = options.gatewayUrl.replace(/\/+$/, '');
  const tooLarge = (size: string) =>
    new PermanentError(
      'attachment_too_large',
      `${size}, over the ${options.maxBytes} bytes a ticket attachment may have`,
    );

  return {
    async download(mediaId: string, channel: string): Promise<DownloadedMedia> {
      const url = `${base}/api/media/${encodeURIComponent(mediaId)}?channel=${encodeURIComponent(channel)}`;
      const response = await doFetch(url, {
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        if (response.status === 404)
          throw new PermanentError('media_not_found', `media ${mediaId} (${channel}) is not known to the gateway`);
        if (response.status === 413) throw tooLarge('the gateway refused the media as too large');
        throw new CodedError(ERRORS.media_upstream, `the gateway answered ${response.status} for media ${mediaId}`);
      }
      const mimeType =
        (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';
      const bytes = await readBoundedBody(response, options.maxBytes, (detail) => tooLarge(`a file of ${detail}`));
      return { bytes, mimeType, sha256: createHash('sha256').update(bytes).digest('hex') };
    },
  };
}
export type GatewayMedia = ReturnType<typeof createGatewayMedia>;
