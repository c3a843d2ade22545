// `npm start` at the top (after `turbo run build`, which skips what is already built): find or start
// Redis, start the four services as processes, and say where everything listens. With no
// credentials at all every service runs on its embedded default and the start says so.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateLocalSettings } from './local-settings.js';
import { formatLogLine } from './log-line.js';
import { resolveRedis } from './redis-resolver.js';
import { SERVICES, type ServiceProcess, startService, waitForHealth } from './service-processes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = join(root, '.data');
const say = (line: string) => process.stdout.write(`${line}\n`);

let redis: Awaited<ReturnType<typeof resolveRedis>>;
try {
  redis = await resolveRedis(process.env, dataDir);
} catch (error) {
  say(`helpline: ${(error as Error).message}`);
  process.exit(1);
}

const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redis.url };
const notes: string[] = [];
const portOf = (name: string, fallback: number) => Number(process.env[`${name.toUpperCase()}_PORT`] ?? fallback);
const gatewayPort = portOf('gateway', 3001);

// No Cloud API credentials: the gateway talks to the chat simulator instead of Meta.
const localChat = !process.env.WHATSAPP_ACCESS_TOKEN && !process.env.META_APP_SECRET;
const local = loadOrCreateLocalSettings(dataDir, gatewayPort);
if (!process.env.API_TOKEN) {
  env.API_TOKEN = local.apiToken;
  notes.push(`operator token (API_TOKEN) generated for this machine: ${local.apiToken} (kept in .data/local.json)`);
}
if (localChat) {
  Object.assign(env, {
    META_APP_SECRET: local.appSecret,
    WHATSAPP_ACCESS_TOKEN: local.accessToken,
    WHATSAPP_PHONE_NUMBER_ID: local.phoneNumberId,
    GRAPH_API_URL: `http://127.0.0.1:${local.graphPort}`,
  });
  notes.push('no Cloud API credentials: the gateway sends to the chat simulator (npm run chat) instead of Meta');
}

const quiet = (process.env.LOG_LEVEL ?? 'info') === 'info';
const services: ServiceProcess[] = SERVICES.map(({ name, port }) =>
  startService(root, name, portOf(name, port), env, (service, line) => {
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
  const answers = await Promise.all(services.map(async (s) => [s, await waitForHealth(s)] as const));
  say('');
  say(`helpline is up. Redis: ${redis.url} (${redis.source})`);
  for (const [service, health] of answers) {
    say(`  ${service.name.padEnd(10)} http://127.0.0.1:${service.port}  health: ${health.status}  docs: http://127.0.0.1:${service.port}/docs`);
    for (const [check, result] of Object.entries(health.checks)) {
      if (result.status !== 'ok') say(`    - ${check}: ${result.status}${result.message ? ` (${result.message})` : ''}`);
    }
  }
  for (const note of notes) say(`  note: ${note}`);
  say(localChat ? '  talk to the bot: npm run chat (in another terminal)' : `  point Meta's webhook at http://<public address>:${gatewayPort}/webhook`);
  say('  stop: Ctrl+C');
} catch (error) {
  say(`helpline: ${(error as Error).message}`);
  await stopAll(1);
}
