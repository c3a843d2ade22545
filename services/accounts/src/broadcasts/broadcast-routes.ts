import type { WhatsAppTemplatesFile } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { registerBroadcastCreateRoutes } from './broadcast-create-routes.js';
import { registerBroadcastReportRoutes } from './broadcast-report-routes.js';
import type { Broadcasts } from './broadcasts.js';

/** The broadcast routes: starting one (two bodies), and the reports with cancel. */
export function registerBroadcastRoutes(app: HttpApp, broadcasts: Broadcasts, templates: WhatsAppTemplatesFile): void {
  registerBroadcastCreateRoutes(app, broadcasts, templates);
  registerBroadcastReportRoutes(app, broadcasts);
}
