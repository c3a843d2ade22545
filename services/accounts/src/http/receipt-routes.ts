import type { HttpApp } from '@helpline/runtime';
import type { AccountsContext } from '../context.js';
import { createReceiptDecisions } from '../receipts/receipt-decisions.js';
import { registerReceiptDecisionRoutes } from './receipt-decision-routes.js';
import { registerReceiptReadRoutes } from './receipt-read-routes.js';

/** Payment receipts for staff: reading them, and the decisions (confirm, reject). */
export function registerReceiptRoutes(app: HttpApp, context: AccountsContext): void {
  registerReceiptReadRoutes(app, context.receipts);
  registerReceiptDecisionRoutes(
    app,
    createReceiptDecisions({
      receipts: context.receipts,
      billing: context.billing,
      outbound: context.producers.outbound,
      texts: context.texts,
      metrics: context.accountsMetrics,
      clock: context.clock,
      notices: context.notices,
      countryCode: context.config.NOTICE_COUNTRY_CODE,
    }),
  );
}
