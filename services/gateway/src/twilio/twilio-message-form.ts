import type { DocumentReference, OutboundContent, OutboundMessage } from '@helpline/contracts';
import { PermanentError } from '@helpline/runtime';
import type { NumberedOption } from './numbered-options.js';

/** The parameters of one `POST .../Messages.json`, in order. */
export type MessageForm = Array<[name: string, value: string]>;

/** What a message becomes on Twilio, and the numbered choices it offers, if any. */
export interface TwilioMessagePlan {
  form: MessageForm;
  options?: NumberedOption[];
}

/** WhatsApp's limit on a free-form body; Twilio's own (1 600) is met by sending parts. */
const MAX_BODY = 4096;

/**
 * Buttons and lists as text: the body, then one numbered line per choice, so that the
 * customer answers with the number. Twilio shows interactive messages only through Content
 * API templates created beforehand; the conversation's choices change with its texts and
 * language, so they go as text that any WhatsApp client shows.
 */
export function numberedText(content: Extract<OutboundContent, { kind: 'buttons' | 'list' }>): {
  body: string;
  options: NumberedOption[];
} {
  const options: NumberedOption[] =
    content.kind === 'buttons'
      ? content.buttons.map((b) => ({ id: b.id, title: b.title, kind: 'button_reply' as const }))
      : content.sections.flatMap((s) => s.rows.map((r) => ({ id: r.id, title: r.title, kind: 'list_reply' as const })));
  const descriptions = content.kind === 'list' ? content.sections.flatMap((s) => s.rows.map((r) => r.description)) : [];
  const lines = options.map((o, i) => `${i + 1}. ${o.title}${descriptions[i] ? ` (${descriptions[i]})` : ''}`);
  const parts = [content.header ? `*${content.header}*` : undefined, content.body, lines.join('\n'), content.footer];
  return { body: parts.filter(Boolean).join('\n\n').slice(0, MAX_BODY), options };
}

/** Content variables as Twilio takes them: a JSON object of "1", "2", ... from the body parameters. */
export function contentVariablesOf(components: ReadonlyArray<Record<string, unknown>> | undefined): string | undefined {
  const values: string[] = [];
  for (const component of components ?? []) {
    const type = String(component.type ?? '').toLowerCase();
    if (type !== 'header' && type !== 'body') continue;
    const parameters = Array.isArray(component.parameters) ? component.parameters : [];
    for (const parameter of parameters) {
      const p = parameter as Record<string, unknown>;
      if (typeof p.text === 'string') values.push(p.text);
    }
  }
  if (values.length === 0) return undefined;
  return JSON.stringify(Object.fromEntries(values.map((v, i) => [String(i + 1), v])));
}

export interface TwilioFormContext {
  from: string;
  statusCallback?: string;
  /** A template's Content SID by its name and language (the templates file's `twilio` column). */
  contentSidFor(name: string, language: string): string | undefined;
  /** A signed, expiring public URL for a document by reference; absent while DOCUMENT_URL_SECRET is unset. */
  documentUrl?(ref: DocumentReference, filename?: string): string;
}

/**
 * The Messages API form for one outbound message (`mark_read` excluded: Twilio has no read
 * receipt to send). `To` is the chat's WhatsApp number.
 */
export function twilioMessagePlan(message: OutboundMessage, ctx: TwilioFormContext): TwilioMessagePlan {
  const c = message.content;
  const form: MessageForm = [
    ['From', `whatsapp:${ctx.from}`],
    ['To', `whatsapp:+${message.to.replace(/^\+/, '')}`],
  ];
  if (ctx.statusCallback) form.push(['StatusCallback', ctx.statusCallback]);
  switch (c.kind) {
    case 'text':
      form.push(['Body', c.body]);
      return { form };
    case 'buttons':
    case 'list': {
      const { body, options } = numberedText(c);
      form.push(['Body', body]);
      return { form, options };
    }
    case 'media': {
      // A document by reference (a statement) goes as a signed public URL of this gateway.
      const link = c.link ?? (c.ref && ctx.documentUrl ? ctx.documentUrl(c.ref, c.filename) : undefined);
      if (!link) {
        throw new PermanentError(
          'twilio_media_id',
          c.ref
            ? 'Twilio sends media by public URL only; a document by reference needs DOCUMENT_URL_SECRET and a public base URL (PUBLIC_BASE_URL or TWILIO_WEBHOOK_URL)'
            : 'Twilio sends media by public URL only; this message names a Cloud API media id',
        );
      }
      form.push(['MediaUrl', link]);
      // A caption travels as the body; audio and stickers take none on WhatsApp.
      if (c.caption && c.mediaType !== 'audio' && c.mediaType !== 'sticker') form.push(['Body', c.caption]);
      return { form };
    }
    case 'template': {
      const sid = ctx.contentSidFor(c.name, c.language);
      if (!sid) {
        throw new PermanentError(
          'twilio_template_unmapped',
          `template ${c.name} (${c.language}) has no Twilio Content SID in WHATSAPP_TEMPLATES_FILE`,
        );
      }
      form.push(['ContentSid', sid]);
      const variables = contentVariablesOf(c.components);
      if (variables) form.push(['ContentVariables', variables]);
      return { form };
    }
    case 'location': {
      // Twilio sends a WhatsApp location as a PersistentAction `geo:<lat>,<long>|<label>`
      // beside a body; the name and address travel in both.
      const label = [c.name, c.address].filter(Boolean).join(', ');
      form.push(['Body', label || `${c.latitude},${c.longitude}`]);
      form.push(['PersistentAction', `geo:${c.latitude},${c.longitude}${label ? `|${label}` : ''}`]);
      return { form };
    }
    case 'mark_read':
      throw new PermanentError('twilio_mark_read', 'Twilio has no read receipt to send');
  }
}
