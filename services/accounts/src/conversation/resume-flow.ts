import type { AccountRequest, ResumableAccountKind } from '@helpline/contracts';
import type { Account } from '../billing/billing-provider.js';
import { billingMenu, debt, invoices, passwordChange, plans } from './flows.js';
import { type HandlerDeps, whoDepsOf } from './handler-deps.js';
import type { Replier } from './reply.js';
import { whoIsAsking } from './who-is-asking.js';

/**
 * A flow that can wait for the customer to say who they are and then go on: the billing
 * menu at once, the others once the account asking is known (`named` when the customer
 * picked one of several).
 */
export async function resumeFlow(
  deps: HandlerDeps,
  request: AccountRequest,
  kind: ResumableAccountKind,
  reply: Replier,
  named?: string,
): Promise<void> {
  if (kind === 'billing_menu') {
    await billingMenu(reply);
    return;
  }
  const account = await whoIsAsking(request, kind, reply, whoDepsOf(deps), named);
  if (!account) return;
  await withAccount(deps, request, kind, account, reply);
}

async function withAccount(
  deps: HandlerDeps,
  request: AccountRequest,
  kind: ResumableAccountKind,
  account: Account,
  reply: Replier,
) {
  switch (kind) {
    case 'debt':
      return debt(account, reply, deps);
    case 'invoices':
      return invoices(account, reply, deps);
    case 'plans':
      return plans(account, reply, deps);
    case 'password_change':
      return passwordChange(request, account, undefined, reply, deps);
    case 'billing_menu':
      return billingMenu(reply);
  }
}
