// Local ticket store throughput: ticket creates per second on the PostgreSQL tests use
// (startTestPostgres) and on the embedded PGlite of npm start, one process, at a few
// concurrencies. `node --conditions=@helpline/source --import tsx bench/local-store.ts [count]`
// Prints one JSON document.
import { startEmbeddedPostgres } from '@helpline/embedded-postgres';
import { createDatabase, createLogger, createMetrics } from '@helpline/runtime';
import { startTestPostgres } from '@helpline/testkit';
import { DATABASE_SCHEMA, MIGRATIONS_DIR } from '../src/context.js';
import { createLocalCrm, parseLocalDepartments, syncDepartments } from '../src/crm/local/local-crm.js';

const count = Number(process.argv[2] ?? 400);
const departments = parseLocalDepartments(['support:Soporte']);

async function run(url: string, concurrency: number): Promise<number> {
  const database = createDatabase({
    url,
    schema: DATABASE_SCHEMA,
    migrationsDir: MIGRATIONS_DIR,
    service: 'tickets-bench',
    logger: createLogger({ name: 'bench', level: 'silent' }),
    registry: createMetrics('bench').registry,
  });
  try {
    await database.migrate();
    await syncDepartments(database, departments);
    const crm = createLocalCrm({ database, departments, statuses: ['Open'] });
    const contact = await crm.createContact({ phone: '573001112233' });
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = next++;
          await crm.createTicket({
            idempotencyKey: `bench-${concurrency}-${i}`,
            subject: 'Sin internet',
            description: 'El router no enciende',
            priority: 'high',
            category: 'connectivity',
            channel: 'cloud',
            contactId: contact.id,
          });
        }
      }),
    );
    return Math.round((count / (performance.now() - started)) * 1000);
  } finally {
    await database.close();
  }
}

const results: Record<string, Record<string, number>> = { postgres: {}, pglite: {} };
const server = await startTestPostgres();
const embedded = await startEmbeddedPostgres();
try {
  for (const concurrency of [1, 8]) {
    results.postgres![`c${concurrency}`] = await run(await server.createDatabase('bench'), concurrency);
  }
  for (const concurrency of [1, 8]) {
    // PGlite has one database: the second run continues the first's numbers with its own keys.
    results.pglite![`c${concurrency}`] = await run(embedded.url, concurrency);
  }
} finally {
  await embedded.stop();
  await server.stop();
}
process.stdout.write(`${JSON.stringify({ count, ticketsPerSecond: results }, null, 2)}\n`);
