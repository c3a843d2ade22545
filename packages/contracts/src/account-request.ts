import { z } from 'zod';
import { Classification } from './classification.js';
import { CorrelationId, IsoDateTime, NonEmpty, ReplyTarget } from './common.js';

/**
 * What a customer asks of their own account (the `accounts` queue). Produced by the
 * gateway (menu rows, commands, replies to the accounts service's own lists and buttons,
 * the answer to "which document number?", a shared location, a payment receipt) and by the
 * classifier (free text classified `billing`, `account` or `sales`). The accounts service
 * answers each request through `outbound`, exactly once (job ids from the correlation id).
 */

export const ACCOUNT_REQUEST_KINDS = [
  /** The billing menu: debt, invoices, payment points, receipt. */
  'billing_menu',
  'debt',
  'invoices',
  /** One invoice's statement PDF (or the back-office's own document link). */
  'invoice_document',
  'payment_points',
  'plans',
  /** The customer chose a plan from the catalogue: a `sales` ticket. */
  'plan_choice',
  /** WiFi or account password: an `account` ticket, the password never echoed. */
  'password_change',
  /** An image or PDF sent as proof of a payment. */
  'receipt',
  /** The customer typed a document number or customer id after being asked for it. */
  'identify',
  /** The customer chose one of several accounts on their phone. */
  'choose_account',
  /** Free text the classifier put in `billing`, `account` or `sales`. */
  'message',
  /** "no quiero más avisos", "stop", the notices' quick-reply button: no more notices (issue 16). */
  'notices_opt_out',
  /** "quiero recibir avisos", "start": notices again. */
  'notices_opt_in',
] as const;
export const AccountRequestKind = z.enum(ACCOUNT_REQUEST_KINDS);
export type AccountRequestKind = z.infer<typeof AccountRequestKind>;

/** The requests that can wait for the customer to say who they are, then resume. */
export const RESUMABLE_ACCOUNT_KINDS = ['debt', 'invoices', 'plans', 'password_change', 'billing_menu'] as const;
export const ResumableAccountKind = z.enum(RESUMABLE_ACCOUNT_KINDS);
export type ResumableAccountKind = z.infer<typeof ResumableAccountKind>;

export const PasswordTarget = z.enum(['wifi', 'account']);
export type PasswordTarget = z.infer<typeof PasswordTarget>;

const Base = z.object({
  correlationId: CorrelationId,
  /** The chat that gets the answer. */
  replyTo: ReplyTarget,
  /** The chat's phone (a Cloud API chat id is the customer's wa_id): who is asking. */
  phone: NonEmpty.max(32),
  requestedAt: IsoDateTime,
});

/** A back-office id: letters, digits and `_-` only (it goes into URLs and list row ids). */
const BackOfficeId = NonEmpty.max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

export const SharedLocation = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});

export const ReceiptMedia = z.object({
  /** The inbound message's media id, fetched through the gateway's `GET /api/media/:mediaId`. */
  mediaId: NonEmpty.max(256),
  mimeType: NonEmpty.max(128),
  filename: z.string().max(240).optional(),
  caption: z.string().max(1024).optional(),
});
export type ReceiptMedia = z.infer<typeof ReceiptMedia>;

export const AccountRequest = z.discriminatedUnion('kind', [
  Base.extend({ kind: z.literal('billing_menu') }),
  Base.extend({ kind: z.literal('debt') }),
  Base.extend({ kind: z.literal('invoices') }),
  Base.extend({ kind: z.literal('invoice_document'), customerId: BackOfficeId, invoiceId: BackOfficeId }),
  Base.extend({ kind: z.literal('payment_points'), location: SharedLocation.optional() }),
  Base.extend({ kind: z.literal('plans') }),
  Base.extend({ kind: z.literal('plan_choice'), customerId: BackOfficeId, planId: BackOfficeId }),
  Base.extend({ kind: z.literal('password_change'), target: PasswordTarget.optional() }),
  Base.extend({ kind: z.literal('receipt'), media: ReceiptMedia }),
  Base.extend({ kind: z.literal('identify'), text: z.string().max(256) }),
  Base.extend({ kind: z.literal('choose_account'), customerId: BackOfficeId, resume: ResumableAccountKind }),
  Base.extend({
    kind: z.literal('message'),
    text: z.string().max(4096),
    category: z.enum(['billing', 'account', 'sales']),
    /** The classification, carried on the answer's `meta` so the gateway's log records it. */
    classification: Classification.optional(),
    /**
     * The voice note's words when `text` came from one, carried on the answers' `meta` so
     * the gateway keeps them on the voice note's log entry (as the acknowledgement's would).
     * Optional, added later: requests enqueued before it still validate.
     */
    transcript: z.string().max(8_000).optional(),
  }),
  Base.extend({ kind: z.literal('notices_opt_out') }),
  Base.extend({ kind: z.literal('notices_opt_in') }),
]);
export type AccountRequest = z.infer<typeof AccountRequest>;
export type AccountRequestInput = z.input<typeof AccountRequest>;

/** Prefix of the ids of the lists and buttons the accounts service sends. */
export const ACCOUNT_REPLY_PREFIX = 'acct.';

/** What a reply id of the accounts service asks for: the request's kind and its own fields. */
export type AccountReply =
  | { kind: 'billing_menu' | 'debt' | 'invoices' | 'payment_points' | 'plans' | 'notices_opt_out' | 'notices_opt_in' }
  | { kind: 'invoice_document'; customerId: string; invoiceId: string }
  | { kind: 'plan_choice'; customerId: string; planId: string }
  | { kind: 'password_change'; target: PasswordTarget }
  | { kind: 'choose_account'; customerId: string; resume: ResumableAccountKind };

const SIMPLE = new Set([
  'billing_menu',
  'debt',
  'invoices',
  'payment_points',
  'plans',
  'notices_opt_out',
  'notices_opt_in',
]);
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The id of a list row or button that makes the gateway enqueue this request (`.` separated, at most 200 chars). */
export function accountReplyId(reply: AccountReply): string {
  switch (reply.kind) {
    case 'invoice_document':
      return `${ACCOUNT_REPLY_PREFIX}invoice.${reply.customerId}.${reply.invoiceId}`;
    case 'plan_choice':
      return `${ACCOUNT_REPLY_PREFIX}plan.${reply.customerId}.${reply.planId}`;
    case 'password_change':
      return `${ACCOUNT_REPLY_PREFIX}password.${reply.target}`;
    case 'choose_account':
      return `${ACCOUNT_REPLY_PREFIX}account.${reply.customerId}.${reply.resume}`;
    default:
      return `${ACCOUNT_REPLY_PREFIX}${reply.kind}`;
  }
}

/** Reads a reply id back; undefined for anything else (another prefix, a forged or stale id). */
export function parseAccountReplyId(id: string | undefined): AccountReply | undefined {
  if (!id?.startsWith(ACCOUNT_REPLY_PREFIX)) return undefined;
  const [head, a, b, ...rest] = id.slice(ACCOUNT_REPLY_PREFIX.length).split('.');
  if (rest.length > 0 || head === undefined) return undefined;
  if (a === undefined && SIMPLE.has(head)) return { kind: head as 'debt' };
  if (head === 'password' && b === undefined && (a === 'wifi' || a === 'account')) {
    return { kind: 'password_change', target: a };
  }
  if (a === undefined || b === undefined || !ID.test(a)) return undefined;
  if (head === 'invoice' && ID.test(b)) return { kind: 'invoice_document', customerId: a, invoiceId: b };
  if (head === 'plan' && ID.test(b)) return { kind: 'plan_choice', customerId: a, planId: b };
  const then = ResumableAccountKind.safeParse(b);
  if (head === 'account' && then.success) return { kind: 'choose_account', customerId: a, resume: then.data };
  return undefined;
}
