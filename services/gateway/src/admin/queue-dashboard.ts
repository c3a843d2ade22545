import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { QueueName } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import type { Queue } from 'bullmq';
import { createDashboardAuth } from './dashboard-auth.js';

export const DASHBOARD_PATH = '/admin/queues';

export interface QueueDashboardOptions {
  queues: Record<QueueName, Queue>;
  apiToken: string | undefined;
}

/**
 * Bull Board over the pipeline's queues at /admin/queues, its pages, assets and API behind
 * the operator token. Registered in its own scope: Bull Board brings its own static files,
 * view engine and error handler, which must not leak into the gateway's other routes.
 */
export async function registerQueueDashboard(app: HttpApp, options: QueueDashboardOptions): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    // Operators retry failed jobs (the failed set is the dead-letter queue). Retrying a
    // completed outbound job sends nothing: the send guard remembers it for 7 days.
    queues: Object.values(options.queues).map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Helpline queues' } },
  });
  const auth = createDashboardAuth(options.apiToken);
  await app.register(async (scope) => {
    // The hook of this scope runs before every route Bull Board adds inside it.
    scope.addHook('onRequest', auth);
    await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}
