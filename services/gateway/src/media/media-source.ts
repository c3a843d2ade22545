import type { Readable } from 'node:stream';

/** The channels whose inbound media the gateway serves. */
export const MEDIA_CHANNELS = ['cloud', 'twilio'] as const;
export type MediaChannel = (typeof MEDIA_CHANNELS)[number];

/** An inbound message's media, on its way from the channel. */
export interface MediaDownload {
  contentType: string;
  /** Bytes, when the channel said (checked against the limit before streaming). */
  contentLength?: number;
  body: Readable;
}

/** Why media could not be served: each maps to one HTTP status. */
export class MediaError extends Error {
  constructor(
    readonly kind: 'not_found' | 'too_large' | 'upstream',
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** One channel's media: fetched with the channel's own credentials, which stay in the gateway. */
export interface MediaSource {
  fetch(mediaId: string, signal: AbortSignal): Promise<MediaDownload>;
}
