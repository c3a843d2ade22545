import { z } from 'zod';
import { CorrelationId, IsoDateTime, NonEmpty, NonEmptyId, ReplyTarget } from './common.js';
import { Identifier, Text } from './text.js';

/** Who to diagnose: at least one of phone, customer id or PPPoE user. */
export const CustomerReference = z
  .object({
    phone: NonEmptyId.optional(),
    customerId: NonEmptyId.optional(),
    pppoeUser: NonEmptyId.optional(),
    documentNumber: NonEmptyId.optional(),
  })
  .refine((c) => Boolean(c.phone || c.customerId || c.pppoeUser || c.documentNumber), {
    message: 'needs at least one of phone, customerId, pppoeUser or documentNumber',
  });
export type CustomerReference = z.infer<typeof CustomerReference>;

export const DiagnosticRequest = z.object({
  correlationId: CorrelationId,
  customer: CustomerReference,
  /** The chat that gets the report. */
  replyTo: ReplyTarget,
  /** Open a ticket carrying the findings when the diagnosis finds a fault. */
  openTicketOnFailure: z.boolean().default(true),
  /** The customer's own words, kept for the ticket's description. */
  reportedText: Text.max(4096).optional(),
  requestedAt: IsoDateTime,
});
export type DiagnosticRequest = z.infer<typeof DiagnosticRequest>;
export type DiagnosticRequestInput = z.input<typeof DiagnosticRequest>;

export const DIAGNOSTIC_STATUSES = ['ok', 'degraded', 'down', 'unknown'] as const;
export const DiagnosticStatus = z.enum(DIAGNOSTIC_STATUSES);
export type DiagnosticStatus = z.infer<typeof DiagnosticStatus>;

export const DIAGNOSTIC_CHECKS = ['customer', 'account', 'outage', 'pppoe_session', 'ping', 'queue'] as const;

export const DiagnosticCheck = z.object({
  name: z.enum(DIAGNOSTIC_CHECKS),
  /** `skipped`: not run because an earlier check already gave the answer. */
  result: z.enum(['pass', 'warn', 'fail', 'skipped', 'error']),
  /** What was found, in plain words; never an IP, MAC or password. */
  finding: NonEmpty,
  /** Measured values (loss in %, times in ms, uptime in s, ...), no personal data. */
  data: z.record(Text, z.union([Text, z.number(), z.boolean(), z.null()])).optional(),
});
export type DiagnosticCheck = z.infer<typeof DiagnosticCheck>;

export const DiagnosticReport = z.object({
  correlationId: CorrelationId,
  customerId: Identifier.optional(),
  status: DiagnosticStatus,
  checks: z.array(DiagnosticCheck),
  summary: z.object({ es: NonEmpty, en: NonEmpty }),
  /** Router name from configuration (never its address). */
  router: Text.optional(),
  startedAt: IsoDateTime,
  finishedAt: IsoDateTime,
});
export type DiagnosticReport = z.infer<typeof DiagnosticReport>;
