import { readFileSync } from 'node:fs';
import { TemplatePurpose, WhatsAppTemplatesFile } from '@helpline/contracts';
import { CodedError, ERRORS } from '@helpline/runtime';
import { z } from 'zod';
import { Audience } from './audience.js';
import type { BroadcastContent } from './broadcast-message.js';

// WhatsApp refuses new lines, tabs and runs of spaces in template parameters: folded here.
const Value = z
  .string()
  .trim()
  .min(1)
  .max(1024)
  .transform((v) => v.replace(/\s*\n\s*/g, ' · ').replace(/\s+/g, ' '));
const ValueName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a value name such as customer_name');

/** A template by its purpose (WHATSAPP_TEMPLATES_FILE) or by its approved name. */
const TemplateChoice = z
  .object({
    purpose: TemplatePurpose.optional(),
    name: z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, 'expected a template name: lowercase letters, digits and _')
      .optional(),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'expected a language code such as es or en_US')
      .optional(),
    /** By purpose: the values its parameters name (`customer_name` is filled per recipient). */
    values: z.record(ValueName, Value).optional(),
    /** By name: the header and body parameter values, in order ({{1}}, {{2}}, ...). */
    header: z.array(Value).max(1).optional(),
    body: z.array(Value).max(20).optional(),
  })
  .refine((t) => (t.purpose === undefined) !== (t.name === undefined), {
    message: 'give either purpose (a template of WHATSAPP_TEMPLATES_FILE) or name and language',
  })
  .refine((t) => t.name === undefined || t.language !== undefined, {
    message: 'a template given by name needs its language',
    path: ['language'],
  });

export const BroadcastBody = z
  .object({
    template: TemplateChoice.optional(),
    /** Free text: reaches only the chats inside their 24-hour window. */
    text: z.string().trim().min(1).max(4096).optional(),
    audience: Audience,
    /** When to start (ISO 8601 with offset); now when absent. */
    start_at: z.iso.datetime({ offset: true }).optional(),
    /** Answer who would get it, store nothing, send nothing. */
    dry_run: z.boolean().default(false),
  })
  .refine((b) => (b.template === undefined) !== (b.text === undefined), {
    message: 'give either template or text',
  });
export type BroadcastBody = z.infer<typeof BroadcastBody>;

/** The deployment's own words: `POST /broadcast {message, target_group}`. */
export const DeploymentBroadcastBody = z.object({
  message: z.string().trim().min(1).max(4096),
  target_group: z.union([z.string().trim().min(1).max(200), z.array(z.string().trim().min(1)).min(1).max(100_000)]),
  dry_run: z.boolean().default(false),
});

/**
 * `target_group` onto an audience: `all`/`todos`, `active`/`activos`, `debt`/`morosos`/
 * `deudores`/`con_deuda`/`overdue`, `plan:<id or name>`, `router:<name>`/`nodo:<name>`, or a
 * list of phone numbers. Undefined when the group is none of these.
 */
export function audienceOfTargetGroup(group: string | string[]): Audience | undefined {
  if (Array.isArray(group)) return { kind: 'numbers', numbers: group };
  const g = group.trim();
  const lower = g.toLowerCase();
  if (['all', 'todos', 'everyone', 'clientes'].includes(lower)) return { kind: 'all' };
  if (['active', 'activos', 'activo'].includes(lower)) return { kind: 'active' };
  if (['debt', 'morosos', 'deudores', 'con_deuda', 'overdue', 'en_mora'].includes(lower)) return { kind: 'debt' };
  const plan = /^plan:(.+)$/i.exec(g);
  if (plan?.[1]?.trim()) return { kind: 'plan', plan: plan[1].trim() };
  const router = /^(?:router|nodo):(.+)$/i.exec(g);
  if (router?.[1]?.trim()) return { kind: 'router', router: router[1].trim() };
  return undefined;
}

export const TARGET_GROUPS_HELP =
  'expected all, active, debt (or todos, activos, morosos), plan:<plan>, router:<router>, or a list of phone numbers';

/** WHATSAPP_TEMPLATES_FILE as the accounts service reads it (the gateway validates it at its start too). */
export function readTemplatesFile(path: string | undefined): WhatsAppTemplatesFile {
  if (!path) return {};
  const parsed = WhatsAppTemplatesFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues
        .map((i) => `WHATSAPP_TEMPLATES_FILE ${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
        .join('\n'),
    );
  }
  return parsed.data;
}

/** Why a broadcast's content cannot be built: answered 422 `unprocessable` (catalogue: broadcast_content). */
export class ContentError extends CodedError {
  constructor(message: string) {
    super(ERRORS.broadcast_content, message);
    this.name = 'ContentError';
  }
}

/** The content every recipient gets, from the request and the templates file. */
export function contentOf(
  body: Pick<BroadcastBody, 'template' | 'text'>,
  templates: WhatsAppTemplatesFile,
): BroadcastContent {
  if (body.text !== undefined) return { kind: 'text', body: body.text };
  const t = body.template;
  if (!t) throw new ContentError('give either template or text');
  if (t.name !== undefined) {
    return {
      kind: 'template',
      name: t.name,
      language: t.language as string,
      header: t.header ?? [],
      body: t.body ?? [],
    };
  }
  const purpose = t.purpose as TemplatePurpose;
  const mapping = templates[purpose];
  if (!mapping) throw new ContentError(`WHATSAPP_TEMPLATES_FILE maps no template to the purpose ${purpose}`);
  const values = t.values ?? {};
  const pick = (names: readonly string[]) =>
    names.map((n) => (n === 'customer_name' && values[n] === undefined ? '{{customer_name}}' : values[n]));
  const header = pick(mapping.header);
  const bodyValues = pick(mapping.body);
  const filled = [...header, ...bodyValues];
  const missing = [...mapping.header, ...mapping.body].filter((_, i) => filled[i] === undefined);
  if (missing.length > 0) {
    throw new ContentError(`the template ${mapping.name} needs the values ${[...new Set(missing)].join(', ')}`);
  }
  return {
    kind: 'template',
    name: mapping.name,
    language: mapping.language,
    purpose,
    header: header as string[],
    body: bodyValues as string[],
  };
}

/**
 * The deployment's message: the `broadcast` purpose's template when the file maps one whose
 * parameters are only the text and the customer's name (it then reaches every chat), else
 * free text (only chats inside their window).
 */
export function deploymentContent(message: string, templates: WhatsAppTemplatesFile): BroadcastContent {
  const mapping = templates.broadcast;
  const names = mapping ? [...mapping.header, ...mapping.body] : [];
  if (mapping && names.every((n) => n === 'text' || n === 'customer_name')) {
    return contentOf({ template: { purpose: 'broadcast', values: { text: message } } }, templates);
  }
  return { kind: 'text', body: message };
}
