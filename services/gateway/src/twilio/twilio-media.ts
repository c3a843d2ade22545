import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { MediaError, type MediaErrorKind } from '../media/media-source.js';

/** Why an inbound message's media could not be fetched from Twilio (the media route answers it as declared). */
export class TwilioMediaError extends MediaError {
  constructor(kind: MediaErrorKind, message: string) {
    super(kind, message);
    this.name = 'TwilioMediaError';
  }
}

export interface TwilioMediaDownload {
  contentType: string;
  /** Bytes, when Twilio said. */
  contentLength?: number;
  body: Readable;
}

export interface TwilioMediaOptions {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  maxBytes: number;
  fetch?: typeof fetch;
}

/** A pass-through that fails the stream once more than `max` bytes went by. */
function byteCap(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max) done(new TwilioMediaError('too_large', `media is over ${max} bytes`));
      else done(null, chunk);
    },
  });
}

const MEDIA_ID = /^(MM[0-9a-fA-F]{32}|SM[0-9a-fA-F]{32})-(ME[0-9a-fA-F]{32})$/;

/**
 * Twilio's media of an inbound message, by the id the webhook gave it
 * (`<MessageSid>-<MediaSid>`, see normalise-twilio.ts): `GET {TWILIO_API_URL}/2010-04-01/
 * Accounts/{sid}/Messages/{MessageSid}/Media/{MediaSid}` with basic auth (Twilio's media
 * URLs require it when the account enforces HTTP authentication for media), which redirects
 * to the file; fetch drops the credentials on that cross-origin redirect. The size is
 * checked against the limit from Content-Length and from the bytes themselves.
 */
export function createTwilioMediaSource(options: TwilioMediaOptions) {
  const fetcher = options.fetch ?? fetch;
  const base = options.apiUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  return {
    async fetch(mediaId: string, signal: AbortSignal): Promise<TwilioMediaDownload> {
      const ids = MEDIA_ID.exec(mediaId);
      if (!ids)
        throw new TwilioMediaError('not_found', `${mediaId} is not a Twilio media id (<MessageSid>-<MediaSid>)`);
      const url = `${base}/2010-04-01/Accounts/${options.accountSid}/Messages/${ids[1]}/Media/${ids[2]}`;
      let response: Response;
      try {
        response = await fetcher(url, { headers: { authorization }, signal });
      } catch (error) {
        throw new TwilioMediaError('upstream', `Twilio unreachable: ${(error as Error).message}`);
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => {});
        if (response.status === 404) throw new TwilioMediaError('not_found', `media ${mediaId} is unknown to Twilio`);
        throw new TwilioMediaError('upstream', `Twilio answered ${response.status}`);
      }
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(length) && length > options.maxBytes) {
        await response.body.cancel().catch(() => {});
        throw new TwilioMediaError('too_large', `media is ${length} bytes, over ${options.maxBytes}`);
      }
      const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>).pipe(byteCap(options.maxBytes));
      return {
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        ...(Number.isFinite(length) ? { contentLength: length } : {}),
        body,
      };
    },
  };
}

export type TwilioMediaSource = ReturnType<typeof createTwilioMediaSource>;
