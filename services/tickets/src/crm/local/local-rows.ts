// The rows of the local store's tables and how they become CRM objects: one place for the
// column lists, so every query of a table answers the same shape.
import type { CrmAttachment, CrmContact, CrmTicket } from '../crm-adapter.js';

/** What the local store keeps of an attachment: a reference to the customer's media, not its bytes. */
export interface LocalAttachment {
  id: string;
  messageId: string;
  mediaId: string;
  channel: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
  attachedAt: string;
}

export interface AttachmentRow {
  id: string;
  message_id: string;
  media_id: string;
  channel: string;
  filename: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  created_at: Date;
}
export const ATTACHMENT_COLUMNS =
  'id::text AS id, message_id, media_id, channel, filename, mime_type, size_bytes, sha256, created_at';
export const toAttachment = (row: AttachmentRow): LocalAttachment => ({
  id: row.id,
  messageId: row.message_id,
  mediaId: row.media_id,
  channel: row.channel,
  filename: row.filename,
  mimeType: row.mime_type,
  size: Number(row.size_bytes),
  sha256: row.sha256,
  attachedAt: row.created_at.toISOString(),
});
export const asCrmAttachment = (a: LocalAttachment): CrmAttachment => ({
  id: a.id,
  filename: a.filename,
  size: a.size,
});

export interface TicketRow {
  id: string;
  status: string;
  department_id: string | null;
}
export interface ContactRow {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
}

export const TICKET_COLUMNS = 'id::text AS id, status, department_id';
export const CONTACT_COLUMNS = 'id, name, phone, email';
// Ticket ids are numbers; anything else cannot name one (and must not reach a bigint cast).
export const TICKET_ID = /^[1-9]\d{0,17}$/;

export const ticketMapper =
  (closedStatus: string | undefined) =>
  (row: TicketRow): CrmTicket => ({
    id: row.id,
    number: row.id,
    status: row.status,
    departmentId: row.department_id ?? undefined,
    // The last of LOCAL_TICKET_STATUSES is the closed one (as the desk's "has open ticket" reads it).
    ...(closedStatus !== undefined && row.status === closedStatus ? { closed: true } : {}),
  });
export const toContact = (row: ContactRow): CrmContact => ({
  id: row.id,
  name: row.name ?? undefined,
  phone: row.phone ?? undefined,
  email: row.email ?? undefined,
});
