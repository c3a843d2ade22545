import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { AccountsContext } from '../context.js';

/** The gateway fetches a statement here (operator token) to upload it to WhatsApp. */
export function registerDocumentRoute(app: HttpApp, context: AccountsContext): void {
  app.get(
    '/api/documents/:id',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'A statement PDF made for a customer, for the gateway to upload',
        tags: ['accounts'],
        security: [{ bearer: [] }],
        params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'letters, digits, _ and - only') }),
        response: { 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const doc = await context.documents.get(request.params.id);
      if (!doc) throw httpErrors.notFound('no such document');
      return reply
        .header('content-type', doc.mimeType)
        .header('content-disposition', `inline; filename="${doc.filename}"`)
        .send(doc.bytes as never);
    },
  );
}
