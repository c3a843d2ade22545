import { z } from 'zod';

/**
 * What each approved WhatsApp template is for (issue 16, "Templates"): the notices, and the
 * generic "we answered you" (`reply_window`) sent when a reply finds the 24-hour window
 * closed. Renaming one breaks every deployment's templates file: add, never rename.
 */
export const TEMPLATE_PURPOSES = [
  'due_reminder',
  'overdue',
  'cut_off',
  'restored',
  'outage',
  'outage_resolved',
  'ticket_update',
  'broadcast',
  'reply_window',
] as const;
export const TemplatePurpose = z.enum(TEMPLATE_PURPOSES);
export type TemplatePurpose = z.infer<typeof TemplatePurpose>;

/** A value that fills one template parameter, by name (`text`, `customer_name`, `amount`, ...). */
const ValueName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a value name such as customer_name');

/** One purpose's approved template, on the Cloud API and (optionally) on Twilio. */
export const TemplateMapping = z.strictObject({
  /** The template's name as approved in the WhatsApp Manager. */
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'expected a template name: lowercase letters, digits and _'),
  /** Its language code, as approved: `es`, `en_US`, ... */
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'expected a language code such as es or en_US'),
  /** Which value fills each header parameter ({{1}}, ...), in order. */
  header: z.array(ValueName).max(1).default([]),
  /** Which value fills each body parameter ({{1}}, {{2}}, ...), in order. */
  body: z.array(ValueName).max(20).default([]),
  /**
   * The same template on Twilio: the Content SID (HX...) of the Content API template that
   * WhatsApp approved; its variables are the header's values then the body's, numbered 1, 2, ...
   */
  twilio: z
    .strictObject({
      contentSid: z.string().regex(/^HX[0-9a-fA-F]{32}$/, 'expected a Content SID: HX and 32 hex digits'),
    })
    .optional(),
});
export type TemplateMapping = z.infer<typeof TemplateMapping>;

/** `WHATSAPP_TEMPLATES_FILE`: purpose -> template. Every purpose is optional. */
export const WhatsAppTemplatesFile = z.partialRecord(TemplatePurpose, TemplateMapping);
export type WhatsAppTemplatesFile = z.infer<typeof WhatsAppTemplatesFile>;
