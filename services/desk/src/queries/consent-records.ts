import type { Database } from '@helpline/runtime';

/** The consent evidence of a chat, oldest first, as an auditor asks for it. */
export async function consentRecords(db: Database, chatId: string) {
  const rows = await db.query<{
    decision: string;
    channel: string;
    notice_version: string;
    notice_sha256: string;
    notice_text: string | null;
    notice_language: string | null;
    message_id: string;
    at: Date;
    archived_at: Date;
  }>(
    `SELECT decision, channel, notice_version, notice_sha256, notice_text, notice_language, message_id, at, archived_at
         FROM consent_records WHERE chat_id = $1 ORDER BY at, id`,
    [chatId],
    'consents',
  );
  return rows.rows.map((r) => ({
    decision: r.decision,
    channel: r.channel,
    noticeVersion: r.notice_version,
    noticeSha256: r.notice_sha256,
    noticeText: r.notice_text,
    noticeLanguage: r.notice_language,
    messageId: r.message_id,
    at: r.at.toISOString(),
    archivedAt: r.archived_at.toISOString(),
  }));
}
