// What one outbound message becomes on Twilio's Messages API: the form (or, outside the
// 24-hour window, its template's), or an interactive Content API message for buttons and lists.
import { jobIds, type OutboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import { asTemplateMessage, windowClosed } from '../outbound/send-flow.js';
import { windowFallbackFor } from '../templates/window-fallback.js';
import { ContentApiError } from './twilio-content.js';
import { type TwilioMessagePlan, twilioMessagePlan } from './twilio-message-form.js';
import type { TwilioSenderDeps } from './twilio-sender.js';

/** The status callback URL for one message: the job id rides in the query, signed with the rest. */
export function statusCallbackFor(base: string | undefined, message: OutboundMessage): string | undefined {
  if (!base) return undefined;
  const url = new URL(base);
  url.searchParams.set('job', jobIds.outbound(message.correlationId, message.purpose));
  return url.toString();
}

export type TwilioPlanDeps = Pick<
  TwilioSenderDeps,
  'from' | 'statusCallbackUrl' | 'templates' | 'documentUrls' | 'content' | 'windowTemplate'
>;

export function createTwilioPlans(deps: TwilioPlanDeps) {
  /** The message as its purpose's template with a Twilio Content SID, or refused at once when none applies. */
  function asTemplate(message: OutboundMessage, why: string): OutboundMessage {
    const fallback = windowFallbackFor(message, deps.templates, deps.windowTemplate);
    const sid = fallback && (fallback.contentSid ?? deps.templates.contentSidFor(fallback.name, fallback.language));
    if (!fallback || !sid) {
      throw windowClosed(why, 'no template with a Twilio Content SID applies (WHATSAPP_TEMPLATES_FILE)');
    }
    return asTemplateMessage(message, fallback);
  }

  function plan(message: OutboundMessage): TwilioMessagePlan {
    return twilioMessagePlan(message, {
      from: deps.from,
      statusCallback: statusCallbackFor(deps.statusCallbackUrl, message),
      contentSidFor: (name, language) => deps.templates.contentSidFor(name, language),
      ...(deps.documentUrls ? { documentUrl: deps.documentUrls.urlFor } : {}),
    });
  }

  /**
   * Buttons and a list as an interactive Content API message, when that is on: the form
   * with the content's SID in place of the body. Undefined (numbered text goes instead)
   * when the Content API cannot make the content.
   */
  async function interactivePlan(message: OutboundMessage, log: Logger): Promise<TwilioMessagePlan | undefined> {
    const c = message.content;
    if (!deps.content || (c.kind !== 'buttons' && c.kind !== 'list')) return undefined;
    try {
      const sid = await deps.content.sidFor(c, 'es');
      const { form } = plan(message);
      return { form: [...form.filter(([name]) => name !== 'Body'), ['ContentSid', sid]] };
    } catch (error) {
      if (!(error instanceof ContentApiError)) throw error;
      log.warn({ err: error }, 'Content API refused the choices; sending them as numbered text');
      return undefined;
    }
  }

  return { asTemplate, plan, interactivePlan };
}

export type TwilioPlans = ReturnType<typeof createTwilioPlans>;
