import { CATEGORIES, Channel, Identifier, PRIORITIES, Text } from '@helpline/contracts';
import { z } from 'zod';
import { PhoneNumber } from '../contacts/phone.js';

/** Customer text: lone surrogates repaired (contracts' text.ts). */
const text = (max: number) => Text.trim().min(1, 'must not be empty').max(max);
/** Identifiers: ill-formed Unicode refused, naming the field. */
const id = (max: number) => Identifier.trim().min(1, 'must not be empty').max(max);
/** Existing deployments send `High` or `URGENT` as often as `high`. */
const lowercase = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/**
 * POST /tickets: the body existing deployments send (`subject`, `description`, `priority`,
 * `classification`, `contact_id`, `department_id`), plus `phone`, `name`, `email`. The
 * phone comes out as digits, country code first (`normalizePhone`).
 */
export const CreateTicketBody = z
  .object({
    subject: text(255),
    description: Text.max(32_000).default(''),
    priority: z.preprocess(lowercase, z.enum(PRIORITIES)).default('medium'),
    classification: z.preprocess(lowercase, z.enum(CATEGORIES)).default('other'),
    contact_id: id(100).optional(),
    department_id: id(100).optional(),
    phone: PhoneNumber.optional(),
    name: text(200).optional(),
    email: z.email().optional(),
    channel: Channel.default('cloud'),
  })
  .refine((b) => Boolean(b.contact_id || b.phone || b.email), {
    message: 'needs contact_id, phone or email',
    path: ['contact_id'],
  });
export type CreateTicketBody = z.infer<typeof CreateTicketBody>;

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .trim()
    .min(1)
    .max(150)
    .regex(/^[\w.:-]+$/, 'letters, digits and . _ : - only')
    .optional(),
});

export const TicketView = z.object({
  id: z.string(),
  number: z.string(),
  status: z.string(),
  department_id: z.string().optional(),
  url: z.string().optional(),
  /**
   * Local store: the documents and photos the customer sent while it was open, as references
   * (the bytes stay with the channel: GET /api/media/:media_id?channel= on the gateway).
   */
  attachments: z
    .array(
      z.object({
        id: z.string(),
        message_id: z.string(),
        media_id: z.string(),
        channel: z.string(),
        filename: z.string(),
        mime_type: z.string(),
        size: z.number().int(),
        sha256: z.string(),
        attached_at: z.string(),
      }),
    )
    .optional(),
});

export const CreateTicketAnswer = z.object({
  state: z.enum(['created', 'existing', 'queued']),
  idempotency_key: z.string(),
  provider: z.enum(['zoho', 'local']),
  ticket: TicketView.optional(),
  job_id: z.string().optional(),
  message: z.string().optional(),
});

export const TicketIdParams = z.object({ id: id(64) });

export const StatusBody = z.object({ status: text(120) });

export const CreateContactBody = z
  .object({
    name: text(200).optional(),
    phone: PhoneNumber.optional(),
    email: z.email().optional(),
  })
  .refine((b) => Boolean(b.phone || b.email), { message: 'needs phone or email', path: ['phone'] });

export const ContactPhoneParams = z.object({ phone: PhoneNumber });

export const ErasureAnswer = z.object({
  erased: z.object({ contacts: z.number().int(), tickets: z.number().int() }),
});

export const ContactView = z.object({
  id: z.string(),
  name: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
});

export const DepartmentsAnswer = z.object({
  provider: z.enum(['zoho', 'local']),
  departments: z.array(z.object({ id: z.string(), name: z.string(), enabled: z.boolean() })),
});

export const QueueCounts = z.object({
  queue: z.string(),
  counts: z.record(z.string(), z.number()),
});
