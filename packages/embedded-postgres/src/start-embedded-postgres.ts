import { mkdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { SessionMultiplexer } from './session-multiplexer.js';

export interface EmbeddedPostgresOptions {
  /** Where PGlite keeps its files; in memory when absent (tests). */
  dataDir?: string;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number;
  /** @defaultValue 100 */
  maxConnections?: number;
  /** Problems met while serving (a connection's settings that could not be applied). */
  onWarning?: (message: string, error?: unknown) => void;
}

export interface EmbeddedPostgres {
  /** postgres://postgres@host:port/postgres: PGlite has the one database. */
  url: string;
  port: number;
  /** Open connections now. */
  connections(): number;
  /** Closes every connection, the server, and PGlite (its files are then consistent). */
  stop(): Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in this process) served over the PostgreSQL
 * wire protocol, so the service processes use it through node-postgres like any server.
 * Connections share PGlite's one session through `SessionMultiplexer`, which see.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const multiplexer = new SessionMultiplexer(db, options.onWarning);
  const handlers = new Set<PGLiteSocketHandler>();
  const maxConnections = options.maxConnections ?? 100;

  const server: Server = createServer((socket: Socket) => {
    if (handlers.size >= maxConnections) {
      socket.end();
      return;
    }
    // The handler parses the protocol; the multiplexer decides whose turn it is. Its
    // declared queue type is a class the package does not export; ours has the same methods.
    const handler = new PGLiteSocketHandler({
      queryQueue: multiplexer as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'],
      closeOnDetach: true,
    });
    handlers.add(handler);
    const forget = (): void => {
      handlers.delete(handler);
    };
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('could not read the embedded server port');
  const host = options.host ?? '127.0.0.1';

  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${host}:${address.port}/postgres`,
    port: address.port,
    connections: () => handlers.size,
    stop: () => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...handlers].map((h) => h.detach(true)));
        handlers.clear();
        await closed;
        await db.close();
      })();
      return stopping;
    },
  };
}
