import type { Redis } from '@helpline/runtime';
import { CodedError, ERRORS } from '@helpline/runtime';

/** Every key of the conversation's state, under one prefix (tests use a unique one). */
export function conversationKeys(prefix: string) {
  const p = prefix.endsWith(':') ? prefix : `${prefix}:`;
  return {
    chat: (chatId: string) => `${p}chat:${chatId}`,
    log: (chatId: string) => `${p}log:${chatId}`,
    entries: (chatId: string) => `${p}entries:${chatId}`,
    statuses: (chatId: string) => `${p}status:${chatId}`,
    classifications: (chatId: string) => `${p}class:${chatId}`,
    chats: `${p}chats`,
    paused: `${p}paused`,
    known: `${p}known`,
    totals: `${p}stats`,
    hour: (hour: number) => `${p}stats:${hour}`,
    provider: (providerMessageId: string) => `${p}sent:${providerMessageId}`,
    rate: (chatId: string, minute: number) => `${p}rate:${chatId}:${minute}`,
    rateNotice: (chatId: string, minute: number) => `${p}rate-notice:${chatId}:${minute}`,
    plan: (messageId: string) => `${p}plan:${messageId}`,
    handled: (messageId: string) => `${p}handled:${messageId}`,
  };
}

export type ConversationKeys = ReturnType<typeof conversationKeys>;

export type Multi = ReturnType<Redis['multi']>;

/** Runs a MULTI and returns its replies; the first failed command's error is thrown. */
export async function exec(multi: Multi): Promise<unknown[]> {
  const results = await multi.exec();
  if (!results) throw new CodedError(ERRORS.internal_error, 'redis transaction was aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

export const HOUR_MS = 3600_000;
