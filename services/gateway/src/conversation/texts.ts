import type { Language } from '@helpline/contracts';
import { z } from 'zod';
import en from './texts/en.json' with { type: 'json' };
import es from './texts/es.json' with { type: 'json' };

/** The ids of the main menu's rows, in the order they are shown. */
export const MENU_CHOICES = [
  'check_connection',
  'report_problem',
  'billing',
  'change_password',
  'improve_plan',
  'talk_to_person',
] as const;
export type MenuChoice = (typeof MENU_CHOICES)[number];

const Text = z.string().trim().min(1);
// Limits are WhatsApp's (the same as the outbound contract's): a text file that breaks
// one fails at start, not when the first customer writes.
const Row = z.object({ title: Text.max(24), description: z.string().max(72) });

export const ConversationTexts = z.object({
  privacy: z.object({
    header: Text.max(60),
    body: Text.max(1024),
    /** `{version}` is replaced by the notice version. */
    footer: Text.max(50),
    accept: Text.max(20),
    decline: Text.max(20),
  }),
  consentDeclined: Text,
  menu: z.object({
    header: Text.max(60),
    body: Text.max(4096),
    footer: Text.max(60),
    button: Text.max(20),
    section: Text.max(24),
    rows: z.object(Object.fromEntries(MENU_CHOICES.map((c) => [c, Row])) as Record<MenuChoice, typeof Row>),
  }),
  help: Text,
  askDescription: Text,
  diagnosisStarted: Text,
  billing: Text,
  changePassword: Text,
  improvePlan: Text,
  invoices: Text,
  debt: Text,
  paymentPoints: Text,
  /** `{hours}` is replaced by the handoff timeout. */
  handoff: Text,
  rateLimited: Text,
});
export type ConversationTexts = z.infer<typeof ConversationTexts>;
export type TextBook = Record<Language, ConversationTexts>;

/**
 * The customer-facing texts, one data file per language, validated so that a broken file
 * stops the start with the path of the bad entry.
 */
export function loadTexts(sources: Record<Language, unknown> = { es, en }): TextBook {
  const book = {} as TextBook;
  for (const language of Object.keys(sources) as Language[]) {
    const parsed = ConversationTexts.safeParse(sources[language]);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`conversation texts (${language}) are invalid: ${where}`);
    }
    book[language] = parsed.data;
  }
  return book;
}

/** Replaces `{name}` placeholders; an unknown placeholder stays as written. */
export function fillText(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
