import { ErasureCustomerIdsQuery, ErasurePhoneParams } from '@helpline/contracts';
import { WisphubError, WisphubRefusedError } from '@helpline/directory';
import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { NetworkContext } from '../context.js';

const ErasureAnswer = z.object({
  erased: z.object({ lastReports: z.number().int() }),
  customerIds: z.array(z.string()),
});

/**
 * DELETE /personal-data/:phone: a data-removal request reaching the network service. What it
 * keeps about a person is the last diagnosis report of each of their customer ids (Redis,
 * for DIAGNOSIS_COOLDOWN_MINUTES); those ids come from the request and from the directory's
 * answer for the phone. Safe to repeat. The directory away answers 503 after the ids the
 * request named are erased: the caller repeats, nothing is left silently.
 */
export function registerErasureRoute(app: HttpApp, context: NetworkContext): void {
  app.delete(
    '/personal-data/:phone',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: "Erase what the network service keeps about a phone's customers (their last diagnosis reports)",
        tags: ['network'],
        security: [{ bearer: [] }],
        params: ErasurePhoneParams,
        querystring: ErasureCustomerIdsQuery,
        response: { 200: ErasureAnswer, 400: ErrorBody, 401: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const phone = request.params.phone;
      const given = request.query.customer_ids;
      let erased = await context.lastReports.forget(given);
      let found: string[];
      try {
        found = (await context.directory.find({ phone })).map((c) => c.customerId);
      } catch (error) {
        if (error instanceof WisphubError || error instanceof WisphubRefusedError) {
          throw httpErrors.unavailable(
            `customer directory unavailable (${error.message}); the reports of the ${given.length} given customer ids are erased, repeat the request`,
          );
        }
        throw error;
      }
      const more = found.filter((id) => !given.includes(id));
      erased += await context.lastReports.forget(more);
      request.log.info({ customers: given.length + more.length, lastReports: erased }, 'personal data erased');
      return { erased: { lastReports: erased }, customerIds: [...given, ...more] };
    },
  );
}
