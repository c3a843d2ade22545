import { createHttpApp, type HttpApp, pingRedis } from '@helpline/runtime';
import type { ClassifierContext } from './context.js';
import { knowledgeHealth } from './health/knowledge-health.js';
import { providerHealth } from './health/provider-health.js';
import { registerClassifyRoute } from './http/classify-route.js';
import { registerKnowledgeRoutes } from './http/knowledge-routes.js';

/** The classifier's HTTP app: /health, /metrics, /docs and POST /classify. No I/O here. */
export async function buildApp(context: ClassifierContext): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'classifier',
    description: 'Classifies messages with LLMs in a fallback chain behind breakers, keywords last, and routes them',
    logger: context.logger,
    metrics: context.metrics,
    apiToken: context.config.API_TOKEN,
    healthChecks: {
      redis: async () =>
        (await pingRedis(context.redis('producer')))
          ? { status: 'ok' }
          : { status: 'down', message: `Redis at REDIS_URL does not answer` },
      worker: () => {
        const worker = context.workers[0];
        if (!worker) return { status: 'ok', message: 'no inbound worker in this process' };
        return worker.isRunning() ? { status: 'ok' } : { status: 'down', message: 'the inbound worker is not running' };
      },
      providers: () => providerHealth(context.chain, context.statusBoard),
      knowledge: () => knowledgeHealth(context.knowledge.summary()),
    },
  });
  registerClassifyRoute(app, {
    assistant: context.assistant,
    replies: context.replies,
    accountsEnabled: context.producers.accounts !== undefined,
  });
  registerKnowledgeRoutes(app, context.knowledge);
  return app;
}
