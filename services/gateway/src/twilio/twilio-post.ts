// One message out through the Messages API: the call (timed), a long text in parts, the
// numbered choices remembered for the customer's answer.
import { jobIds, type OutboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import { splitBody, TWILIO_MAX_BODY } from './long-body.js';
import type { MessageForm } from './twilio-message-form.js';
import type { TwilioPlans } from './twilio-plans.js';
import type { TwilioSenderDeps } from './twilio-sender.js';

export type TwilioPostDeps = Pick<TwilioSenderDeps, 'client' | 'bodyParts' | 'options' | 'metrics'>;

export function createTwilioPost(deps: TwilioPostDeps, plans: TwilioPlans) {
  const { metrics } = deps;

  async function call(form: MessageForm): Promise<{ messageId?: string }> {
    const started = performance.now();
    try {
      return await deps.client.sendMessage(form);
    } finally {
      metrics.sendDuration.observe({ channel: 'twilio' }, (performance.now() - started) / 1000);
    }
  }

  /**
   * A text over Twilio's limit goes as several messages, in order. Each part sent is
   * recorded, so a retry sends only the rest; only the last part names the status callback,
   * so the job counts as sent once the whole text is out. Resolves with the last part's SID,
   * whose statuses the delivery record follows.
   */
  async function callInParts(
    message: OutboundMessage,
    form: MessageForm,
    body: string,
  ): Promise<{ messageId?: string }> {
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    const parts = splitBody(body);
    const done = await deps.bodyParts.sent(jobId);
    let messageId = done.at(-1);
    for (let i = done.length; i < parts.length; i++) {
      const last = i === parts.length - 1;
      const partForm: MessageForm = [
        ...form.filter(([name]) => name !== 'Body' && (last || name !== 'StatusCallback')),
        ['Body', parts[i] ?? ''],
      ];
      const result = await call(partForm);
      messageId = result.messageId;
      await deps.bodyParts.record(jobId, i, result.messageId ?? '');
    }
    return messageId ? { messageId } : {};
  }

  return async function post(message: OutboundMessage, log: Logger): Promise<{ messageId?: string }> {
    const { form, options } = (await plans.interactivePlan(message, log)) ?? plans.plan(message);
    const body = form.find(([name]) => name === 'Body')?.[1];
    const result =
      body !== undefined && body.length > TWILIO_MAX_BODY ? await callInParts(message, form, body) : await call(form);
    metrics.messagesSent.inc({ channel: 'twilio', outcome: 'sent', code: 'none' });
    log.info({ messageId: result.messageId, kind: message.content.kind, purpose: message.purpose }, 'message sent');
    // The numbers of this message answer its choices; any other message retires older ones.
    // Failing here must not fail a message that is out: the numbers then mean nothing.
    const remembered = options ? deps.options.remember(message.to, options) : deps.options.clear(message.to);
    await remembered.catch((error: unknown) => log.warn({ err: error }, 'could not record the numbered choices'));
    return { messageId: result.messageId };
  };
}

export type TwilioPost = ReturnType<typeof createTwilioPost>;
