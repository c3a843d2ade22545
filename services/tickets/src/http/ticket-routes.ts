import type { HttpApp } from '@helpline/runtime';
import type { TicketsContext } from '../context.js';
import { registerOpenTicketRoute } from './open-ticket-route.js';
import { registerTicketStatusRoutes } from './ticket-status-routes.js';

/** POST /tickets (open-ticket-route.ts) and a ticket's status (ticket-status-routes.ts), for operators. */
export function registerTicketRoutes(app: HttpApp, context: TicketsContext): void {
  const security = [{ bearer: [] }];
  registerOpenTicketRoute(app, context, security);
  registerTicketStatusRoutes(app, context, security);
}
