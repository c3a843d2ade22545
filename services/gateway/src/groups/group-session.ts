import type { Logger, Redis } from '@helpline/runtime';
import type { BaileysEventMap, UserFacingSocketConfig } from '@whiskeysockets/baileys';
import { Browsers } from '@whiskeysockets/baileys';
import { type AuthStateStore, type AuthStateWriteError, loadAuthState } from './auth-state-store.js';
import type { GroupDirectory } from './group-directory.js';
import type { GroupMetrics, SessionState } from './group-metrics.js';
import { disconnectCode, type GroupSocket, type GroupSocketFactory, listen } from './group-socket.js';
import type { LidDirectory } from './lid-directory.js';
import { type BackoffOptions, backoffDelay, decideOnClose } from './reconnect-policy.js';
import type { SessionLease } from './session-lease.js';

export type PairingInfo =
  | { method: 'qr'; since: string }
  | { method: 'code'; code: string; phone: string; since: string };

export interface GroupSessionStatus {
  state: SessionState;
  since: string;
  /** The linked account's number, once open. */
  account?: string;
  /** Present while pairing is pending. */
  pairing?: PairingInfo;
  lastDisconnect?: { reason: string; code?: number; at: string };
  reconnectAttempt: number;
  nextAttemptAt?: string;
  /** Whether this replica holds the session lease. */
  leaseHeld: boolean;
  /** Set while the last write of the auth state failed. */
  authWriteError?: string;
  /** One sentence for an operator. */
  message: string;
}

export interface GroupSessionOptions {
  socketFactory: GroupSocketFactory;
  redis: Redis;
  /** Prefix of the auth state keys. */
  authKeyPrefix: string;
  lease: SessionLease;
  leaseMs: number;
  logger: Logger;
  metrics: GroupMetrics;
  groups: GroupDirectory;
  lids: LidDirectory;
  /** Handles `messages.upsert` of the current socket. */
  onMessages: (upsert: BaileysEventMap['messages.upsert'], socket: GroupSocket) => Promise<void>;
  /** Shows a QR on the terminal. */
  printQr: (qr: string) => Promise<void>;
  /** Shows a pairing code on the terminal. */
  printPairingCode: (code: string, phone: string) => void;
  /** Pair by code with this phone (digits) instead of a QR. */
  pairingPhone?: string;
  backoff: BackoffOptions;
  clock: () => Date;
  /** Extra socket options (production: none). */
  socketConfig?: Partial<UserFacingSocketConfig>;
}

const STOPPED_MESSAGES: Partial<Record<SessionState, string>> = {
  logged_out:
    'the phone logged this device out; the auth state was cleared: restart the gateway and pair again (GET /api/qr or BAILEYS_PAIRING_PHONE)',
  replaced:
    'another client took over this WhatsApp session (connection replaced); stopped so as not to fight it: stop the other one, then restart',
  forbidden: 'WhatsApp refused the account (forbidden, often a ban); stopped; check the phone before restarting',
};

/**
 * The linked-device session: holds the lease, opens Baileys' socket with the auth state
 * from Redis, shows the pairing QR or code, reconnects with backoff and jitter, and stops
 * (saying why) when WhatsApp logged the device out, another client replaced it or the
 * account is forbidden.
 */
export class GroupSession {
  private state: SessionState = 'stopped';
  private since: Date;
  private socket: GroupSocket | undefined;
  private auth: AuthStateStore | undefined;
  private qr: string | undefined;
  private pairing: PairingInfo | undefined;
  private lastDisconnect: GroupSessionStatus['lastDisconnect'];
  private attempt = 0;
  private nextAttemptAt: Date | undefined;
  private leaseHeld = false;
  private authWriteError: string | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private credsRetryTimer: NodeJS.Timeout | undefined;
  private credsChain: Promise<void> = Promise.resolve();
  private running = false;
  /** Our listeners on the current socket, removed one by one (Baileys has its own on the same emitter). */
  private detachers: Array<() => void> = [];
  private readonly log: Logger;

  constructor(private readonly options: GroupSessionOptions) {
    this.since = options.clock();
    this.log = options.logger.child({ component: 'group-session' });
  }

  /** Starts (or waits for the lease, when another replica holds the session). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.claimLease();
  }

  /** Ends the socket, gives the lease up, stops every timer. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearTimers();
    await this.dropSocket();
    await this.credsChain;
    this.auth = undefined;
    await this.releaseLease();
    this.setState('stopped');
  }

  status(): GroupSessionStatus {
    return {
      state: this.state,
      since: this.since.toISOString(),
      account: this.socket?.user?.id ? this.socket.user.id.split('@')[0]?.split(':')[0] : undefined,
      pairing: this.pairing,
      lastDisconnect: this.lastDisconnect,
      reconnectAttempt: this.attempt,
      nextAttemptAt: this.nextAttemptAt?.toISOString(),
      leaseHeld: this.leaseHeld,
      authWriteError: this.authWriteError,
      message: this.describe(),
    };
  }

  /** The pending pairing QR, while there is one. */
  currentQr(): string | undefined {
    return this.state === 'connecting' ? this.qr : undefined;
  }

  /** The socket, only while the connection is open. */
  openSocket(): GroupSocket | undefined {
    return this.state === 'open' ? this.socket : undefined;
  }

  private describe(): string {
    if (this.authWriteError)
      return `auth state not stored in Redis (${this.authWriteError}); keys may be lost until it is`;
    switch (this.state) {
      case 'open':
        return 'linked and connected';
      case 'connecting':
        if (this.pairing?.method === 'code')
          return `pairing: enter code ${this.pairing.code} on the phone (Linked devices > Link with phone number)`;
        return this.qr
          ? 'pairing: scan the QR (terminal or GET /api/qr) from the phone (Linked devices)'
          : 'connecting to WhatsApp';
      case 'reconnecting':
        return `reconnecting after ${this.lastDisconnect?.reason ?? 'a disconnect'} (attempt ${this.attempt})`;
      case 'standby':
        return 'another replica holds the WhatsApp session; waiting for its lease';
      case 'stopped':
        return 'not started';
      default:
        return STOPPED_MESSAGES[this.state] ?? this.state;
    }
  }

  private setState(state: SessionState): void {
    if (state === this.state) return;
    this.state = state;
    this.since = this.options.clock();
    this.options.metrics.setState(state);
  }

  // --- lease ---------------------------------------------------------------------------

  private async claimLease(): Promise<void> {
    if (!this.running) return;
    let acquired = false;
    try {
      acquired = await this.options.lease.acquire();
    } catch (error) {
      this.log.warn({ err: error }, 'could not ask Redis for the session lease; trying again');
    }
    if (!this.running) return;
    if (!acquired) {
      this.setState('standby');
      this.leaseTimer = setTimeout(() => void this.claimLease(), Math.max(100, Math.floor(this.options.leaseMs / 2)));
      return;
    }
    this.leaseHeld = true;
    this.log.info({ holder: this.options.lease.holderId }, 'session lease acquired');
    this.scheduleRenewal();
    await this.connect();
  }

  private scheduleRenewal(): void {
    this.leaseTimer = setTimeout(() => void this.renewLease(), Math.max(50, Math.floor(this.options.leaseMs / 3)));
  }

  private async renewLease(): Promise<void> {
    if (!this.running) return;
    try {
      const kept = await this.options.lease.renew();
      if (!kept) {
        this.log.error('session lease lost to another replica; closing this socket');
        this.leaseHeld = false;
        this.clearTimers();
        await this.dropSocket();
        // The next holder may have changed the state; read it again when the lease is back.
        await this.credsChain;
        this.auth = undefined;
        this.setState('standby');
        await this.claimLease();
        return;
      }
    } catch (error) {
      // Redis away: nobody else can take the lease either; keep the session and try again.
      this.log.warn({ err: error }, 'session lease not renewed (Redis unavailable); will try again');
    }
    if (this.running && this.leaseHeld) this.scheduleRenewal();
  }

  private async releaseLease(): Promise<void> {
    if (!this.leaseHeld) return;
    this.leaseHeld = false;
    try {
      await this.options.lease.release();
    } catch (error) {
      this.log.warn({ err: error }, 'session lease not released; it expires by itself');
    }
  }

  // --- socket --------------------------------------------------------------------------

  private async connect(): Promise<void> {
    if (!this.running) return;
    this.nextAttemptAt = undefined;
    if (this.state !== 'reconnecting') this.setState('connecting');
    // The auth state is loaded once and kept across reconnects: Baileys mutates it in place,
    // and a fresh load would lose creds it has not asked to save yet.
    if (!this.auth) {
      try {
        const auth = await loadAuthState({
          redis: this.options.redis,
          keyPrefix: this.options.authKeyPrefix,
          onWriteError: (error) => this.onAuthWriteError(error),
          onWriteOk: () => {
            this.authWriteError = undefined;
          },
        });
        // New creds are stored at once, so that every replica pairs with the same identity.
        if (!auth.resumed) await auth.saveCreds();
        this.auth = auth;
      } catch (error) {
        this.log.error({ err: error }, 'auth state could not be read from (or written to) Redis; will try again');
        this.scheduleReconnect('auth_state_unavailable', false);
        return;
      }
    }
    if (!this.running) return;
    this.options.groups.reset();
    const auth = this.auth;
    const socket = this.options.socketFactory({
      auth: auth.state,
      logger: this.options.logger.child({ component: 'baileys' }, { level: 'warn' }),
      browser: Browsers.ubuntu('Helpline'),
      // Stay "offline" so that the phone keeps its notifications.
      markOnlineOnConnect: false,
      syncFullHistory: false,
      cachedGroupMetadata: this.options.groups.cached,
      ...this.options.socketConfig,
    });
    this.socket = socket;
    this.qr = undefined;
    this.pairing = undefined;
    this.detachers = [
      this.options.groups.attach(socket),
      listen(socket, 'connection.update', (update) => void this.onConnectionUpdate(socket, update)),
      listen(socket, 'creds.update', (update) => this.onCredsUpdate(socket, update)),
      listen(socket, 'lid-mapping.update', (mapping) => this.options.lids.learn(mapping.lid, mapping.pn)),
      listen(socket, 'messages.upsert', (upsert) => {
        if (socket !== this.socket) return;
        this.options.onMessages(upsert, socket).catch((error: unknown) => {
          this.log.error({ err: error }, 'group messages could not be handled');
        });
      }),
    ];
  }

  private async onConnectionUpdate(socket: GroupSocket, update: BaileysEventMap['connection.update']): Promise<void> {
    if (socket !== this.socket || !this.running) return;
    if (update.qr) await this.onQr(socket, update.qr);
    if (update.connection === 'open') {
      this.setState('open');
      this.attempt = 0;
      this.qr = undefined;
      this.pairing = undefined;
      this.log.info({ isNewLogin: update.isNewLogin ?? false }, 'group session open');
      this.options.groups.refresh(socket).catch((error: unknown) => {
        this.log.warn({ err: error }, 'group list not loaded; GET /api/groups will try again');
      });
    } else if (update.connection === 'close') {
      await this.onClose(update.lastDisconnect?.error);
    }
  }

  private async onQr(socket: GroupSocket, qr: string): Promise<void> {
    this.setState('connecting');
    this.qr = qr;
    const phone = this.options.pairingPhone;
    if (phone) {
      // WhatsApp offers a QR; with a pairing phone a code is asked for instead, once per socket.
      if (this.pairing?.method === 'code') return;
      try {
        const code = await socket.requestPairingCode(phone);
        this.pairing = { method: 'code', code, phone, since: this.options.clock().toISOString() };
        this.options.printPairingCode(code, phone);
        this.log.info('pairing code requested; enter it on the phone (shown on the terminal and in /api/status)');
      } catch (error) {
        this.log.error({ err: error }, 'pairing code request failed; will ask again on the next QR');
      }
      return;
    }
    this.pairing = { method: 'qr', since: this.options.clock().toISOString() };
    try {
      await this.options.printQr(qr);
    } catch (error) {
      this.log.warn({ err: error }, 'QR not printed; it is still served at GET /api/qr');
    }
    this.log.info('pairing QR ready: scan it from the phone (terminal or GET /api/qr)');
  }

  private async onClose(error: unknown): Promise<void> {
    const code = disconnectCode(error);
    const decision = decideOnClose(code);
    const now = this.options.clock();
    this.lastDisconnect = { reason: decision.reason, code, at: now.toISOString() };
    this.socket = undefined;
    this.qr = undefined;
    this.pairing = undefined;
    this.detach();

    if (decision.action === 'stop') {
      this.running = false;
      this.clearTimers();
      this.setState(decision.state);
      this.log.error({ reason: decision.reason, code }, `group session stopped: ${STOPPED_MESSAGES[decision.state]}`);
      if (decision.state === 'logged_out' && this.auth) {
        // The creds are dead; keeping them would fail the same way on every start.
        try {
          await this.auth.clear();
        } catch (clearError) {
          this.log.error({ err: clearError }, 'auth state not cleared after log-out; clear it before pairing again');
        }
        this.auth = undefined;
      }
      await this.releaseLease();
      return;
    }
    this.options.metrics.reconnects.inc({ reason: decision.reason });
    this.scheduleReconnect(decision.reason, decision.immediate, now);
  }

  private scheduleReconnect(reason: string, immediate: boolean, now = this.options.clock()): void {
    if (!this.running) return;
    this.attempt += 1;
    const delay = immediate ? 0 : backoffDelay(this.attempt, this.options.backoff);
    this.nextAttemptAt = new Date(now.getTime() + delay);
    this.setState('reconnecting');
    this.log.warn({ reason, attempt: this.attempt, delayMs: delay }, 'group session closed; reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  // --- creds ---------------------------------------------------------------------------

  private onCredsUpdate(socket: GroupSocket, update: BaileysEventMap['creds.update']): void {
    const auth = this.auth;
    if (socket !== this.socket || !auth) return;
    // Baileys has already applied the update to the same object; applying it again keeps
    // the stored copy right whichever way round that happens.
    Object.assign(auth.state.creds, update);
    this.saveCreds(auth);
  }

  /** Saves the creds, one write at a time; a failure is reported and retried until stored. */
  private saveCreds(auth: AuthStateStore): void {
    this.credsChain = this.credsChain.then(async () => {
      try {
        await auth.saveCreds();
      } catch {
        // onWriteError has recorded it (status, health, metric, log); the latest creds are
        // written again shortly, since a later update may never come.
        if (this.running && !this.credsRetryTimer) {
          this.credsRetryTimer = setTimeout(
            () => {
              this.credsRetryTimer = undefined;
              if (this.auth === auth) this.saveCreds(auth);
            },
            backoffDelay(1, this.options.backoff),
          );
        }
      }
    });
  }

  private onAuthWriteError(error: AuthStateWriteError): void {
    this.authWriteError = error.message;
    this.options.metrics.authWriteFailures.inc();
    this.log.error({ err: error }, 'auth state write failed');
  }

  // --- teardown ------------------------------------------------------------------------

  private async dropSocket(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.qr = undefined;
    this.pairing = undefined;
    if (!socket) return;
    this.detach();
    try {
      await socket.end(undefined);
    } catch (error) {
      this.log.warn({ err: error }, 'socket did not end cleanly');
    }
  }

  private detach(): void {
    for (const off of this.detachers.splice(0)) off();
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.leaseTimer);
    clearTimeout(this.credsRetryTimer);
    this.reconnectTimer = undefined;
    this.leaseTimer = undefined;
    this.credsRetryTimer = undefined;
    this.nextAttemptAt = undefined;
  }
}
