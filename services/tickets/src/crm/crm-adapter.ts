import type { Category, Channel, Priority } from '@helpline/contracts';

/** A CRM contact, reduced to what Helpline uses. */
export interface CrmContact {
  id: string;
  name?: string;
  phone?: string;
  email?: string;
}

export interface NewContact {
  name?: string;
  phone?: string;
  email?: string;
}

export interface NewTicket {
  /** Stored with the ticket so that a ticket created behind a lost answer can be found. */
  idempotencyKey: string;
  subject: string;
  /** Already rendered (diagnostic findings included). */
  description: string;
  priority: Priority;
  category: Category;
  channel: Channel;
  /** The adapter's configured default when absent. */
  departmentId?: string;
  contactId: string;
}

export interface CrmTicket {
  id: string;
  /** What a person quotes: Zoho's ticket number, or the local sequence number. */
  number: string;
  status: string;
  departmentId?: string;
  url?: string;
  /** The CRM counts the ticket as closed (Zoho's statusType, the last local status). */
  closed?: boolean;
}

/** A customer's file for a ticket: downloaded through the gateway, never queued. */
export interface NewAttachment {
  /** The customer's message that carried it: one message, one attachment. */
  messageId: string;
  /** The channel's media id (the reference the gateway downloads it by). */
  mediaId: string;
  channel: string;
  filename: string;
  mimeType: string;
  bytes: Buffer;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

export interface CrmAttachment {
  id: string;
  filename: string;
  size: number;
}

export interface CrmDepartment {
  id: string;
  name: string;
  enabled: boolean;
}

export type CrmProvider = 'zoho' | 'local';

/** What else is known when looking a key up after a create whose outcome is unknown. */
export interface KeyLookupHint {
  /**
   * The contact that create was sent for. A CRM whose search can trail a fresh ticket (Zoho)
   * also checks this contact's newest tickets, which are read from its database.
   */
  contactId?: string;
}

/**
 * The one interface both CRMs implement. Errors: CrmRefusedError (the CRM said no; do not
 * retry), CrmUnavailableError (retry later), CrmAmbiguousError (a create may or may not
 * have happened: look the key up before creating again).
 */
export interface CrmAdapter {
  readonly provider: CrmProvider;
  findContactByPhone(phone: string): Promise<CrmContact | undefined>;
  createContact(contact: NewContact): Promise<CrmContact>;
  createTicket(ticket: NewTicket): Promise<CrmTicket>;
  /** The ticket with its current status, or undefined when the CRM has no such ticket. */
  getTicket(id: string): Promise<CrmTicket | undefined>;
  listDepartments(): Promise<CrmDepartment[]>;
  findTicketByIdempotencyKey(key: string, hint?: KeyLookupHint): Promise<CrmTicket | undefined>;
  /** Attaches a file to a ticket. Local: idempotent by message id. Zoho: a write (ambiguous on a lost answer). */
  attachFile(ticketId: string, file: NewAttachment): Promise<CrmAttachment>;
  /** The ticket's attachment of this file (by name and size), if there: the lookup after an ambiguous upload. */
  findAttachment(
    ticketId: string,
    file: Pick<NewAttachment, 'messageId' | 'filename' | 'bytes'>,
  ): Promise<CrmAttachment | undefined>;
}
