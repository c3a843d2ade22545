import { type CircuitBreaker, createBreaker, type ServiceMetrics } from '@helpline/runtime';
import type { Logger } from 'pino';
import type { NetworkMetrics } from '../metrics.js';
import { isRouterError, RouterError, RouterTrapError } from './errors.js';
import { type ConnectionTimeouts, RouterConnection, type RouterEndpoint, type RouterRow } from './router-connection.js';
import { type BuiltCommand, buildCommand, type CommandPolicy, type SafeCommand } from './safe-commands.js';

export interface RouterClientOptions {
  timeouts: ConnectionTimeouts;
  policy: CommandPolicy;
  /** Connections kept open to this router. */
  poolSize: number;
  /** Commands in flight on this router at once; the rest wait their turn. */
  maxConcurrent: number;
  /** How long a command may wait for its turn. */
  queueTimeoutMs: number;
  /** An unused connection is closed after this long. */
  idleMs: number;
  metrics: ServiceMetrics;
  networkMetrics: NetworkMetrics;
  logger: Logger;
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeout?: number };
}

/**
 * Everything this service does on one router: safe commands only, through a small pool of
 * guarded connections, at most `maxConcurrent` at a time, behind a circuit breaker (so a
 * router that is down is not hammered by every diagnosis in the queue).
 */
export class RouterClient {
  private readonly connections = new Set<RouterConnection>();
  private opening: Promise<RouterConnection> | undefined;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly idleTimers = new Map<RouterConnection, NodeJS.Timeout>();
  private closed = false;
  readonly breaker: CircuitBreaker<[BuiltCommand], RouterRow[]>;

  constructor(
    readonly endpoint: RouterEndpoint,
    private readonly options: RouterClientOptions,
  ) {
    this.breaker = createBreaker((command: BuiltCommand) => this.execute(command), {
      name: `router:${endpoint.name}`,
      metrics: options.metrics,
      volumeThreshold: options.breaker?.volumeThreshold ?? 3,
      errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
      resetTimeout: options.breaker?.resetTimeout ?? 30_000,
      // A trap is the router answering (it is up): router_refused is declared not
      // retryable, which the breaker does not count.
    });
  }

  get name(): string {
    return this.endpoint.name;
  }

  /** Checks and runs one allow-listed command. Throws UnsafeValueError before any I/O for a bad value. */
  async run(command: SafeCommand): Promise<RouterRow[]> {
    const built = buildCommand(command, this.options.policy);
    try {
      return await this.breaker.fire(built);
    } catch (error) {
      if (isRouterError(error)) throw error;
      if (this.breaker.opened || (error as { code?: string }).code === 'EOPENBREAKER') {
        this.countError('breaker_open');
        throw new RouterError('breaker_open', this.name, 'router marked unavailable after repeated failures', {
          cause: error,
        });
      }
      throw error;
    }
  }

  private countError(kind: string): void {
    this.options.networkMetrics.routerErrors.inc({ router: this.name, kind });
  }

  private async execute(command: BuiltCommand): Promise<RouterRow[]> {
    await this.acquireSlot();
    const started = performance.now();
    let outcome = 'ok';
    try {
      const connection = await this.connection();
      this.touch(connection, false);
      try {
        return await connection.run(command.words, command.timeoutMs);
      } finally {
        this.touch(connection, true);
      }
    } catch (error) {
      outcome = isRouterError(error) ? error.kind : 'error';
      if (error instanceof RouterTrapError) this.countError('trap');
      throw error;
    } finally {
      this.options.networkMetrics.commandDuration.observe(
        { router: this.name, command: command.label, outcome },
        (performance.now() - started) / 1_000,
      );
      this.releaseSlot();
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.active < this.options.maxConcurrent) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        this.active++;
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i !== -1) this.waiting.splice(i, 1);
        this.countError('pool_timeout');
        reject(new RouterError('pool_timeout', this.name, `no free slot within ${this.options.queueTimeoutMs} ms`));
      }, this.options.queueTimeoutMs);
      this.waiting.push(grant);
    });
  }

  private releaseSlot(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  /** An idle connection, a new one while the pool has room, else the least busy one (commands share it by tag). */
  private async connection(): Promise<RouterConnection> {
    if (this.closed) throw new RouterError('closed', this.name, 'client closed');
    const live = [...this.connections].filter((c) => c.alive);
    const idle = live.find((c) => c.inFlight === 0);
    if (idle) return idle;
    if (live.length < this.options.poolSize) {
      this.opening ??= this.open().finally(() => {
        this.opening = undefined;
      });
      return this.opening;
    }
    return live.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  private async open(): Promise<RouterConnection> {
    // The connection may die while it is still connecting, before `open` returns it.
    let opened: RouterConnection | undefined;
    try {
      const connection = await RouterConnection.open(this.endpoint, this.options.timeouts, {
        onAnomaly: (kind) => this.countError(kind),
        onDead: (kind) => {
          if (!opened) return; // counted by the catch below
          this.countError(kind);
          this.forget(opened);
          this.options.logger.warn({ router: this.name, kind }, 'router connection lost');
        },
      });
      if (this.closed) {
        await connection.close();
        throw new RouterError('closed', this.name, 'client closed');
      }
      opened = connection;
      this.connections.add(connection);
      return connection;
    } catch (error) {
      this.countError(isRouterError(error) ? error.kind : 'connect_failed');
      throw error;
    }
  }

  private forget(connection: RouterConnection): void {
    this.connections.delete(connection);
    clearTimeout(this.idleTimers.get(connection));
    this.idleTimers.delete(connection);
  }

  private touch(connection: RouterConnection, released: boolean): void {
    clearTimeout(this.idleTimers.get(connection));
    this.idleTimers.delete(connection);
    if (released && connection.inFlight === 0 && connection.alive) {
      const timer = setTimeout(() => {
        this.forget(connection);
        void connection.close();
      }, this.options.idleMs);
      timer.unref();
      this.idleTimers.set(connection, timer);
    }
  }

  /** Open connections now (for /health and tests). */
  openConnections(): number {
    return [...this.connections].filter((c) => c.alive).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const opening = this.opening;
    if (opening) await opening.catch(() => undefined);
    const all = [...this.connections];
    for (const c of all) this.forget(c);
    await Promise.all(all.map((c) => c.close()));
    this.breaker.shutdown();
  }
}
