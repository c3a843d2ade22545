import type { ConversationEventOf } from '@helpline/contracts';
import type { DatabaseClient } from '@helpline/runtime';
import type { MessageEvent } from './message-events.js';
import { writeConsents } from './write-consents.js';
import { writeHeldNotices } from './write-held-notices.js';
import { writeMessages } from './write-messages.js';
import { writeStatuses } from './write-statuses.js';

export type BufferedEvent =
  | MessageEvent
  | ConversationEventOf<'delivery_status'>
  | ConversationEventOf<'consent'>
  | ConversationEventOf<'notice_skipped'>;

/**
 * The events of a batch written in multi-row statements, held until a change of a chat's
 * state needs what came before it written (`flushMessages`, and `flushStatuses` before an
 * erasure), or until the batch ends (`flushAll`).
 */
export function createPendingWrites(client: DatabaseClient) {
  let messages: MessageEvent[] = [];
  const statuses: ConversationEventOf<'delivery_status'>[] = [];
  const consents: ConversationEventOf<'consent'>[] = [];
  let held: ConversationEventOf<'notice_skipped'>[] = [];
  const flushMessages = async () => {
    await writeMessages(client, messages);
    messages = [];
    await writeHeldNotices(client, held);
    held = [];
  };
  return {
    add(event: BufferedEvent): void {
      switch (event.type) {
        case 'message_received':
        case 'message_sent':
          messages.push(event);
          break;
        case 'delivery_status':
          statuses.push(event);
          break;
        case 'consent':
          consents.push(event);
          break;
        case 'notice_skipped':
          held.push(event);
          break;
      }
    },
    flushMessages,
    flushStatuses: () => writeStatuses(client, statuses.splice(0)),
    async flushAll(): Promise<void> {
      await flushMessages();
      await writeStatuses(client, statuses);
      await writeConsents(client, consents);
    },
  };
}
export type PendingWrites = ReturnType<typeof createPendingWrites>;
