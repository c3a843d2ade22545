import { accountReplyId, type AccountRequest, type ResumableAccountKind } from '@helpline/contracts';
import type { Account, BillingProvider } from '../billing/billing-provider.js';
import type { IdentityStore } from '../identity/identity-store.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import { clip, fill } from './format-and-fill.js';
import type { Replier } from './reply.js';

export interface WhoDeps {
  billing: BillingProvider;
  identity: IdentityStore;
  metrics: AccountsMetrics;
}

/**
 * The accounts this chat may see: those whose phones include the chat's phone, and those
 * whose holder's document number the chat typed in this conversation. Nothing else.
 */
export async function allowedAccounts(request: AccountRequest, deps: WhoDeps): Promise<Account[]> {
  const byPhone = await deps.billing.findAccounts({ phone: request.phone });
  const proven = await deps.identity.provenIds(request.replyTo.chatId);
  const accounts = [...byPhone];
  for (const id of proven) {
    if (accounts.some((a) => a.customerId === id)) continue;
    accounts.push(...(await deps.billing.findAccounts({ customerId: id })).filter((a) => a.customerId === id));
  }
  return accounts;
}

/**
 * Who is asking, for a request that shows account data: the one allowed account (or the
 * one named, if it is allowed); otherwise a question is sent (the document number, or which
 * of several accounts) and undefined is returned. Several accounts are never narrowed to
 * the first.
 */
export async function whoIsAsking(
  request: AccountRequest,
  resume: ResumableAccountKind,
  reply: Replier,
  deps: WhoDeps,
  named?: string,
): Promise<Account | undefined> {
  const allowed = await allowedAccounts(request, deps);
  if (named !== undefined) {
    const account = allowed.find((a) => a.customerId === named);
    if (account) return account;
  } else if (allowed.length === 1) {
    return allowed[0];
  }
  const t = reply.texts;
  if (allowed.length === 0 || named !== undefined) {
    await deps.identity.setPending(request.replyTo.chatId, resume);
    await reply.text('ask_document', t.askDocument, { awaiting: 'account_identity' });
    reply.outcome = 'identity_asked';
    return undefined;
  }
  await reply.send('choose_account', {
    kind: 'list',
    body: t.chooseAccountBody,
    buttonText: t.chooseAccountButton,
    sections: [
      {
        rows: allowed.slice(0, 10).map((a) => ({
          id: accountReplyId({ kind: 'choose_account', customerId: a.customerId, resume }),
          title: clip(a.name ?? a.customerId, 24),
          description: clip(
            [fill(t.accountRowDescription, { customerId: a.customerId }), a.plan?.name].filter(Boolean).join(' · '),
            72,
          ),
        })),
      },
    ],
  });
  reply.outcome = 'account_asked';
  return undefined;
}
