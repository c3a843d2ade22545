import { CodedError, ERRORS, PermanentError, readBoundedBody } from '@helpline/runtime';

export interface DownloadedMedia {
  bytes: Buffer;
  mimeType: string;
}

/** The receipt is larger than RECEIPT_MAX_BYTES or not an image/PDF: the customer is told, nothing is retried. */
export class ReceiptRefusedError extends PermanentError {
  constructor(
    readonly reason: 'too_large' | 'wrong_type',
    message: string,
  ) {
    super(reason === 'too_large' ? 'receipt_too_large' : 'receipt_wrong_type', message);
    this.name = 'ReceiptRefusedError';
  }
}

export const RECEIPT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;

/**
 * Downloads an inbound message's media through the gateway's `GET /api/media/:mediaId`
 * (operator token): only the gateway holds the channel's credentials. The size is checked
 * on the declared length and again while reading, so a 50 MB file is refused without being
 * held in memory; the type is checked on the gateway's Content-Type and on the bytes.
 */
export function createMediaClient(options: {
  gatewayUrl: string;
  token: string | undefined;
  maxBytes: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}) {
  const doFetch = options.fetch ?? fetch;
  const base = options.gatewayUrl.replace(/\/+$/, '');
  return {
    /** `channel`: the one the message came in by; the gateway fetches Twilio's media with Twilio's credentials. */
    async download(mediaId: string, channel?: string): Promise<DownloadedMedia> {
      const query = channel === 'twilio' ? '?channel=twilio' : '';
      const response = await doFetch(`${base}/api/media/${encodeURIComponent(mediaId)}${query}`, {
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      if (response.status === 413) {
        await response.body?.cancel().catch(() => {});
        throw new ReceiptRefusedError('too_large', 'the gateway refused the media as too large');
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        // 404: the media id expired or never existed; retrying cannot bring it back.
        if (response.status === 404)
          throw new PermanentError('media_not_found', `media ${mediaId} is not known to the gateway`);
        throw new CodedError(ERRORS.media_upstream, `the gateway answered ${response.status} for media ${mediaId}`);
      }
      const mimeType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!(RECEIPT_TYPES as readonly string[]).includes(mimeType)) {
        await response.body?.cancel().catch(() => {});
        throw new ReceiptRefusedError('wrong_type', `a receipt of type ${mimeType || 'unknown'}`);
      }
      const bytes = await readBoundedBody(
        response,
        options.maxBytes,
        (detail) => new ReceiptRefusedError('too_large', `a receipt of ${detail}`),
      );
      if (!looksLike(mimeType, bytes)) throw new ReceiptRefusedError('wrong_type', `bytes that are not ${mimeType}`);
      return { bytes, mimeType };
    },
  };
}
export type MediaClient = ReturnType<typeof createMediaClient>;

/** Magic numbers: a renamed executable is not a receipt. */
function looksLike(mimeType: string, bytes: Buffer): boolean {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  switch (mimeType) {
    case 'application/pdf':
      return bytes.subarray(0, 5).toString('latin1') === '%PDF-';
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47);
    case 'image/webp':
      return bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';
    default:
      return false;
  }
}
