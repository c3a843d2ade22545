import { DocumentReference } from '@helpline/contracts';
import { ErrorBody, type HttpApp, HttpError } from '@helpline/runtime';
import { z } from 'zod';
import type { DocumentSource } from '../cloud/document-source.js';
import { PUBLIC_DOCUMENTS_PATH, type DocumentUrlSigner } from './signed-document-urls.js';

const Params = z.object({
  service: DocumentReference.shape.service,
  id: DocumentReference.shape.id,
  filename: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/, 'letters, digits, . _ - only'),
});
const Query = z.object({
  expires: z.coerce.number().int().positive().describe('unix seconds after which the URL is refused'),
  signature: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hexadecimal digits'),
});

/**
 * GET /public/documents/:service/:id/:filename?expires&signature: a document another service
 * made (a statement), for whoever holds a URL this gateway signed (Twilio, downloading the
 * media of a message). No operator token: the signature is the credential. The bytes are
 * fetched from the service at each request with the operator token and never cached here.
 */
export function registerPublicDocumentRoutes(
  app: HttpApp,
  deps: { signer?: DocumentUrlSigner; documents: DocumentSource },
): void {
  app.get(
    `${PUBLIC_DOCUMENTS_PATH}/:service/:id/:filename`,
    {
      schema: {
        summary: 'A document by a signed, expiring URL (what Twilio downloads to send a statement)',
        tags: ['media'],
        params: Params,
        querystring: Query,
        response: { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!deps.signer)
        throw new HttpError(404, 'not_found', 'public document URLs are off: DOCUMENT_URL_SECRET is unset');
      const { service, id } = request.params;
      const { expires, signature } = request.query;
      const checked = deps.signer.verify({ service, id }, expires, signature);
      if (!checked.ok) {
        throw new HttpError(
          403,
          'forbidden',
          checked.why === 'expired'
            ? 'this document URL has expired'
            : 'this document URL is not signed by this gateway',
        );
      }
      const doc = await deps.documents.fetch({ service, id });
      return reply
        .header('content-type', doc.mimeType)
        .header('content-length', doc.bytes.length)
        .header('cache-control', 'private, no-store')
        .send(doc.bytes as never);
    },
  );
}
