import { z } from 'zod';
import { CorrelationId, NonEmpty, ReplyTarget } from './common.js';
import { DiagnosticReport } from './diagnostics.js';
import { Category, Channel, Priority } from './taxonomy.js';

export const TicketContact = z
  .object({
    phone: NonEmpty.optional(),
    name: NonEmpty.optional(),
    email: z.email().optional(),
    /** The CRM's contact id when the caller already knows it. */
    contactId: NonEmpty.optional(),
    customerId: NonEmpty.optional(),
  })
  .refine((c) => Boolean(c.phone || c.contactId || c.email), {
    message: 'needs at least one of phone, contactId or email',
  });
export type TicketContact = z.infer<typeof TicketContact>;

export const TicketRequest = z.object({
  /** One key, one ticket: derived from the correlation id by the producers. */
  idempotencyKey: NonEmpty.max(200),
  correlationId: CorrelationId,
  subject: NonEmpty.max(255),
  description: z.string().max(32_000),
  priority: Priority,
  category: Category,
  contact: TicketContact,
  channel: Channel,
  /** CRM department; the configured default when absent. */
  departmentId: NonEmpty.optional(),
  /** Where the ticket number is announced; absent for tickets opened by staff by hand. */
  replyTo: ReplyTarget.optional(),
  findings: DiagnosticReport.optional(),
});
export type TicketRequest = z.infer<typeof TicketRequest>;
export type TicketRequestInput = z.input<typeof TicketRequest>;
