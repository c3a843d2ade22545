import { ErrorBody, type HttpApp, HttpError, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import { toMinorUnits } from '../billing/money.js';
import type { AccountsContext } from '../context.js';
import { createReceiptDecisions, type DecisionOutcome } from '../receipts/receipt-decisions.js';
import type { ReceiptRecord } from '../receipts/receipt-store.js';

const Id = z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a receipt number') });
const ReceiptView = z.object({
  id: z.string(),
  state: z.string(),
  chat_id: z.string(),
  customer_id: z.string().nullable(),
  mime_type: z.string(),
  size_bytes: z.number(),
  sha256: z.string(),
  caption: z.string().nullable(),
  received_at: z.string(),
  decided_at: z.string().nullable(),
  decision: z.record(z.string(), z.unknown()).nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  file_url: z.string(),
});
const Decided = z.object({ receipt: ReceiptView, replayed: z.boolean() });
const Conflict = ErrorBody.extend({ receipt: ReceiptView });

const view = (r: ReceiptRecord): z.infer<typeof ReceiptView> => ({
  id: r.id,
  state: r.state,
  chat_id: r.chatId,
  customer_id: r.customerId,
  mime_type: r.mimeType,
  size_bytes: r.sizeBytes,
  sha256: r.sha256,
  caption: r.caption,
  received_at: r.receivedAt,
  decided_at: r.decidedAt,
  decision: r.decision,
  result: r.result,
  file_url: `/api/receipts/${r.id}/file`,
});

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

export function registerReceiptRoutes(app: HttpApp, context: AccountsContext): void {
  const security = [{ bearer: [] }];
  const decisions = createReceiptDecisions({
    receipts: context.receipts,
    billing: context.billing,
    outbound: context.producers.outbound,
    texts: context.texts,
    metrics: context.accountsMetrics,
    clock: context.clock,
    notices: context.notices,
    countryCode: context.config.NOTICE_COUNTRY_CODE,
  });
  const answer = (outcome: DecisionOutcome) => {
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
  };

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
      const page = await context.receipts.list(state, limit, offset);
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
      const receipt = await context.receipts.get(request.params.id);
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
      const file = await context.receipts.bytes(request.params.id);
      if (!file) throw httpErrors.notFound('no such receipt');
      return reply.header('content-type', file.mimeType).send(file.bytes);
    },
  );

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
