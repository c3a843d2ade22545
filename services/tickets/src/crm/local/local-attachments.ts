// The local store's attachments: references to the customer's media (the bytes stay with
// the channel), one per message.
import type { Database } from '@helpline/runtime';
import type { CrmAdapter } from '../crm-adapter.js';
import { CrmRefusedError } from '../crm-errors.js';
import {
  ATTACHMENT_COLUMNS,
  type AttachmentRow,
  asCrmAttachment,
  type LocalAttachment,
  TICKET_ID,
  toAttachment,
} from './local-rows.js';
import { storableText } from './storable-text.js';

export interface LocalAttachments extends Pick<CrmAdapter, 'attachFile' | 'findAttachment'> {
  listAttachments(ticketId: string): Promise<LocalAttachment[]>;
}

export function createLocalAttachments(database: Database, clock: () => Date): LocalAttachments {
  const attachmentOf = async (messageId: string): Promise<LocalAttachment | undefined> => {
    const { rows } = await database.query<AttachmentRow>(
      `SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE message_id = $1`,
      [storableText(messageId)],
      'tickets.attachment_by_message',
    );
    return rows[0] ? toAttachment(rows[0]) : undefined;
  };

  return {
    // One message, one attachment: the message id is UNIQUE, a second run finds the first's row.
    async attachFile(ticketId, file) {
      if (!TICKET_ID.test(ticketId)) throw new CrmRefusedError(`no local ticket ${ticketId}`);
      const { rows } = await database.query<AttachmentRow>(
        `INSERT INTO attachments (ticket_id, message_id, media_id, channel, filename, mime_type, size_bytes, sha256, created_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM tickets WHERE id = $1)
         ON CONFLICT (message_id) DO NOTHING RETURNING ${ATTACHMENT_COLUMNS}`,
        [
          ticketId,
          storableText(file.messageId),
          storableText(file.mediaId),
          file.channel,
          storableText(file.filename),
          storableText(file.mimeType),
          file.bytes.length,
          file.sha256,
          clock(),
        ],
        'tickets.attachment_insert',
      );
      if (rows[0]) return asCrmAttachment(toAttachment(rows[0]));
      const existing = await attachmentOf(file.messageId);
      if (existing) return asCrmAttachment(existing);
      throw new CrmRefusedError(`no local ticket ${ticketId}`);
    },

    async findAttachment(_ticketId, file) {
      const found = await attachmentOf(file.messageId);
      return found ? asCrmAttachment(found) : undefined;
    },

    async listAttachments(ticketId) {
      if (!TICKET_ID.test(ticketId)) return [];
      const { rows } = await database.query<AttachmentRow>(
        `SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE ticket_id = $1 ORDER BY id`,
        [ticketId],
        'tickets.attachments_of_ticket',
      );
      return rows.map(toAttachment);
    },
  };
}
