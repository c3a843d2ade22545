import type { Producer, ServiceBase } from '@helpline/runtime';
import type { BillingProvider } from '../billing/billing-provider.js';
import type { AccountsConfig } from '../config.js';
import type { DocumentStore } from '../documents/document-store.js';
import type { IdentityStore } from '../identity/identity-store.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import type { Notices } from '../notices/notices.js';
import type { PaymentPoint } from '../payment-points/payment-points.js';
import { createMediaClient } from '../receipts/media-client.js';
import type { ReceiptStore } from '../receipts/receipt-store.js';
import { createRequestHandler, type RequestHandler } from './handle-request.js';
import type { TextBook } from './texts.js';

export interface RequestHandlerParts {
  billing: BillingProvider;
  documents: DocumentStore;
  receipts: ReceiptStore;
  identity: IdentityStore;
  producers: { outbound: Producer<'outbound'>; tickets: Producer<'tickets'> };
  paymentPoints: () => Promise<PaymentPoint[]>;
  metrics: AccountsMetrics;
  texts: TextBook;
  notices: Notices;
}

/** The account requests' handler, with the gateway's media endpoint for receipts. */
export function buildRequestHandler(
  base: ServiceBase<AccountsConfig>,
  parts: RequestHandlerParts,
  overrides: { fetch?: typeof fetch; issuer?: string },
): RequestHandler {
  const { config } = base;
  return createRequestHandler({
    billing: parts.billing,
    documents: parts.documents,
    tickets: parts.producers.tickets,
    outbound: parts.producers.outbound,
    paymentPoints: parts.paymentPoints,
    metrics: parts.metrics,
    clock: base.clock,
    issuer: overrides.issuer ?? 'Helpline',
    identity: parts.identity,
    texts: parts.texts,
    maxIdentityTries: config.IDENTITY_MAX_TRIES,
    media: createMediaClient({
      gatewayUrl: config.GATEWAY_URL,
      token: config.API_TOKEN,
      maxBytes: config.RECEIPT_MAX_BYTES,
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    }),
    receipts: parts.receipts,
    maxBytes: config.RECEIPT_MAX_BYTES,
    notices: parts.notices,
  });
}
