import { CodedError, ERRORS, type ErrorDeclaration } from '@helpline/runtime';

/** A media file as the gateway served it. */
export interface DownloadedMedia {
  bytes: Buffer;
  contentType: string;
}

/** The gateway's answer to a media download, as the catalogue names it; `status` is the gateway's. */
function declarationOfStatus(status: number | undefined): ErrorDeclaration {
  if (status === 404) return ERRORS.media_not_found;
  if (status === 413) return ERRORS.media_too_large;
  return ERRORS.media_upstream;
}

/** A voice note the gateway did not serve: unknown (404), too large (413), or the gateway away or failing. */
export class MediaDownloadError extends CodedError {
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(declarationOfStatus(status), message);
    this.name = 'MediaDownloadError';
  }
}

export interface GatewayMedia {
  download(mediaId: string, channel: string, signal: AbortSignal): Promise<DownloadedMedia>;
}

/**
 * Inbound media through the gateway's `GET /api/media/:mediaId` (operator token): only the
 * gateway holds the channels' credentials. The gateway enforces MEDIA_MAX_BYTES.
 */
export function createGatewayMedia(options: {
  gatewayUrl: string;
  apiToken: string | undefined;
  fetch?: typeof fetch;
}): GatewayMedia {
  const fetcher = options.fetch ?? fetch;
  const base = options.gatewayUrl.replace(/\/+$/, '');
  return {
    async download(mediaId, channel, signal) {
      const url = `${base}/api/media/${encodeURIComponent(mediaId)}?channel=${encodeURIComponent(channel)}`;
      let response: Response;
      try {
        response = await fetcher(url, {
          headers: options.apiToken ? { authorization: `Bearer ${options.apiToken}` } : {},
          signal,
        });
      } catch (error) {
        throw new MediaDownloadError(undefined, `gateway unreachable at GATEWAY_URL: ${(error as Error).message}`);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new MediaDownloadError(response.status, `the gateway answered ${response.status} for media ${mediaId}`);
      }
      return {
        bytes: Buffer.from(await response.arrayBuffer()),
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      };
    },
  };
}
