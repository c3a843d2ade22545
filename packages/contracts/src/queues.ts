import type { z } from 'zod';
import { AccountRequest } from './account-request.js';
import { DiagnosticRequest } from './diagnostics.js';
import { InboundMessage } from './inbound-message.js';
import { NoticeRunJob } from './notices.js';
import { OutboundMessage } from './outbound-message.js';
import { TicketRequest } from './ticket-request.js';

/**
 * Queue names. NEVER rename one: jobs already in Redis, running services of the previous
 * version and the dashboards all know them by name. Add a queue instead.
 */
export const QUEUE_NAMES = {
  inbound: 'inbound',
  tickets: 'tickets',
  diagnostics: 'diagnostics',
  outbound: 'outbound',
  accounts: 'accounts',
  /** The accounts service's daily notice run (its BullMQ job scheduler) and runs staff ask for. */
  notices: 'notices',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
export const ALL_QUEUES: readonly QueueName[] = Object.values(QUEUE_NAMES);

/** Each queue's payload schema: producers validate against it, workers parse with it. */
export const QUEUE_SCHEMAS = {
  inbound: InboundMessage,
  tickets: TicketRequest,
  diagnostics: DiagnosticRequest,
  outbound: OutboundMessage,
  accounts: AccountRequest,
  notices: NoticeRunJob,
} as const satisfies Record<QueueName, z.ZodType>;

export type QueueSchemas = typeof QUEUE_SCHEMAS;
/** The payload a worker of queue Q receives, after parsing and defaults. */
export type QueuePayload<Q extends QueueName> = z.infer<QueueSchemas[Q]>;
/** What a producer of queue Q may pass (defaults not yet applied). */
export type QueuePayloadInput<Q extends QueueName> = z.input<QueueSchemas[Q]>;

// BullMQ refuses custom job ids containing ':' (its key separator); WhatsApp ids never carry
// one today, but a JID-derived id might, so it is replaced rather than trusted.
const safe = (part: string): string => part.replaceAll(':', '_');

/**
 * Job ids are derived from the correlation id, so a repeated delivery of the same story
 * cannot create a second job (BullMQ ignores an add whose id already exists).
 */
export const jobIds = {
  inbound: (messageId: string): string => {
    const id = safe(messageId);
    // BullMQ also refuses an id that reads as an integer ("Custom Id cannot be integers").
    // Message ids are opaque and an all-digit one is possible, so it gets a prefix. The
    // other ids cannot read as integers: each has a word prefix or a '-' after a
    // non-empty correlation id.
    return /^-?\d+$/.test(id) ? `msg-${id}` : id;
  },
  ticket: (correlationId: string): string => `ticket-${safe(correlationId)}`,
  diagnostics: (correlationId: string): string => `diag-${safe(correlationId)}`,
  outbound: (correlationId: string, purpose: string): string => `${safe(correlationId)}-${safe(purpose)}`,
  accounts: (correlationId: string, kind: string): string => `acct-${safe(kind)}-${safe(correlationId)}`,
};
