import type { AccountRequest } from '@helpline/contracts';
import { documentKey } from '@helpline/directory';
import type { Account } from '../billing/billing-provider.js';
import { fill, firstName } from './format-and-fill.js';
import type { HandlerDeps } from './handler-deps.js';
import type { Replier } from './reply.js';
import { resumeFlow } from './resume-flow.js';

/**
 * The customer typed a document number (or a customer id) after being asked for it. A
 * holder found proves the chat for the holder's accounts and resumes the flow that asked;
 * after `maxIdentityTries` failures the chat is handed to a person.
 */
export async function identify(
  deps: HandlerDeps,
  request: Extract<AccountRequest, { kind: 'identify' }>,
  reply: Replier,
): Promise<void> {
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
  await resumeFlow(deps, request, resume, reply);
}
