import type { OutboundMessage } from '@helpline/contracts';
import { PermanentError } from '@helpline/runtime';

/**
 * Free text of a broadcast reaches only chats inside their 24-hour window (issue 16): such
 * a message is never turned into a template outside it. The accounts service checks the
 * windows before it hands each batch out; this is the check at send time, for a window
 * that closed in between.
 */
export function isWindowOnlyBroadcast(message: OutboundMessage): boolean {
  return message.meta?.notice?.broadcastId !== undefined && message.content.kind === 'text';
}

/**
 * Fails the job for good with `window_closed` (the broadcast's report counts the recipient
 * as skipped for it); nothing is sent.
 */
export function refuseClosedWindowBroadcast(): never {
  throw new PermanentError(
    'window_closed',
    'free text of a broadcast reaches only chats inside their 24-hour window: the window is closed, nothing was sent',
  );
}
