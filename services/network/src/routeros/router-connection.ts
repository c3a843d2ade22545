import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { RouterOSAPI as RouterOSAPIType } from 'node-routeros';
import { RouterError, type RouterErrorKind, RouterTrapError } from './errors.js';
import { installSafeReceiver, type ReceiverAnomaly } from './safe-receiver.js';

// node-routeros is CommonJS; its named export is read through require so that both tsx
// (tests) and the compiled build load the same object.
const { RouterOSAPI } = createRequire(import.meta.url)('node-routeros') as typeof import('node-routeros');

export interface RouterEndpoint {
  /** Name from configuration; the only way a router appears in logs and metrics. */
  name: string;
  host: string;
  port: number;
  username: string;
  password: string;
  tls: boolean;
  /**
   * PEM certificates the router's TLS certificate must chain to (MIKROTIK_TLS_CA); Node's
   * own CA list when absent. Verification is never turned off.
   */
  ca?: string;
}

export interface ConnectionTimeouts {
  connectMs: number;
  closeMs: number;
  /** node-routeros' socket idle timeout, in seconds; kept above every command deadline. */
  idleSocketSeconds: number;
  /** Send node-routeros' `#` keepalive on idle connections. */
  keepalive: boolean;
}

export type RouterRow = Record<string, string>;

export interface ConnectionEvents {
  onAnomaly?: (kind: ReceiverAnomaly) => void;
  /** The connection is gone (any reason); it will not be used again. */
  onDead?: (kind: RouterErrorKind) => void;
}

/** node-routeros internals the guard reaches (all exist at run time; the typings hide them). */
interface ApiInternals {
  connector: ConnectorInternals | null;
  closing: boolean;
  keptaliveby?: NodeJS.Timeout;
  connectionHoldInterval?: NodeJS.Timeout;
  holdingConnectionWithKeepalive: boolean;
}

interface ConnectorInternals {
  socket: Socket;
  receiver: unknown;
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string | symbol): number;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  write(words: string[]): unknown;
  destroy(): void;
}

function deadline(ms: number, onExpire: () => void): { promise: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        onExpire();
      } finally {
        reject(new Error('deadline'));
      }
    }, ms);
  });
  promise.catch(() => {});
  return { promise, clear: () => clearTimeout(timer) };
}

/**
 * One logged-in RouterOS API connection through node-routeros, guarded so that every call
 * settles and nothing it receives can crash the process:
 * - connect, every command and close each have a deadline; when one passes the socket is
 *   destroyed, and every command still waiting on that socket fails at once;
 * - error listeners are attached to the API object and its connector before anything can
 *   emit, and the connector cannot emit an unheard `error` (which would throw);
 * - the Receiver is replaced by a decoder that handles `!empty`, unknown reply words,
 *   unknown tags, `!fatal` and replies split anywhere (see safe-receiver.ts);
 * - node-routeros' keepalive and connection-hold timers are cleared when the connection
 *   dies, so no timer or socket outlives it.
 */
export class RouterConnection {
  private readonly api: RouterOSAPIType;
  private readonly internals: ApiInternals;
  private connector: ConnectorInternals | undefined;
  private receiverGuard: { failAll(message: string): void } | undefined;
  private lastTag: string | undefined;
  private readonly traps = new Map<string, { message: string; category: string | undefined }>();
  private readonly deathWaiters = new Set<(error: RouterError) => void>();
  private deathReason: RouterError | undefined;
  private closedByUs = false;
  /** Commands running now. */
  inFlight = 0;
  lastUsed = Date.now();

  private constructor(
    readonly endpoint: RouterEndpoint,
    private readonly timeouts: ConnectionTimeouts,
    private readonly events: ConnectionEvents,
  ) {
    this.api = new RouterOSAPI({
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.username,
      password: endpoint.password,
      timeout: timeouts.idleSocketSeconds,
      keepalive: timeouts.keepalive,
      // Certificate and host name are verified (Node's defaults): a router answering with a
      // certificate that does not chain to `ca` (or the system CAs) is refused.
      ...(endpoint.tls ? { tls: endpoint.ca ? { ca: endpoint.ca } : {} } : {}),
    });
    this.internals = this.api as unknown as ApiInternals;
    // The "hold" writes `#` on a timer while a command runs and re-arms that timer even
    // after the socket is gone; command deadlines make it unnecessary, so it is disabled.
    this.internals.holdingConnectionWithKeepalive = true;
    // After login node-routeros re-emits socket errors and idle timeouts on the API object;
    // with no listener that emit throws and ends the process.
    this.api.on('error', (error: unknown) => this.die('socket_error', 'socket error or idle timeout', error));
    this.api.on('close', () => this.die('closed', 'router closed the connection'));
  }

  get alive(): boolean {
    return this.deathReason === undefined;
  }

  static async open(
    endpoint: RouterEndpoint,
    timeouts: ConnectionTimeouts,
    events: ConnectionEvents = {},
  ): Promise<RouterConnection> {
    const connection = new RouterConnection(endpoint, timeouts, events);
    await connection.connect();
    return connection;
  }

  private async connect(): Promise<void> {
    const connecting = this.api.connect();
    connecting.catch(() => {});
    // connect() builds the connector and its socket synchronously: guard them before any I/O.
    const connector = this.internals.connector;
    if (!connector) throw new RouterError('connect_failed', this.endpoint.name, 'node-routeros created no connector');
    this.guard(connector);
    const timer = deadline(this.timeouts.connectMs, () =>
      this.die('connect_timeout', `no login within ${this.timeouts.connectMs} ms`),
    );
    const death = this.death();
    try {
      await Promise.race([connecting, death.promise, timer.promise]);
    } catch (error) {
      if (this.deathReason) {
        throw this.deathReason.kind === 'closed'
          ? new RouterError('closed', this.endpoint.name, 'router closed the connection before login')
          : this.deathReason;
      }
      const message = error instanceof Error ? error.message : String(error);
      const kind: RouterErrorKind = /invalid|password|log ?in/i.test(message) ? 'login_failed' : 'connect_failed';
      this.die(kind, kind === 'login_failed' ? 'login refused' : 'connection failed', error);
      throw this.deathReason ?? new RouterError(kind, this.endpoint.name, message);
    } finally {
      timer.clear();
      death.dispose();
    }
  }

  private guard(connector: ConnectorInternals): void {
    this.connector = connector;
    const emit = connector.emit.bind(connector);
    // Connector.destroy() removes every listener, and a later socket error would then be
    // emitted to nobody, which throws. Unheard errors are taken here instead.
    connector.emit = (event: string | symbol, ...args: unknown[]) => {
      if (event === 'error' && connector.listenerCount('error') === 0) {
        this.die('socket_error', 'socket error', args[0]);
        return false;
      }
      return emit(event, ...args);
    };
    connector.on('error', (error: unknown) => this.die('socket_error', 'socket error', error));
    connector.on('timeout', () => this.die('socket_error', 'socket idle timeout'));
    connector.on('close', () => this.die('closed', 'router closed the connection'));
    connector.socket.on('close', () => this.die('closed', 'socket closed'));
    const write = connector.write.bind(connector);
    connector.write = (words: string[]) => {
      const tagWord = words.find((w) => w.startsWith('.tag='));
      if (tagWord) this.lastTag = tagWord.slice(5);
      // node-routeros writes a sentence one word per socket.write; uncorked, Nagle's algorithm
      // and the router's delayed ACK hold all but the first word for ~40 ms on every command.
      const socket = connector.socket;
      socket.cork();
      try {
        return write(words);
      } finally {
        socket.uncork();
      }
    };
    this.receiverGuard = installSafeReceiver(connector.receiver, {
      onFatal: (reason) => this.die('fatal', `router sent !fatal: ${reason.slice(0, 120)}`),
      onBroken: (error) => this.die('protocol', 'undecodable reply stream', error),
      onAnomaly: (kind) => this.events.onAnomaly?.(kind),
      onTrap: (tag, message, category) => this.traps.set(tag, { message, category }),
    });
  }

  /**
   * A promise that rejects when the connection dies, and its disposal. Every connect() and
   * run() disposes of its own when it settles: a pooled connection runs thousands of
   * commands, and a waiter left behind by each would be kept for the connection's lifetime.
   */
  private death(): { promise: Promise<never>; dispose(): void } {
    let waiter: ((error: RouterError) => void) | undefined;
    const promise = new Promise<never>((_, reject) => {
      if (this.deathReason) reject(this.deathReason);
      else {
        waiter = reject;
        this.deathWaiters.add(reject);
      }
    });
    promise.catch(() => {});
    return {
      promise,
      dispose: () => {
        if (waiter) this.deathWaiters.delete(waiter);
      },
    };
  }

  /** Calls waiting on this connection's death now (tests check that settled calls leave none behind). */
  get deathWaiterCount(): number {
    return this.deathWaiters.size;
  }

  /** Ends the connection for good: socket destroyed, waiting commands failed, timers cleared. */
  private die(kind: RouterErrorKind, message: string, cause?: unknown): void {
    if (this.deathReason) return;
    this.deathReason = new RouterError(kind, this.endpoint.name, message, { cause });
    for (const reject of this.deathWaiters) reject(this.deathReason);
    this.deathWaiters.clear();
    this.internals.closing = true; // stops node-routeros' keepalive from re-arming
    clearTimeout(this.internals.keptaliveby);
    clearTimeout(this.internals.connectionHoldInterval);
    this.receiverGuard?.failAll(`connection lost: ${kind}`);
    this.connector?.socket.destroy();
    // Rejections from failAll reach node-routeros' own handlers as microtasks; clear again after them.
    setImmediate(() => {
      clearTimeout(this.internals.keptaliveby);
      clearTimeout(this.internals.connectionHoldInterval);
    });
    // Our own close is not a router fault; a close that had to be forced is.
    if (!(this.closedByUs && kind === 'closed')) this.events.onDead?.(kind);
  }

  /**
   * Runs one sentence (already checked by safe-commands) and returns its rows. Rejects with
   * a RouterTrapError when the router refuses it, a RouterError otherwise; never hangs.
   */
  async run(words: readonly string[], timeoutMs: number): Promise<RouterRow[]> {
    if (this.deathReason) throw this.deathReason;
    this.inFlight++;
    this.lastUsed = Date.now();
    this.lastTag = undefined;
    let pending: Promise<unknown>;
    try {
      pending = this.api.write([...words]);
    } catch (error) {
      this.inFlight--;
      throw new RouterError('closed', this.endpoint.name, 'connection not usable', { cause: error });
    }
    pending.catch(() => {});
    const tag = this.lastTag;
    const timer = deadline(timeoutMs, () => this.die('command_timeout', `no answer within ${timeoutMs} ms`));
    const death = this.death();
    try {
      return (await Promise.race([pending, death.promise, timer.promise])) as RouterRow[];
    } catch (error) {
      if (this.deathReason) throw this.deathReason;
      const trap = tag === undefined ? undefined : this.traps.get(tag);
      if (trap?.category === 'unknown_reply') {
        throw new RouterError('unknown_reply', this.endpoint.name, trap.message);
      }
      throw new RouterTrapError(
        this.endpoint.name,
        trap?.message ?? (error instanceof Error ? error.message : 'trap'),
        trap?.category,
      );
    } finally {
      timer.clear();
      death.dispose();
      if (tag !== undefined) this.traps.delete(tag);
      this.inFlight--;
      this.lastUsed = Date.now();
    }
  }

  /** Closes politely (the router answers the FIN); destroys the socket if it does not in time. */
  async close(): Promise<void> {
    if (this.deathReason) return;
    this.closedByUs = true;
    const closing = this.api.close();
    closing.catch(() => {});
    const timer = deadline(this.timeouts.closeMs, () => this.die('close_timeout', 'router did not close in time'));
    try {
      await Promise.race([closing, timer.promise]);
    } catch {
      // The deadline already destroyed the socket.
    } finally {
      timer.clear();
      this.die('closed', 'closed by us');
    }
  }
}
