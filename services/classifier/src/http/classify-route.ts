import { type HttpApp, ErrorBody } from '@helpline/runtime';
import type { Assistant } from '../assistant/assistant.js';
import { customerReply } from '../routing/customer-reply.js';
import type { ReplyTexts } from '../routing/reply-texts.js';
import { decideRouting } from '../routing/routing-decision.js';
import { ClassifyAnswer, ClassifyBody, classifyInputOf, senderFactsOf } from './classify-body.js';

export interface ClassifyRouteDeps {
  assistant: Assistant;
  replies: ReplyTexts;
  /** ACCOUNTS_ENABLED: a customer's billing, account and sales questions go to the accounts service. */
  accountsEnabled: boolean;
}

/**
 * POST /classify: the same chain and assistant as the worker, synchronously, and what the
 * customer would get as the router would decide it (routing-decision.ts), queuing nothing.
 */
export function registerClassifyRoute(app: HttpApp, deps: ClassifyRouteDeps): void {
  app.post(
    '/classify',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Classify one message with the provider chain (keywords last)',
        tags: ['classifier'],
        security: [{ bearer: [] }],
        body: ClassifyBody,
        response: { 200: ClassifyAnswer, 400: ErrorBody, 401: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const body = request.body;
      const result = await deps.assistant.classify({
        ...classifyInputOf(body),
        history: body.history ?? [],
        ...(body.language ? { languageHint: body.language } : {}),
      });
      const decision = decideRouting(
        result.classification,
        senderFactsOf(body),
        { ownAccount: result.ownAccount, ...(result.answer ? { answer: result.answer } : {}) },
        deps.accountsEnabled,
      );
      return {
        classification: result.classification,
        provider: result.source,
        attempts: result.attempts,
        durationMs: result.durationMs,
        ownAccount: result.ownAccount,
        reply: customerReply(decision, result.classification.language, deps.replies),
        ...(result.answer
          ? {
              answer: {
                text: result.answer.text,
                entries: result.answer.entries.map((e) => e.heading),
                source: result.answer.source,
                kind: result.answer.kind,
              },
            }
          : {}),
      };
    },
  );
}
