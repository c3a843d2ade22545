import type { OutboundMessage, TemplateMapping, TemplatePurpose } from '@helpline/contracts';
import { TEMPLATE_PURPOSES } from '@helpline/contracts';
import type { TemplateBook } from './templates-file.js';

/** `WHATSAPP_WINDOW_TEMPLATE`: the last resort, a template without parameters. */
export interface WindowTemplate {
  name: string;
  language: string;
}

/** What a message becomes outside the 24-hour window: a template and its parameter values. */
export interface WindowFallback {
  name: string;
  language: string;
  /** Header parameter values, in order. */
  header: string[];
  /** Body parameter values, in order. */
  body: string[];
  /** The same template on Twilio, when the file names it. */
  contentSid?: string;
  /** `purpose`, `reply_window` or `window_template` (WHATSAPP_WINDOW_TEMPLATE): for logs and metrics. */
  source: string;
}

/**
 * A template parameter's text: WhatsApp refuses new lines, tabs and more than four spaces
 * in a row in parameters, and its body has a length limit; the message's text is folded
 * into one line and cut.
 */
export function parameterText(text: string, max = 1024): string {
  const folded = text
    .replace(/\s*\n\s*/g, ' · ')
    .replace(/\s+/g, ' ')
    .trim();
  return folded.length > max ? `${folded.slice(0, max - 1)}…` : folded;
}

/**
 * The values a message offers the templates' parameters, by name: its text and purpose,
 * and a notice's own values (`customer_name`, `amount`, `due_date`, ...), each folded
 * into one line as WhatsApp wants parameters.
 */
function valuesOf(message: OutboundMessage): Record<string, string> {
  const c = message.content;
  const text =
    c.kind === 'text'
      ? c.body
      : c.kind === 'buttons' || c.kind === 'list'
        ? c.body
        : c.kind === 'media'
          ? (c.caption ?? '')
          : '';
  const notice = message.meta?.notice;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(notice?.values ?? {})) values[name] = parameterText(value);
  return { ...values, text: parameterText(text), purpose: notice?.purpose ?? message.purpose };
}

/** The purpose whose template stands in for the message: a notice's own, else the message's. */
function purposeOf(message: OutboundMessage): string {
  return message.meta?.notice?.purpose ?? message.purpose;
}

function fill(
  mapping: TemplateMapping,
  values: Record<string, string>,
): { header: string[]; body: string[] } | undefined {
  const pick = (names: readonly string[]) => names.map((n) => values[n]);
  const header = pick(mapping.header);
  const body = pick(mapping.body);
  // A parameter without a value (or an empty one, which Meta refuses) rules the template out.
  if ([...header, ...body].some((v) => v === undefined || v === '')) return undefined;
  return { header: header as string[], body: body as string[] };
}

/**
 * The template a free-form message becomes when the window is closed: the template of the
 * message's own purpose when the file maps it (`meta.notice.purpose` for a notice, filled
 * from `meta.notice.values`), else the generic
 * `reply_window` ("we answered you"), each only when the message gives every value its
 * parameters name; else `WHATSAPP_WINDOW_TEMPLATE` without parameters; else nothing.
 */
export function windowFallbackFor(
  message: OutboundMessage,
  book: TemplateBook,
  last: WindowTemplate | undefined,
): WindowFallback | undefined {
  const values = valuesOf(message);
  const purposes: TemplatePurpose[] = [];
  const purpose = purposeOf(message);
  if ((TEMPLATE_PURPOSES as readonly string[]).includes(purpose)) purposes.push(purpose as TemplatePurpose);
  purposes.push('reply_window');
  for (const purpose of purposes) {
    const mapping = book.get(purpose);
    if (!mapping) continue;
    const filled = fill(mapping, values);
    if (!filled) continue;
    return {
      name: mapping.name,
      language: mapping.language,
      ...filled,
      ...(mapping.twilio ? { contentSid: mapping.twilio.contentSid } : {}),
      source: purpose,
    };
  }
  if (last) return { ...last, header: [], body: [], source: 'window_template' };
  return undefined;
}

/** Graph API template components for a fallback's parameter values. */
export function graphComponents(fallback: WindowFallback): Array<Record<string, unknown>> | undefined {
  const components: Array<Record<string, unknown>> = [];
  const parameters = (values: string[]) => values.map((text) => ({ type: 'text', text }));
  if (fallback.header.length > 0) components.push({ type: 'header', parameters: parameters(fallback.header) });
  if (fallback.body.length > 0) components.push({ type: 'body', parameters: parameters(fallback.body) });
  return components.length > 0 ? components : undefined;
}

/** Twilio's ContentVariables for a fallback: the header's values then the body's, numbered 1, 2, ... */
export function twilioContentVariables(fallback: WindowFallback): string | undefined {
  const values = [...fallback.header, ...fallback.body];
  if (values.length === 0) return undefined;
  return JSON.stringify(Object.fromEntries(values.map((v, i) => [String(i + 1), v])));
}
