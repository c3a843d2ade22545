import type { HttpApp } from '@helpline/runtime';
import type { ChatEraser } from '../erasure/chat-eraser.js';
import { registerChatActionRoutes } from './chat-action-routes.js';
import { registerChatReadRoutes } from './chat-read-routes.js';
import type { Conversation } from './create-conversation.js';

/**
 * Staff endpoints over the conversation log (bearer `API_TOKEN`): the reads
 * (chat-read-routes.ts) and the actions (chat-action-routes.ts). DELETE goes through the
 * eraser: a data-removal request takes what the rest of the gateway keeps about the chat too.
 * Redis away is answered 503 `unavailable` by the app's error handler, not here.
 */
export function registerConversationRoutes(app: HttpApp, conversation: Conversation, eraser: ChatEraser): void {
  registerChatReadRoutes(app, conversation.staff);
  registerChatActionRoutes(app, { ...conversation.staff, erase: eraser.erase });
}
