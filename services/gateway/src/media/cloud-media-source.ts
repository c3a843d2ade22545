import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { byteLimit } from './byte-limit.js';
import { type MediaDownload, MediaError, type MediaSource } from './media-source.js';

export interface CloudMediaOptions {
  baseUrl: string;
  version: string;
  accessToken: string;
  phoneNumberId: string;
  maxBytes: number;
  fetch?: typeof fetch;
}

/** What `GET /{media-id}` answers (file_size is a string of bytes). */
const MediaUrl = z.object({
  url: z.url(),
  mime_type: z.string().min(1),
  file_size: z.union([z.string(), z.number()]).optional(),
  id: z.string().optional(),
});

const graphCode = (body: unknown): number | undefined => {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'number' ? code : undefined;
};

/**
 * Cloud API media, as Meta documents it: `GET /{version}/{media-id}?phone_number_id=` with
 * the bearer token answers a URL valid for about five minutes, its MIME type and size; the
 * URL is then fetched with the same bearer token. The size is checked against the limit
 * from the metadata, the download's Content-Length and the bytes themselves.
 */
export function createCloudMediaSource(options: CloudMediaOptions): MediaSource {
  const fetcher = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Bearer ${options.accessToken}`;

  return {
    async fetch(mediaId, signal): Promise<MediaDownload> {
      const metaUrl = `${base}/${options.version}/${encodeURIComponent(mediaId)}?phone_number_id=${options.phoneNumberId}`;
      let metaResponse: Response;
      try {
        metaResponse = await fetcher(metaUrl, { headers: { authorization }, signal });
      } catch (error) {
        throw new MediaError('upstream', `Graph API unreachable: ${(error as Error).message}`);
      }
      const metaBody: unknown = await metaResponse.json().catch(() => undefined);
      if (!metaResponse.ok) {
        // Code 100 (the object does not exist or is not ours) and 404: an unknown media id.
        if (metaResponse.status === 404 || graphCode(metaBody) === 100)
          throw new MediaError('not_found', `media ${mediaId} is unknown to the Cloud API`);
        throw new MediaError(
          'upstream',
          `Graph API answered ${metaResponse.status}${graphCode(metaBody) ? ` code ${graphCode(metaBody)}` : ''}`,
        );
      }
      const meta = MediaUrl.safeParse(metaBody);
      if (!meta.success) throw new MediaError('not_found', `media ${mediaId}: the Cloud API gave no download URL`);
      const declared = meta.data.file_size === undefined ? undefined : Number(meta.data.file_size);
      if (declared !== undefined && declared > options.maxBytes)
        throw new MediaError('too_large', `media is ${declared} bytes, over MEDIA_MAX_BYTES (${options.maxBytes})`);

      let download: Response;
      try {
        download = await fetcher(meta.data.url, { headers: { authorization }, signal });
      } catch (error) {
        throw new MediaError('upstream', `media download unreachable: ${(error as Error).message}`);
      }
      if (!download.ok || !download.body) {
        await download.body?.cancel().catch(() => {});
        throw new MediaError('upstream', `media download answered ${download.status}`);
      }
      const length = Number(download.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(length) && length > options.maxBytes) {
        await download.body.cancel().catch(() => {});
        throw new MediaError('too_large', `media is ${length} bytes, over MEDIA_MAX_BYTES (${options.maxBytes})`);
      }
      const body = Readable.fromWeb(download.body as WebReadableStream<Uint8Array>).pipe(byteLimit(options.maxBytes));
      return {
        contentType: download.headers.get('content-type') ?? meta.data.mime_type,
        ...(Number.isFinite(length) ? { contentLength: length } : {}),
        body,
      };
    },
  };
}
