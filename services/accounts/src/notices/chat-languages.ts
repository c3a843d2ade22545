import type { Language } from '@helpline/contracts';
import type { Database } from '@helpline/runtime';

/**
 * The language each chat last wrote in, as the gateway detected it on its account
 * requests: a notice, which answers nothing, goes out in it (Spanish when the chat never
 * wrote).
 */
export interface ChatLanguages {
  remember(chatId: string, language: Language): Promise<void>;
  of(chatIds: readonly string[]): Promise<Map<string, Language>>;
}

export function createChatLanguages(db: Database): ChatLanguages {
  return {
    async remember(chatId, language) {
      await db.query(
        `INSERT INTO chat_languages (chat_id, language) VALUES ($1, $2)
         ON CONFLICT (chat_id) DO UPDATE SET language = EXCLUDED.language, seen_at = now()
         WHERE chat_languages.language <> EXCLUDED.language`,
        [chatId, language],
        'notices.remember_language',
      );
    },
    async of(chatIds) {
      if (chatIds.length === 0) return new Map();
      const r = await db.query<{ chat_id: string; language: Language }>(
        'SELECT chat_id, language FROM chat_languages WHERE chat_id = ANY($1::text[])',
        [chatIds],
        'notices.languages',
      );
      return new Map(r.rows.map((row) => [row.chat_id, row.language]));
    },
  };
}
