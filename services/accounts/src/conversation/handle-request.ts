import type { AccountRequest } from '@helpline/contracts';
import type { JobContext } from '@helpline/runtime';
import { dispatchRequest } from './dispatch-request.js';
import type { HandlerDeps } from './handler-deps.js';
import { createReplier } from './reply.js';

export type { HandlerDeps } from './handler-deps.js';
export { flowForMessage } from './message-flow.js';

/**
 * One account request, start to end: who is asking, then the flow it asks for. Any
 * back-office failure tells the customer once that the system is away (and how to reach a
 * person) and is rethrown, so the job is retried and, failing for good, stays in the failed
 * set: nothing acknowledged is dropped.
 */
export function createRequestHandler(deps: HandlerDeps) {
  return async function handle(request: AccountRequest, job: Pick<JobContext, 'attempt' | 'logger'>): Promise<void> {
    const reply = createReplier(deps.outbound, request, deps.texts[request.replyTo.language]);
    try {
      // Notices go out in the language the chat last wrote in.
      await deps.notices?.languages
        .remember(request.replyTo.chatId, request.replyTo.language)
        .catch((error: unknown) => job.logger.warn({ err: error }, 'could not remember the chat language'));
      await dispatchRequest(deps, request, reply);
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
