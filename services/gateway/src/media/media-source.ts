import type { Readable } from 'node:stream';
import { CodedError, ERRORS, type ErrorDeclaration } from '@helpline/runtime';

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

export type MediaErrorKind = 'not_found' | 'too_large' | 'upstream';

const DECLARATIONS: Record<MediaErrorKind, ErrorDeclaration> = {
  not_found: ERRORS.media_not_found,
  too_large: ERRORS.media_too_large,
  upstream: ERRORS.media_upstream,
};

/**
 * Why media could not be served, whichever channel holds it: `media_<kind>` in the
 * catalogue, which the app's error handler answers (404, 413, 502).
 */
export class MediaError extends CodedError {
  constructor(
    readonly kind: MediaErrorKind,
    message: string,
  ) {
    super(DECLARATIONS[kind], message);
    this.name = 'MediaError';
  }
}

/** One channel's media: fetched with the channel's own credentials, which stay in the gateway. */
export interface MediaSource {
  fetch(mediaId: string, signal: AbortSignal): Promise<MediaDownload>;
}
