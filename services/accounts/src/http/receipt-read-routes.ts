import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { ReceiptStore } from '../receipts/receipt-store.js';
import { Id, ReceiptView, view } from './receipt-view.js';

const security = [{ bearer: [] }];

/** Staff's reading of receipts: the list, one receipt, its file. */
export function registerReceiptReadRoutes(app: HttpApp, receipts: ReceiptStore): void {
  app.get(
    '/api/receipts',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Payment receipts customers sent, oldest first',
        tags: ['receipts'],
        security,
        querystring: z.object({
          state: z.enum(['pending', 'confirming', 'confirmed', 'rejected']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ total: z.number(), items: z.array(ReceiptView) }) },
      },
    },
    async (request) => {
      const { state, limit, offset } = request.query;
      const page = await receipts.list(state, limit, offset);
      return { total: page.total, items: page.items.map(view) };
    },
  );

  app.get(
    '/api/receipts/:id',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'One receipt',
        tags: ['receipts'],
        security,
        params: Id,
        response: { 200: ReceiptView, 404: ErrorBody },
      },
    },
    async (request) => {
      const receipt = await receipts.get(request.params.id);
      if (!receipt) throw httpErrors.notFound('no such receipt');
      return view(receipt);
    },
  );

  app.get(
    '/api/receipts/:id/file',
    {
      onRequest: app.operatorAuth,
      schema: { summary: 'The receipt image or PDF', tags: ['receipts'], security, params: Id },
    },
    async (request, reply) => {
      const file = await receipts.bytes(request.params.id);
      if (!file) throw httpErrors.notFound('no such receipt');
      return reply.header('content-type', file.mimeType).send(file.bytes);
    },
  );
}
