import { DisconnectReason } from '@whiskeysockets/baileys';

/** What the session does after the socket closed. */
export type CloseDecision =
  | { action: 'reconnect'; reason: string; immediate: boolean }
  | { action: 'stop'; reason: string; state: 'logged_out' | 'replaced' | 'forbidden' };

/**
 * Baileys' DisconnectReason codes, read from Baileys itself. Logged out, replaced by another
 * client and forbidden cannot be fixed by connecting again (it would only hammer WhatsApp
 * and risk the account), so they stop the session; restartRequired (sent right after
 * pairing) reconnects at once; everything else reconnects with backoff.
 */
export function decideOnClose(code: number | undefined): CloseDecision {
  switch (code) {
    case DisconnectReason.loggedOut:
      return { action: 'stop', reason: 'logged_out', state: 'logged_out' };
    case DisconnectReason.connectionReplaced:
      return { action: 'stop', reason: 'connection_replaced', state: 'replaced' };
    case DisconnectReason.forbidden:
      return { action: 'stop', reason: 'forbidden', state: 'forbidden' };
    case DisconnectReason.restartRequired:
      return { action: 'reconnect', reason: 'restart_required', immediate: true };
    case undefined:
      return { action: 'reconnect', reason: 'unknown', immediate: false };
    default:
      return { action: 'reconnect', reason: reasonName(code), immediate: false };
  }
}

/** A low-cardinality name for a close code (metric label): Baileys' enum name, or `code_<n>`. */
export function reasonName(code: number): string {
  const names: Record<number, string> = {
    [DisconnectReason.connectionClosed]: 'connection_closed',
    [DisconnectReason.connectionLost]: 'connection_lost',
    [DisconnectReason.badSession]: 'bad_session',
    [DisconnectReason.multideviceMismatch]: 'multidevice_mismatch',
    [DisconnectReason.unavailableService]: 'unavailable_service',
  };
  return names[code] ?? (code >= 100 && code < 600 ? `code_${code}` : 'unknown');
}

export interface BackoffOptions {
  /** First delay (default 1 s). */
  baseMs: number;
  /** Largest delay (default 60 s). */
  maxMs: number;
  /** 0..1; Math.random in production, fixed in tests. */
  random: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the exponential delay for sure, the other
 * half at random, so replicas and restarts spread out but never retry at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * options.random());
}
