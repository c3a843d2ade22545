import type { CheckResult } from '@helpline/runtime';
import type { GroupSessionStatus } from './group-session.js';
import type { InboundSpool } from './inbound-spool.js';

/**
 * Group mode in /health: down while auth state cannot be written, degraded while messages
 * are held in memory only or wait in the spool, or while the session is not open.
 */
export function groupChannelHealth(
  status: GroupSessionStatus,
  spool: Pick<InboundSpool<unknown>, 'size' | 'health'>,
  spoolPath: string,
): CheckResult {
  const spoolHealth = spool.health();
  const details = {
    state: status.state,
    spooled: spool.size(),
    unsaved: spoolHealth.unsaved,
    dropped: spoolHealth.dropped,
  };
  if (status.authWriteError) return { status: 'down', message: status.message, details };
  if (spoolHealth.failing) {
    // Degraded, not down: a restart (which a failing probe may bring) would lose them.
    return {
      status: 'degraded',
      message: `${spoolHealth.unsaved} group messages are held in memory only: the spool file ${spoolPath} cannot be written (${spoolHealth.lastWriteError ?? 'write failed'}); free the disk, do not restart`,
      details,
    };
  }
  if (status.state === 'open' || status.state === 'standby') {
    if (spool.size() > 0)
      return { status: 'degraded', message: `${spool.size()} group messages wait in the spool for Redis`, details };
    return { status: 'ok', message: status.message, details };
  }
  return { status: 'degraded', message: `group session ${status.state}: ${status.message}`, details };
}
