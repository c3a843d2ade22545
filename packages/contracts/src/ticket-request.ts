import { z } from 'zod';
import { CorrelationId, NonEmpty, NonEmptyId, ReplyTarget } from './common.js';
import { Text } from './text.js';
import { DiagnosticReport } from './diagnostics.js';
import { Category, Channel, Priority } from './taxonomy.js';

export const TicketContact = z
  .object({
    phone: NonEmptyId.optional(),
    name: NonEmpty.optional(),
    email: z.email().optional(),
    /** The CRM's contact id when the caller already knows it. */
    contactId: NonEmptyId.optional(),
    customerId: NonEmptyId.optional(),
  })
  .refine((c) => Boolean(c.phone || c.contactId || c.email), {
    message: 'needs at least one of phone, contactId or email',
  });
export type TicketContact = z.infer<typeof TicketContact>;

export const TicketRequest = z.object({
  /** One key, one ticket: derived from the correlation id by the producers. */
  idempotencyKey: NonEmptyId.max(200),
  correlationId: CorrelationId,
  subject: NonEmpty.max(255),
  description: Text.max(32_000),
  priority: Priority,
  category: Category,
  contact: TicketContact,
  channel: Channel,
  /** CRM department; the configured default when absent. */
  departmentId: NonEmptyId.optional(),
  /** Where the ticket number is announced; absent for tickets opened by staff by hand. */
  replyTo: ReplyTarget.optional(),
  findings: DiagnosticReport.optional(),
});
export type TicketRequest = z.infer<typeof TicketRequest>;
export type TicketRequestInput = z.input<typeof TicketRequest>;
