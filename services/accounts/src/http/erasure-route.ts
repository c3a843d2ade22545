import { ErasureCustomerIdsQuery, ErasurePhoneParams } from '@helpline/contracts';
import { ErrorBody, type HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { AccountsContext } from '../context.js';
import { erasePersonalData } from '../erasure/erase-personal-data.js';

const ErasureAnswer = z.object({
  erased: z.object({
    identityKeys: z.number().int(),
    receipts: z.number().int(),
    documents: z.number().int(),
    chatLanguage: z.number().int(),
  }),
  customerIds: z.array(z.string()),
});

/** DELETE /api/personal-data/:phone: a data-removal request reaching the accounts service. */
export function registerErasureRoute(app: HttpApp, context: AccountsContext): void {
  app.delete(
    '/api/personal-data/:phone',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary:
          "Erase what the accounts service keeps about a chat's phone: identity proof, awaited answer, receipts, statements",
        tags: ['accounts'],
        security: [{ bearer: [] }],
        params: ErasurePhoneParams,
        querystring: ErasureCustomerIdsQuery,
        response: { 200: ErasureAnswer, 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { customerIds, ...erased } = await erasePersonalData(
        context,
        request.params.phone,
        request.query.customer_ids,
      );
      request.log.info({ erased, customers: customerIds.length }, 'personal data erased');
      return { erased, customerIds };
    },
  );
}
