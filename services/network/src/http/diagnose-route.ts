import { randomUUID } from 'node:crypto';
import { DiagnosticReport, Identifier } from '@helpline/contracts';
import { CodedError, ErrorBody, ERRORS, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { NetworkContext } from '../context.js';
import { diagnose } from '../diagnosis/diagnose.js';
import { directoryForRequests } from './request-directory.js';

const DiagnoseBody = z
  .object({
    phone: z
      .string()
      .trim()
      .min(7)
      .max(32)
      .regex(/^\+?[0-9 ()-]+$/, 'digits, spaces, + ( ) - only')
      .optional(),
    customerId: Identifier.trim().min(1).max(64).optional(),
    pppoeUser: Identifier.trim().min(1).max(64).optional(),
    documentNumber: Identifier.trim().min(1).max(32).optional(),
    /** Skip the cooldown and ask the router again. */
    force: z.boolean().default(false),
  })
  .refine((b) => Boolean(b.phone || b.customerId || b.pppoeUser || b.documentNumber), {
    message: 'needs one of phone, customerId, pppoeUser or documentNumber',
    path: ['phone'],
  });

const DiagnoseAnswer = z.object({ report: DiagnosticReport, fromCache: z.boolean() });

/** POST /diagnose: staff ask for a diagnosis and wait for it. */
export function registerDiagnoseRoute(app: HttpApp, context: NetworkContext): void {
  const directory = directoryForRequests(context.directory);
  app.post(
    '/diagnose',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Diagnose a customer connection now (by phone, customer id, PPPoE user or document number)',
        tags: ['network'],
        security: [{ bearer: [] }],
        body: DiagnoseBody,
        response: { 200: DiagnoseAnswer, 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { force, ...reference } = request.body;
      // A busy customer (diagnosis_busy) and a directory away (directory_unavailable) answer
      // 503 through the app's error handler.
      const outcome = await diagnose(reference, `http-${randomUUID()}`, { ...context, directory }, { force });
      if (outcome.kind === 'ambiguous') {
        throw httpErrors.conflict('several accounts match; ask again with customerId', {
          customerIds: outcome.candidates.map((c) => c.customerId),
        });
      }
      // Staff asking by hand get the diagnosis itself, never the outage's answer.
      if (outcome.kind !== 'report') throw new CodedError(ERRORS.internal_error, 'unexpected diagnosis outcome');
      return { report: outcome.report, fromCache: outcome.fromCache };
    },
  );
}
