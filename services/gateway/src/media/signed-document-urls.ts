import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DocumentReference } from '@helpline/contracts';

/** The public path documents are served under; the TLS proxy must route it to the gateway. */
export const PUBLIC_DOCUMENTS_PATH = '/public/documents';

export interface DocumentUrlSigner {
  /** A public URL for the document, valid until now + the configured lifetime. */
  urlFor(ref: DocumentReference, filename?: string): string;
  /** Whether a signature is this gateway's for the document and its expiry, and the expiry is not past. */
  verify(
    ref: DocumentReference,
    expires: number,
    signature: string,
  ): { ok: true } | { ok: false; why: 'expired' | 'bad_signature' };
}

export interface DocumentUrlSignerOptions {
  /** DOCUMENT_URL_SECRET: the HMAC key; only the gateway holds it. */
  secret: string;
  /** Where the public reaches the gateway (PUBLIC_BASE_URL, or TWILIO_WEBHOOK_URL's origin). */
  publicBaseUrl: string;
  ttlSeconds: number;
  clock: () => Date;
}

/** A filename fit for a URL path segment (what Twilio names the WhatsApp document by). */
function safeFilename(filename: string | undefined, ref: DocumentReference): string {
  const cleaned = (filename ?? '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '');
  return (cleaned || `${ref.id}.pdf`).slice(0, 120);
}

/**
 * Signed, expiring public URLs for documents made by another service (statements from
 * accounts): Twilio takes media only by a public URL it downloads without credentials, and
 * the documents live behind the operator token. The signature is an HMAC-SHA256 over the
 * service, the document id and the expiry (unix seconds), so a URL names one document for a
 * short time and cannot be turned into another; the filename segment is not signed (it only
 * names the download).
 */
export function createDocumentUrlSigner(options: DocumentUrlSignerOptions): DocumentUrlSigner {
  const sign = (ref: DocumentReference, expires: number) =>
    createHmac('sha256', options.secret).update(`${ref.service}\n${ref.id}\n${expires}`).digest('hex');
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  return {
    urlFor(ref, filename) {
      const expires = Math.floor(options.clock().getTime() / 1000) + options.ttlSeconds;
      const path = `${PUBLIC_DOCUMENTS_PATH}/${ref.service}/${encodeURIComponent(ref.id)}/${safeFilename(filename, ref)}`;
      return `${base}${path}?expires=${expires}&signature=${sign(ref, expires)}`;
    },
    verify(ref, expires, signature) {
      const expected = Buffer.from(sign(ref, expires), 'hex');
      const given = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : '', 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, why: 'bad_signature' };
      if (expires * 1000 < options.clock().getTime()) return { ok: false, why: 'expired' };
      return { ok: true };
    },
  };
}
