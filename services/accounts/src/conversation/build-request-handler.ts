// The handler of the `accounts` queue's requests as the service wires it: the back-office,
// documents, receipts (the gateway's media endpoint for their bytes), identity, notices.
import type { Producer } from '@helpline/runtime';
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

export function buildRequestHandler(
  config: AccountsConfig,
  parts: {
    billing: BillingProvider;
    documents: DocumentStore;
    receipts: ReceiptStore;
    identity: IdentityStore;
    notices: Notices;
    texts: TextBook;
    paymentPoints: () => Promise<PaymentPoint[]>;
    producers: { tickets: Producer<'tickets'>; outbound: Producer<'outbound'> };
    accountsMetrics: AccountsMetrics;
    clock: () => Date;
    overrides: { issuer?: string; fetch?: typeof fetch };
  },
): RequestHandler {
  const {
    billing,
    documents,
    producers,
    paymentPoints,
    accountsMetrics,
    clock,
    identity,
    texts,
    receipts,
    notices,
    overrides,
  } = parts;
  return createRequestHandler({
    billing,
    documents,
    tickets: producers.tickets,
    outbound: producers.outbound,
    paymentPoints,
    metrics: accountsMetrics,
    clock,
    issuer: overrides.issuer ?? 'Helpline',
    identity,
    texts,
    maxIdentityTries: config.IDENTITY_MAX_TRIES,
    media: createMediaClient({
      gatewayUrl: config.GATEWAY_URL,
      token: config.API_TOKEN,
      maxBytes: config.RECEIPT_MAX_BYTES,
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    }),
    receipts,
    maxBytes: config.RECEIPT_MAX_BYTES,
    notices,
  });
}
