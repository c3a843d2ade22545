import type { DocumentReference } from '@helpline/contracts';
import { CodedError, ERRORS, PermanentError } from '@helpline/runtime';

export interface FetchedDocument {
  bytes: Buffer;
  mimeType: string;
}

/** Where the bytes of a document sent by reference come from. */
export interface DocumentSource {
  fetch(ref: DocumentReference): Promise<FetchedDocument>;
}

export interface ServiceDocumentSourceOptions {
  /** Base URL of each service that makes documents (`ACCOUNTS_URL`). */
  urls: Partial<Record<DocumentReference['service'], string>>;
  /** The operator token the services share (`API_TOKEN`). */
  token?: string;
  timeoutMs?: number;
  /** WhatsApp takes documents up to 100 MB; a statement is a few kilobytes. */
  maxBytes?: number;
  fetch?: typeof fetch;
}

/**
 * Fetches a document another Helpline service made from its internal
 * `GET /api/documents/:id`, with the operator token. A missing document (404) or a refusal
 * (4xx) cannot be fixed by retrying; no answer or a 5xx can.
 */
export function createServiceDocumentSource(options: ServiceDocumentSourceOptions): DocumentSource {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  return {
    async fetch(ref) {
      const base = options.urls[ref.service];
      if (!base) throw new PermanentError('document_source_unset', `no URL configured for ${ref.service} documents`);
      const response = await doFetch(`${base.replace(/\/+$/, '')}/api/documents/${encodeURIComponent(ref.id)}`, {
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        const why = `${ref.service} answered ${response.status} for document ${ref.id}`;
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          throw new PermanentError('document_unavailable', why);
        }
        throw new CodedError(ERRORS.document_source_failed, why);
      }
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > maxBytes)
        throw new PermanentError('document_too_large', `document ${ref.id} is ${declared} bytes`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > maxBytes) throw new PermanentError('document_too_large', `document ${ref.id} is too large`);
      const mimeType =
        (response.headers.get('content-type') ?? 'application/pdf').split(';')[0]?.trim() || 'application/pdf';
      return { bytes, mimeType };
    },
  };
}
