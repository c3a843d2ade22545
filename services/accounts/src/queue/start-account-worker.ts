import { QUEUE_NAMES } from '@helpline/contracts';
import { createWorker } from '@helpline/runtime';
import type { Worker } from 'bullmq';
import type { AccountsContext } from '../context.js';

/** Starts consuming `accounts`; handed to the context for /health and shutdown (closed first). */
export function startAccountWorker(context: AccountsContext): Worker {
  return context.addWorker(
    createWorker(QUEUE_NAMES.accounts, (request, job) => context.handle(request, job), {
      connection: context.redis('worker'),
      logger: context.logger,
      metrics: context.metrics,
      prefix: context.prefix,
      concurrency: context.config.ACCOUNTS_CONCURRENCY,
    }),
  );
}
