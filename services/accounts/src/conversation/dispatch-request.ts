import type { AccountRequest } from '@helpline/contracts';
import { CodedError, ERRORS } from '@helpline/runtime';
import { invoiceDocument, passwordChange, paymentPoints, planChoice } from './flows.js';
import { type HandlerDeps, whoDepsOf } from './handler-deps.js';
import { identify } from './identify.js';
import { flowForMessage } from './message-flow.js';
import { receiveReceipt } from './receipt-intake.js';
import type { Replier } from './reply.js';
import { resumeFlow } from './resume-flow.js';
import { allowedAccounts, whoIsAsking } from './who-is-asking.js';

/** The flow an account request asks for, by its kind. */
export async function dispatchRequest(deps: HandlerDeps, request: AccountRequest, reply: Replier): Promise<void> {
  const whoDeps = whoDepsOf(deps);
  switch (request.kind) {
    case 'billing_menu':
    case 'debt':
    case 'invoices':
    case 'plans':
      return resumeFlow(deps, request, request.kind, reply);
    case 'password_change': {
      if (!request.target) return resumeFlow(deps, request, 'password_change', reply);
      const account = await whoIsAsking(request, 'password_change', reply, whoDeps);
      if (account) await passwordChange(request, account, request.target, reply, deps);
      return;
    }
    case 'choose_account':
      return resumeFlow(deps, request, request.resume, reply, request.customerId);
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
      return identify(deps, request, reply);
    case 'message': {
      const flow = flowForMessage(request.text, request.category);
      if (flow === 'payment_points') return paymentPoints(undefined, undefined, reply, deps);
      return resumeFlow(deps, request, flow, reply);
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
