import type { HttpApp } from '../http/create-http-app.js';
import { installGracefulShutdown } from '../lifecycle/graceful-shutdown.js';
import type { ServiceBase, ServiceBaseConfig } from './create-service-base.js';

/**
 * The end of every `main.ts`: on SIGTERM or SIGINT stop the HTTP server first (no new
 * work), then close the service (workers finish their jobs, then resources, producers and
 * Redis), within SHUTDOWN_GRACE_MS.
 */
export function installServiceShutdown(
  service: Pick<ServiceBase<ServiceBaseConfig & { SHUTDOWN_GRACE_MS: number }>, 'logger' | 'config' | 'close'>,
  app: Pick<HttpApp, 'close'>,
): (reason: string) => Promise<void> {
  return installGracefulShutdown({
    logger: service.logger,
    graceMs: service.config.SHUTDOWN_GRACE_MS,
    steps: [
      { name: 'http', close: () => app.close() },
      { name: 'service', close: () => service.close() },
    ],
  });
}
