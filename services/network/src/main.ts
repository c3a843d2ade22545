import { installGracefulShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { networkConfigSchema } from './config.js';
import { createContext } from './context.js';
import { startDiagnosticsWorker } from './worker/diagnostics-worker.js';

const config = loadConfigOrExit(networkConfigSchema);
const context = createContext(config);
for (const notice of context.notices) context.logger.warn(notice);
if (!(await context.ready())) context.logger.error('Redis is not reachable yet; /health says so until it is');
const worker = startDiagnosticsWorker(context, { concurrency: config.DIAGNOSTICS_CONCURRENCY });
const app = await buildApp(context, { worker: () => worker });
await app.listen({ host: config.HOST, port: config.NETWORK_PORT });
context.logger.info(
  { routers: context.routers.all().map((r) => r.name), directory: context.directory.source },
  'network service started',
);

installGracefulShutdown({
  logger: context.logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  steps: [
    { name: 'http', close: () => app.close() },
    { name: 'worker:diagnostics', close: () => worker.close() },
    { name: 'context', close: () => context.close() },
  ],
});
