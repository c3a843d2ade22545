import { Identifier } from '@helpline/contracts';
import { ErrorBody, type HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { AccountsContext } from '../context.js';
import { erasePersonalData } from '../erasure/erase-personal-data.js';

const ErasureParams = z.object({
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9]{7,15}$/, 'expected the phone number as 7 to 15 digits, optionally after +')
    .transform((raw) => raw.replace(/\D/g, '')),
});

const ErasureQuery = z.object({
  customer_ids: z
    .string()
    .trim()
    .max(2_000)
    .optional()
    .describe('customer ids known to belong to the phone (comma separated)')
    .transform((raw, ctx) => {
      const ids = (raw ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id.length > 0);
      for (const id of ids) {
        if (id.length > 64 || !Identifier.safeParse(id).success) {
          ctx.addIssue({ code: 'custom', message: `not a customer id: ${id.slice(0, 64)}` });
          return z.NEVER;
        }
      }
      return ids;
    }),
});

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
        params: ErasureParams,
        querystring: ErasureQuery,
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
