import { z } from 'zod';
import { TicketAttachmentRequest, type TicketAttachmentRequestInput } from './ticket-attachment.js';
import { TicketRequest, type TicketRequestInput } from './ticket-request.js';

/** A job of the `tickets` queue: a ticket to create, or (`kind: 'attach'`) a file to attach to a chat's open ticket. */
export type TicketsJob = TicketRequest | TicketAttachmentRequest;
export type TicketsJobInput = TicketRequestInput | TicketAttachmentRequestInput;

const isAttach = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'attach';

/**
 * Picks the schema by `kind` before parsing, rather than a plain union, so that a refused
 * payload is answered with the fields of the schema it was meant for ("subject: ...")
 * instead of a union's "no option matched". Ticket requests written before attachments
 * existed carry no `kind` and stay ticket requests.
 */
export const TicketsJob = z.unknown().transform((value, ctx) => {
  const parsed = isAttach(value) ? TicketAttachmentRequest.safeParse(value) : TicketRequest.safeParse(value);
  if (parsed.success) return parsed.data as TicketsJob;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
}) as unknown as z.ZodType<TicketsJob, TicketsJobInput>;

export function isAttachmentRequest(job: TicketsJob): job is TicketAttachmentRequest {
  return (job as { kind?: unknown }).kind === 'attach';
}
