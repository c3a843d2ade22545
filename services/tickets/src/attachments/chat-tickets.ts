import type { Redis } from '@helpline/runtime';

export interface ChatRef {
  channel: string;
  chatId: string;
}

/**
 * Which ticket a chat has open, by idempotency key, in Redis: written when a ticket request
 * for the chat is first taken (before the CRM answers, so a photo sent during a Zoho outage
 * waits for its ticket instead of being lost), read by the attachments. The ticket itself is
 * the key's record (ticket-records.ts); whether it is still open is asked of the CRM.
 */
export function createChatTickets(options: { redis: Redis; keyPrefix: string; ttlMs?: number }) {
  const ttl = options.ttlMs ?? 30 * 24 * 3600_000;
  const k = (chat: ChatRef) => `${options.keyPrefix}:ticket:chat:${chat.channel}:${chat.chatId}`;
  return {
    async note(chat: ChatRef, idempotencyKey: string): Promise<void> {
      await options.redis.set(k(chat), idempotencyKey, 'PX', ttl);
    },
    async keyFor(chat: ChatRef): Promise<string | undefined> {
      return (await options.redis.get(k(chat))) ?? undefined;
    },
  };
}
export type ChatTickets = ReturnType<typeof createChatTickets>;

/**
 * Per customer message: an upload was sent (so a retry looks in the ticket first, the answer
 * may have been lost), and the attachment once made (a retry does nothing).
 */
export function createAttachmentRecords(options: { redis: Redis; keyPrefix: string; ttlMs?: number }) {
  const ttl = options.ttlMs ?? 30 * 24 * 3600_000;
  const k = (kind: string, messageId: string) => `${options.keyPrefix}:attachment:${kind}:${messageId}`;
  return {
    async done(messageId: string): Promise<string | undefined> {
      return (await options.redis.get(k('done', messageId))) ?? undefined;
    },
    async saveDone(messageId: string, attachmentId: string): Promise<void> {
      await options.redis.set(k('done', messageId), attachmentId, 'PX', ttl);
      await options.redis.del(k('attempted', messageId));
    },
    async attempted(messageId: string): Promise<boolean> {
      return (await options.redis.exists(k('attempted', messageId))) === 1;
    },
    async markAttempted(messageId: string): Promise<void> {
      await options.redis.set(k('attempted', messageId), '1', 'PX', ttl);
    },
  };
}
export type AttachmentRecords = ReturnType<typeof createAttachmentRecords>;
