import { readFileSync } from 'node:fs';
import { CATEGORIES, Category, Priority } from '@helpline/contracts';
import { z } from 'zod';

const Terms = z.array(z.string().min(1));

/** The shape of data/keyword-rules.json; checked when the classifier is built, never trusted. */
export const KeywordRules = z.object({
  categories: z
    .record(Category, z.record(z.string().min(1), z.number().positive()))
    .refine((c) => CATEGORIES.every((name) => name in c), {
      message: `every category needs an entry: ${CATEGORIES.join(', ')}`,
    }),
  /** Prefix of the keyword summary, so a ticket subject says what it is about at a glance. */
  summaryLabels: z.object({ es: z.record(Category, z.string().min(1)), en: z.record(Category, z.string().min(1)) }),
  tieBreak: z.array(Category),
  priority: z.object({
    $comment: z.string().optional(),
    base: z.record(Category, Priority),
    urgent: Terms,
    raise: Terms,
    lower: Terms,
  }),
  needsTicket: z.record(Category, z.object({ default: z.boolean(), yes: Terms.optional(), no: Terms.optional() })),
  language: z.object({ es: Terms, en: Terms }),
});
export type KeywordRules = z.infer<typeof KeywordRules>;

/** The rules shipped with the service: `data/keyword-rules.json`, beside `src` and `dist`. */
export const DEFAULT_RULES_FILE = new URL('../../data/keyword-rules.json', import.meta.url);

export function loadKeywordRules(file: URL | string = DEFAULT_RULES_FILE): KeywordRules {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const parsed = KeywordRules.safeParse(raw);
  if (!parsed.success) throw new Error(`keyword rules in ${String(file)} are invalid: ${parsed.error.message}`);
  return parsed.data;
}
