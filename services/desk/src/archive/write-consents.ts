import type { ConversationEventOf } from '@helpline/contracts';
import type { DatabaseClient } from '@helpline/runtime';
import { storableText } from './fold-text.js';

/** Consent decisions with the notice shown, each event once: the evidence staff export. */
export async function writeConsents(client: DatabaseClient, consents: readonly ConversationEventOf<'consent'>[]) {
  if (consents.length === 0) return;
  await client.query(
    `INSERT INTO consent_records (event_id, channel, chat_id, decision, notice_version, notice_sha256, notice_text,
                                  notice_language, message_id, at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::timestamptz[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      consents.map((c) => c.id),
      consents.map((c) => c.channel),
      consents.map((c) => c.chatId),
      consents.map((c) => c.decision),
      consents.map((c) => c.noticeVersion),
      consents.map((c) => c.noticeSha256),
      consents.map((c) => (c.noticeText === undefined ? null : storableText(c.noticeText))),
      consents.map((c) => c.noticeLanguage ?? null),
      consents.map((c) => c.messageId),
      consents.map((c) => c.at),
    ],
    'archive_consents',
  );
}
