import type { Language } from '@helpline/contracts';
import { z } from 'zod';
import raw from './texts.json' with { type: 'json' };

const Texts = z.object({
  ticketCreated: z.string().includes('{number}'),
  groupTicketCreated: z.string().includes('{number}').includes('{mention}'),
  findingsTitle: z.string(),
  findingsStatus: z.string(),
  findingsSummary: z.string(),
  findingsRouter: z.string(),
  findingsWhen: z.string(),
  channel: z.string(),
  channels: z.object({ cloud: z.string(), group: z.string(), twilio: z.string() }),
  contact: z.string(),
  results: z.object({ pass: z.string(), warn: z.string(), fail: z.string(), skipped: z.string(), error: z.string() }),
});
export type Texts = z.infer<typeof Texts>;

// Parsed once when first used, so a translator's typo (a missing placeholder) fails the
// tests rather than a customer's message.
let parsed: Record<Language, Texts> | undefined;

/** The customer-facing and ticket texts in one language (texts.json). */
export function textsFor(language: Language): Texts {
  parsed ??= z.object({ es: Texts, en: Texts }).parse(raw);
  return parsed[language];
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
