// What a failed Twilio send becomes, by the error policy: the template instead (window
// closed), a retry (after the channel-wide pause a 429 asked for), or a failure.
import type { OutboundMessage } from '@helpline/contracts';
import { ERRORS, type Logger } from '@helpline/runtime';
import type { createSendFlow } from '../outbound/send-flow.js';
import { decideOnTwilioError } from './twilio-error-policy.js';
import type { TwilioPlans } from './twilio-plans.js';
import type { TwilioPost } from './twilio-post.js';
import type { TwilioSenderDeps } from './twilio-sender.js';

/** The key of the channel-wide pause in the pacer (a 429's Retry-After holds every send back). */
export const TWILIO_PAUSE_KEY = 'all';

export function createTwilioFailureHandler(
  deps: Pick<TwilioSenderDeps, 'pause'>,
  flow: ReturnType<typeof createSendFlow>,
  plans: Pick<TwilioPlans, 'asTemplate'>,
  post: TwilioPost,
) {
  return async function handleFailure(
    error: unknown,
    message: OutboundMessage,
    log: Logger,
  ): Promise<{ messageId?: string }> {
    const decision = decideOnTwilioError(error);
    const text = await flow.recordFailure(decision.code, error);
    switch (decision.action) {
      case 'window_template': {
        if (message.content.kind === 'template') break;
        const fallback = {
          code: decision.code,
          reason: `twilio_${decision.code}`,
          said: 'outside the 24-hour window: sending the template instead',
        };
        const template = () => plans.asTemplate(message, 'Twilio reports the 24-hour window closed');
        return flow.templateInstead(template, post, handleFailure, log, fallback);
      }
      case 'retry':
        if (decision.pauseMs !== undefined && decision.pauseMs > 0) {
          await deps.pause.pause(TWILIO_PAUSE_KEY, decision.pauseMs);
        }
        log.warn(
          { code: decision.code, pauseMs: decision.pauseMs, err: error },
          'Twilio send failed; it will be retried',
        );
        return flow.retry(decision.code, text, error);
      case 'recipient_invalid':
        return flow.fail(
          decision.code,
          'recipient_invalid',
          text,
          error,
          log,
          'Twilio refuses the recipient; not retried',
          false,
        );
      case 'fail':
        break;
    }
    // Twilio's number rides beside the fixed code as the refusal's providerCode.
    return flow.fail(
      decision.code,
      ERRORS.twilio_refused.code,
      text,
      error,
      log,
      'send refused by Twilio; not retried',
    );
  };
}
