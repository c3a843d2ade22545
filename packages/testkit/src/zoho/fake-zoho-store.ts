/** The fake Zoho's data: tokens, contacts, tickets, departments. Plain objects in memory. */

export interface FakeZohoContact {
  id: string;
  firstName: string | null;
  lastName: string;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  createdTime: string;
}

export interface FakeZohoTicket {
  id: string;
  ticketNumber: string;
  subject: string;
  description: string | null;
  status: string;
  statusType: string;
  priority: string | null;
  category: string | null;
  channel: string | null;
  departmentId: string;
  contactId: string;
  cf: Record<string, string | null>;
  createdTime: string;
  webUrl: string;
}

/** A file attached to a ticket (POST /tickets/{id}/attachments), bytes kept for the tests. */
export interface FakeZohoAttachment {
  id: string;
  ticketId: string;
  name: string;
  /** Desk answers the size as a string of bytes. */
  size: string;
  contentType: string;
  isPublic: boolean;
  createdTime: string;
  bytes: Buffer;
}

export interface FakeZohoDepartment {
  id: string;
  name: string;
  isEnabled: boolean;
}

interface IssuedToken {
  expiresAt: number;
}

/** Ids look like Zoho's: long digit strings. */
export class FakeZohoStore {
  readonly contacts = new Map<string, FakeZohoContact>();
  readonly tickets = new Map<string, FakeZohoTicket>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly attachments: FakeZohoAttachment[] = [];
  private nextId = 4_000_000_100_000n;
  private nextTicketNumber = 101;

  constructor(readonly departments: FakeZohoDepartment[]) {}

  newId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  newTicketNumber(): string {
    return String(this.nextTicketNumber++);
  }
}
