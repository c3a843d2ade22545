import { type HttpApp, ErrorBody } from '@helpline/runtime';
import type { Assistant } from '../assistant/assistant.js';
import { ClassifyAnswer, ClassifyBody, classifyInputOf } from './classify-body.js';

/** POST /classify: the same chain and assistant as the worker, synchronously, without routing. */
export function registerClassifyRoute(app: HttpApp, assistant: Assistant): void {
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
      const result = await assistant.classify({
        ...classifyInputOf(body),
        history: body.history ?? [],
        ...(body.language ? { languageHint: body.language } : {}),
      });
      return {
        classification: result.classification,
        provider: result.source,
        attempts: result.attempts,
        durationMs: result.durationMs,
        ownAccount: result.ownAccount,
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
