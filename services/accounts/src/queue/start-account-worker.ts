import { QUEUE_NAMES } from '@helpline/contracts';
import { createWorker } from '@helpline/runtime';
import type { Worker } from 'bullmq';
import type { AccountsContext } from '../context.js';

/** Starts consuming `accounts`; kept in the context for /health and shutdown. */
export function startAccountWorker(context: AccountsContext): Worker {
  const worker = createWorker(QUEUE_NAMES.accounts, (request, job) => context.handle(request, job), {
    connection: context.redis.worker,
    logger: context.logger,
    metrics: context.metrics,
    prefix: context.prefix,
    concurrency: context.config.ACCOUNTS_CONCURRENCY,
  });
  context.workers.push(worker);
  return worker;
}
