import { ErrorBody, type HttpApp, HttpError, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import { toMinorUnits } from '../billing/money.js';
import type { DecisionOutcome, ReceiptDecisions } from '../receipts/receipt-decisions.js';
import { Conflict, Decided, Id, view } from './receipt-view.js';

const security = [{ bearer: [] }];

const Amount = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const minor = toMinorUnits(v);
  if (minor === undefined || minor <= 0n) {
    ctx.addIssue({ code: 'custom', message: 'expected a positive amount such as 85000 or "85000.00"' });
    return z.NEVER;
  }
  return minor;
});

const ConfirmBody = z.object({
  amount: Amount,
  method: z.string().trim().min(1).max(64),
  reference: z.string().trim().min(1).max(128),
  customer_id: z.string().trim().min(1).max(64).optional(),
  invoice_id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
});
const RejectBody = z.object({ reason: z.string().trim().min(3).max(500) });

/** A decision's outcome as the HTTP answer: 200 done (or replayed), 409 on a decided receipt, else thrown. */
function answer(outcome: DecisionOutcome) {
  switch (outcome.kind) {
    case 'done':
      return { status: 200, body: { receipt: view(outcome.receipt), replayed: outcome.replayed } };
    case 'not_found':
      throw httpErrors.notFound('no such receipt');
    case 'conflict':
      return {
        status: 409,
        body: {
          error: 'conflict',
          message: `the receipt is already ${outcome.receipt.state}`,
          receipt: view(outcome.receipt),
        },
      };
    case 'invalid':
      throw new HttpError(422, 'unprocessable', outcome.message, outcome.details);
    case 'backoffice_refused':
      throw new HttpError(502, 'backoffice_refused', outcome.message);
    case 'backoffice_uncertain':
      throw new HttpError(502, 'backoffice_uncertain', outcome.message);
  }
}

/** Staff's decisions on a receipt: confirm (the payment registered, once) and reject. */
export function registerReceiptDecisionRoutes(app: HttpApp, decisions: ReceiptDecisions): void {
  app.post(
    '/api/receipts/:id/confirm',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Register the payment in the back-office and tell the customer, once',
        description:
          'Moves the receipt out of pending before calling the back-office: a second confirm never registers a second payment. The same confirm again answers 200 with replayed=true; anything else on a decided receipt answers 409.',
        tags: ['receipts'],
        security,
        params: Id,
        body: ConfirmBody,
        response: { 200: Decided, 404: ErrorBody, 409: Conflict, 422: ErrorBody, 502: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const outcome = await decisions.confirm(request.params.id, {
        amountMinor: b.amount,
        method: b.method,
        reference: b.reference,
        ...(b.customer_id ? { customerId: b.customer_id } : {}),
        ...(b.invoice_id ? { invoiceId: b.invoice_id } : {}),
      });
      const { status, body } = answer(outcome);
      return reply.status(status as 200).send(body as never);
    },
  );

  app.post(
    '/api/receipts/:id/reject',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Reject the receipt and tell the customer why, once',
        tags: ['receipts'],
        security,
        params: Id,
        body: RejectBody,
        response: { 200: Decided, 404: ErrorBody, 409: Conflict },
      },
    },
    async (request, reply) => {
      const { status, body } = answer(await decisions.reject(request.params.id, request.body.reason));
      return reply.status(status as 200).send(body as never);
    },
  );
}
