import type { AccountRequest, ResumableAccountKind } from '@helpline/contracts';
import { documentKey } from '@helpline/directory';
import type { JobContext, Producer } from '@helpline/runtime';
import { CodedError, ERRORS } from '@helpline/runtime';
import type { Account } from '../billing/billing-provider.js';
import type { IdentityStore } from '../identity/identity-store.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import type { Notices } from '../notices/notices.js';
import {
  billingMenu,
  debt,
  type FlowDeps,
  invoiceDocument,
  invoices,
  passwordChange,
  paymentPoints,
  planChoice,
  plans,
} from './flows.js';
import { fill, firstName } from './format-and-fill.js';
import { type ReceiptIntakeDeps, receiveReceipt } from './receipt-intake.js';
import { createReplier, type Replier } from './reply.js';
import type { TextBook } from './texts.js';
import { allowedAccounts, whoIsAsking } from './who-is-asking.js';

export interface HandlerDeps extends FlowDeps, Omit<ReceiptIntakeDeps, 'customerIdOf' | 'metrics'> {
  outbound: Producer<'outbound'>;
  identity: IdentityStore;
  metrics: AccountsMetrics;
  texts: TextBook;
  maxIdentityTries: number;
  /** Opt-out of notices and the chat's language for them. */
  notices?: Pick<Notices, 'optOut' | 'languages'>;
}

// Free text the classifier sent: which flow its words ask for.
const MESSAGE_FLOWS: [RegExp, ResumableAccountKind | 'payment_points'][] = [
  [/\b(contrase|clave|password|wifi)/i, 'password_change'],
  [/\b(punto|d[oó]nde (puedo )?pag|where (can i )?pay|payment point)/i, 'payment_points'],
  [/\b(factura|invoice|recibo de cobro|bill\b)/i, 'invoices'],
  [/\b(deb[oe]|deuda|saldo|cu[aá]nto (es|pago|tengo)|owe|balance|debt)/i, 'debt'],
  [/\b(plan|velocidad|megas|mejorar|upgrade|speed)/i, 'plans'],
];

export function flowForMessage(text: string, category: 'billing' | 'account' | 'sales') {
  for (const [pattern, kind] of MESSAGE_FLOWS) if (pattern.test(text)) return kind;
  return category === 'sales' ? 'plans' : 'billing_menu';
}

/**
 * One account request, start to end: who is asking, then the flow it asks for. Any
 * back-office failure tells the customer once that the system is away (and how to reach a
 * person) and is rethrown, so the job is retried and, failing for good, stays in the failed
 * set: nothing acknowledged is dropped.
 */
export function createRequestHandler(deps: HandlerDeps) {
  const whoDeps = { billing: deps.billing, identity: deps.identity, metrics: deps.metrics };

  async function resumable(
    request: AccountRequest,
    kind: ResumableAccountKind,
    reply: Replier,
    named?: string,
  ): Promise<void> {
    if (kind === 'billing_menu') {
      await billingMenu(reply);
      return;
    }
    const account = await whoIsAsking(request, kind, reply, whoDeps, named);
    if (!account) return;
    await withAccount(request, kind, account, reply);
  }

  async function withAccount(request: AccountRequest, kind: ResumableAccountKind, account: Account, reply: Replier) {
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

  /** The customer typed a document number (or a customer id) after being asked for it. */
  async function identify(request: Extract<AccountRequest, { kind: 'identify' }>, reply: Replier) {
    const t = reply.texts;
    const chatId = request.replyTo.chatId;
    const key = documentKey(request.text);
    const giveUp = async () => {
      await deps.identity.takePending(chatId);
      await deps.identity.clearTries(chatId);
      // Purpose `handoff`: the same job id as the gateway's own announcement, so one message.
      await reply.text('handoff', t.identityFailed, { handoff: true, awaiting: 'none' });
      reply.outcome = 'identity_failed';
    };
    const tryAgain = async (template: string) => {
      const tries = await deps.identity.failedTry(chatId, request.correlationId);
      if (tries >= deps.maxIdentityTries) return giveUp();
      await reply.text('ask_document', fill(template, { left: deps.maxIdentityTries - tries }), {
        awaiting: 'account_identity',
      });
      reply.outcome = 'identity_asked';
    };
    if (!/^\d{4,15}$/.test(key)) return tryAgain(/[a-z]/i.test(key) ? t.documentFormat : t.askDocumentAgain);
    const holders = await deps.billing.findAccounts({ documentNumber: key });
    if (holders.length === 0) {
      const byId = await deps.billing.findAccounts({ customerId: key });
      if (byId.length > 0) {
        // A customer id is easy to guess; the holder's document number is the proof.
        await reply.text('ask_document', fill(t.customerIdNeedsDocument, { customerId: key }), {
          awaiting: 'account_identity',
        });
        reply.outcome = 'identity_asked';
        return;
      }
      return tryAgain(t.askDocumentAgain);
    }
    await deps.identity.prove(
      chatId,
      holders.map((a) => a.customerId),
    );
    const resume = (await deps.identity.takePending(chatId)) ?? 'billing_menu';
    const first = holders[0] as Account;
    await reply.text('identity_confirmed', fill(t.identityConfirmed, { name: firstName(first) }), { awaiting: 'none' });
    await resumable(request, resume, reply);
  }

  async function dispatch(request: AccountRequest, reply: Replier): Promise<void> {
    switch (request.kind) {
      case 'billing_menu':
      case 'debt':
      case 'invoices':
      case 'plans':
        return resumable(request, request.kind, reply);
      case 'password_change': {
        if (!request.target) return resumable(request, 'password_change', reply);
        const account = await whoIsAsking(request, 'password_change', reply, whoDeps);
        if (account) await passwordChange(request, account, request.target, reply, deps);
        return;
      }
      case 'choose_account':
        return resumable(request, request.resume, reply, request.customerId);
      case 'invoice_document': {
        const account = await whoIsAsking(request, 'invoices', reply, whoDeps, request.customerId);
        if (account) await invoiceDocument(request, account, request.invoiceId, reply, deps);
        return;
      }
      case 'plan_choice': {
        const account = await whoIsAsking(request, 'plans', reply, whoDeps, request.customerId);
        if (account) await planChoice(request, account, request.planId, reply, deps);
        return;
      }
      case 'payment_points': {
        // Public information: no identity asked; the city only when the phone names one account.
        let city: string | undefined;
        if (!request.location) {
          const accounts = await deps.billing.findAccounts({ phone: request.phone }).catch(() => []);
          city = accounts.length === 1 ? accounts[0]?.city : undefined;
        }
        return paymentPoints(request.location, city, reply, deps);
      }
      case 'receipt':
        return receiveReceipt(request, reply, {
          ...deps,
          customerIdOf: async (r) => {
            const allowed = await allowedAccounts(r, whoDeps);
            return allowed.length === 1 ? allowed[0]?.customerId : undefined;
          },
        });
      case 'identify':
        return identify(request, reply);
      case 'message': {
        const flow = flowForMessage(request.text, request.category);
        if (flow === 'payment_points') return paymentPoints(undefined, undefined, reply, deps);
        return resumable(request, flow, reply);
      }
      case 'notices_opt_out':
      case 'notices_opt_in': {
        if (!deps.notices) throw new CodedError(ERRORS.internal_error, 'notices are not wired in this process');
        await deps.notices.optOut(request);
        const t = reply.texts;
        await reply.text(request.kind, request.kind === 'notices_opt_out' ? t.noticesOptedOut : t.noticesOptedIn);
        return;
      }
    }
  }

  return async function handle(request: AccountRequest, job: Pick<JobContext, 'attempt' | 'logger'>): Promise<void> {
    const reply = createReplier(deps.outbound, request, deps.texts[request.replyTo.language]);
    try {
      // Notices go out in the language the chat last wrote in.
      await deps.notices?.languages
        .remember(request.replyTo.chatId, request.replyTo.language)
        .catch((error: unknown) => job.logger.warn({ err: error }, 'could not remember the chat language'));
      await dispatch(request, reply);
      deps.metrics.request(request.kind, reply.outcome ?? 'answered');
    } catch (error) {
      deps.metrics.request(request.kind, 'unavailable');
      job.logger.warn({ err: error, kind: request.kind, attempt: job.attempt }, 'account request failed');
      // Told once, whatever the number of attempts: the job id is the same each time.
      await reply.text('unavailable', reply.texts.unavailable).catch(() => {});
      throw error;
    }
  };
}
export type RequestHandler = ReturnType<typeof createRequestHandler>;
