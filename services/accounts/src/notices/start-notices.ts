import type { AccountsContext } from '../context.js';
import {
  createNoticeQueue,
  createNoticeWorker,
  scheduleDailyNotices,
  unscheduleDailyNotices,
} from './notice-scheduler.js';

/**
 * At start: the opt-out mirror rebuilt from PostgreSQL (so the gateway's set cannot drift
 * from the record), the daily job scheduler installed (or removed when NOTICES_ENABLED is
 * false), and the `notices` consumer started. Every replica does the same; BullMQ adds one
 * job per day whatever their number.
 */
export async function startNotices(context: AccountsContext): Promise<void> {
  const { config, logger } = context;
  const optedOut = await context.notices.optOuts.rebuildMirror();
  const queue = createNoticeQueue(context.redis('producer'), context.prefix);
  if (!config.NOTICES_ENABLED) {
    await unscheduleDailyNotices(queue);
    await queue.close();
    logger.info({ optedOut }, 'notices disabled (NOTICES_ENABLED=false): no daily run');
    return;
  }
  const next = await scheduleDailyNotices(queue, {
    sendTime: config.NOTICE_SEND_TIME,
    timeZone: config.BUSINESS_TIMEZONE,
  });
  await queue.close();
  const worker = createNoticeWorker({
    connection: context.redis('worker'),
    prefix: context.prefix,
    logger,
    metrics: context.metrics,
    timeZone: config.BUSINESS_TIMEZONE,
    run: (request) => context.notices.run(request),
  });
  context.addWorker(worker);
  logger.info(
    { next: next?.toISOString(), sendTime: config.NOTICE_SEND_TIME, timeZone: config.BUSINESS_TIMEZONE, optedOut },
    'daily notices scheduled',
  );
}
