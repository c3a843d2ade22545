// `npm start` at the top (after `turbo run build`, which skips what is already built): find or start
// Redis and PostgreSQL, start the four services as processes, and say where everything listens. With no
// credentials at all every service runs on its embedded default and the start says so.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnvironment } from '@helpline/runtime';
import { type ResolvedDatabase, redactDatabaseUrl, resolveDatabase } from './database-resolver.js';
import { recordLocalStart } from './local-settings.js';
import { formatLogLine } from './log-line.js';
import { resolveRedis } from './redis-resolver.js';
import { SERVICES, type ServiceProcess, startService, waitForReadiness } from './service-processes.js';
import { planStart, servicePorts, usesLocalChat, usesLocalTwilio } from './start-plan.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

// What the services will see: the environment over `.env` at the top of the checkout (the
// services run from there and read the same file).
const environment = readEnvironment({ envFile: join(root, '.env') });
// HELPLINE_DATA_DIR moves `.data/` (Redis data, local settings); tests use a folder of their own.
const dataDir = environment.HELPLINE_DATA_DIR ?? join(root, '.data');

let redis: Awaited<ReturnType<typeof resolveRedis>>;
try {
  redis = await resolveRedis(environment, dataDir);
} catch (error) {
  say(`helpline: ${(error as Error).message}`);
  process.exit(1);
}

let database: ResolvedDatabase;
try {
  database = await resolveDatabase(environment, dataDir);
} catch (error) {
  say(`helpline: PostgreSQL: ${(error as Error).message}`);
  await redis.stop();
  process.exit(1);
}
say(`helpline: PostgreSQL: ${redactDatabaseUrl(database.url)} (${database.source})`);

const local = recordLocalStart(dataDir, {
  gatewayPort: servicePorts(environment).gateway,
  chat: usesLocalChat(environment),
  twilioChat: usesLocalTwilio(environment),
});
const { env, ports, notes, localChat } = planStart(environment, redis.url, local, database.url);

const quiet = (environment.LOG_LEVEL ?? 'info') === 'info';
const services: ServiceProcess[] = SERVICES.map(({ name }) =>
  startService(root, name, ports[name], env, (service, line) => {
    // At the default level the terminal shows warnings and errors; LOG_LEVEL=debug shows all.
    const formatted = formatLogLine(service, line);
    if (!quiet || !/^\[\w+\] (info|debug|trace) /.test(formatted)) say(formatted);
  }),
);

let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('helpline: stopping...');
    await Promise.all(services.map((s) => s.stop('SIGTERM')));
    // After the services: they close their pools on SIGTERM first.
    await database.stop();
    await redis.stop();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
for (const service of services) {
  service.child.on('exit', (code) => {
    if (!stopping) {
      say(`helpline: ${service.name} exited with code ${code}; stopping the rest`);
      void stopAll(1);
    }
  });
}

try {
  // Each service listens a moment before its Redis connection is ready: its health is shown
  // once it is up (or after a deadline, as it is then), not the "down" of its first second.
  const answers = await Promise.all(services.map(async (s) => [s, await waitForReadiness(s)] as const));
  say('');
  say(`helpline is up. Redis: ${redis.url} (${redis.source})`);
  for (const [service, health] of answers) {
    say(
      `  ${service.name.padEnd(10)} http://127.0.0.1:${service.port}  health: ${health.status}  docs: http://127.0.0.1:${service.port}/docs`,
    );
    for (const [check, result] of Object.entries(health.checks)) {
      if (result.status !== 'ok')
        say(`    - ${check}: ${result.status}${result.message ? ` (${result.message})` : ''}`);
    }
  }
  for (const note of notes) say(`  note: ${note}`);
  say(
    localChat
      ? '  talk to the bot: npm run chat (in another terminal)'
      : `  point Meta's webhook at http://<public address>:${ports.gateway}/webhook`,
  );
  say('  stop: Ctrl+C');
} catch (error) {
  say(`helpline: ${(error as Error).message}`);
  await stopAll(1);
}
