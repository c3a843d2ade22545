import { type HttpApp, ErrorBody } from '@helpline/runtime';
import type { ClassifierChain } from '../chain/classifier-chain.js';
import { ClassifyAnswer, ClassifyBody, classifyInputOf } from './classify-body.js';

/** POST /classify: the same chain as the worker, synchronously, without routing. */
export function registerClassifyRoute(app: HttpApp, chain: ClassifierChain): void {
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
      const result = await chain.classify({
        ...classifyInputOf(body),
        history: body.history ?? [],
        ...(body.language ? { languageHint: body.language } : {}),
      });
      return {
        classification: result.classification,
        provider: result.source,
        attempts: result.attempts,
        durationMs: result.durationMs,
      };
    },
  );
}
