import type { HttpApp } from '@helpline/runtime';
import type { DeskContext } from '../context.js';
import { registerArchiveReadRoutes } from './archive-read-routes.js';
import { registerChatActionRoutes } from './chat-action-routes.js';
import { registerErasureRoutes } from './erasure-routes.js';

/** The staff's conversation routes over the archive, and the actions the gateway carries out. */
export function registerConversationRoutes(app: HttpApp, context: DeskContext): void {
  registerArchiveReadRoutes(app, context.queries);
  registerChatActionRoutes(app, context.gateway);
  registerErasureRoutes(app, context);
}
