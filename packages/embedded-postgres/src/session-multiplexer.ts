import type { PGlite } from '@electric-sql/pglite';
import { ReadyForQueryScanner } from './ready-for-query-scanner.js';
import { readStartupSettings } from './startup-parameters.js';

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

/** A Sync message: ends an extended-protocol exchange a vanished client left half-way. */
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/**
 * PGlite is one PostgreSQL session; every client connection shares it. pglite-socket's own
 * queue takes turns message by message, which lets two clients' extended-protocol messages
 * interleave (seen: "unnamed prepared statement does not exist", "portal "" does not exist"
 * with three processes' pools) and cannot give each connection its own `search_path`:
 * PGlite ignores the startup message's settings. This queue makes the shared
 * session behave like separate ones:
 *
 * - a connection keeps the session from its first message until PGlite answers
 *   ReadyForQuery with status idle: a whole Parse..Sync exchange, a whole transaction;
 * - when the session passes to another connection, that connection's startup settings
 *   (`search_path`, `statement_timeout`, ...) are set, and the previous one's are reset;
 * - a connection that goes away holding the session has its exchange ended and its
 *   transaction rolled back.
 *
 * The cost, said plainly: connections take turns, so one long transaction holds every other
 * process up, and a client that opens a transaction on one connection and then waits for
 * another connection of its own would wait forever. Fine for `npm start` on one machine;
 * production runs on a PostgreSQL server. A session-level `SET` by a client (rather than
 * `SET LOCAL` or a startup setting) would leak to the others.
 *
 * It implements the queue interface `PGLiteSocketHandler` calls (`enqueue`,
 * `clearQueueForHandler`, `clearTransactionIfNeeded`).
 */
export class SessionMultiplexer {
  private readonly queue: Pending[] = [];
  private readonly settings = new Map<number, Map<string, string>>();
  /** The connection whose exchange or transaction is under way, if any. */
  private owner: number | undefined;
  /** The connection whose settings the session carries now. */
  private applied: number | undefined;
  private pumping = false;

  constructor(
    private readonly db: PGlite,
    private readonly onWarning: (message: string, error?: unknown) => void = () => {},
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const startup = readStartupSettings(message);
    if (startup) this.settings.set(handlerId, startup);
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.pump();
    });
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const item = this.queue[i] as Pending;
      if (item.handlerId !== handlerId) continue;
      this.queue.splice(i, 1);
      item.reject(new Error('connection closed'));
    }
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    this.settings.delete(handlerId);
    if (this.owner !== handlerId) return;
    // Wait for a message of its still running, then end what it left open.
    while (this.pumping) await new Promise((resolve) => setImmediate(resolve));
    if (this.owner !== handlerId) return;
    try {
      await this.db.runExclusive(() => this.db.execProtocolRaw(SYNC));
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    } catch (error) {
      this.onWarning('could not end the session of a closed connection', error);
    }
    this.owner = undefined;
    void this.pump();
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  private next(): Pending | undefined {
    const at = this.owner === undefined ? 0 : this.queue.findIndex((p) => p.handlerId === this.owner);
    return at >= 0 && at < this.queue.length ? this.queue.splice(at, 1)[0] : undefined;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let item = this.next(); item; item = this.next()) await this.run(item);
    } finally {
      this.pumping = false;
    }
  }

  private async run(item: Pending): Promise<void> {
    this.owner = item.handlerId;
    try {
      if (this.applied !== item.handlerId) await this.switchSettings(item.handlerId);
      const scanner = new ReadyForQueryScanner();
      let bytes = 0;
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(item.message, {
          onRawData: (data) => {
            bytes += data.length;
            scanner.push(data);
            item.onData(data);
          },
        }),
      );
      // Idle: the exchange and any transaction are over; the session is free for others.
      if (scanner.status === 'I') this.owner = undefined;
      item.resolve(bytes);
    } catch (error) {
      // The handler closes this connection on a rejection; clearTransactionIfNeeded follows.
      item.reject(error);
    }
  }

  private async switchSettings(handlerId: number): Promise<void> {
    const previous = this.applied === undefined ? undefined : this.settings.get(this.applied);
    const wanted = this.settings.get(handlerId) ?? new Map<string, string>();
    const names = new Set([...(previous?.keys() ?? []), ...wanted.keys()]);
    if (names.size > 0) {
      const list = [...names];
      try {
        // A setting the new connection did not ask for goes back to its default.
        await this.db.query(
          `SELECT set_config(s.name, coalesce(s.value, (SELECT reset_val FROM pg_settings WHERE name = s.name)), false)
             FROM unnest($1::text[], $2::text[]) AS s(name, value)
            WHERE EXISTS (SELECT 1 FROM pg_settings WHERE name = s.name)`,
          [list, list.map((n) => wanted.get(n) ?? null)],
        );
      } catch (error) {
        this.onWarning('could not apply a connection’s settings', error);
      }
    }
    this.applied = handlerId;
  }
}
