import type { HttpApp } from '@helpline/runtime';
import type { DeskContext } from '../context.js';
import { registerArchiveExportRoutes } from './archive-export-routes.js';
import { registerConsentRoutes } from './consent-routes.js';
import { registerStatsRoutes } from './stats-routes.js';

/** Stats, consent evidence, the CSV export and the rejected stream entries. */
export function registerRecordsRoutes(app: HttpApp, context: DeskContext): void {
  registerStatsRoutes(app, context.stats, context.clock);
  registerConsentRoutes(app, context.queries);
  registerArchiveExportRoutes(app, context.db);
}
