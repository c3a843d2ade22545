import type { Language } from '@helpline/contracts';
import { z } from 'zod';
import en from './texts/en.json' with { type: 'json' };
import es from './texts/es.json' with { type: 'json' };

const TEXT_KEYS = Object.keys(en) as (keyof typeof en)[];
export type TextKey = keyof typeof en;

// List titles and button labels are WhatsApp-limited (rows 24, buttons 20): checked at start.
const SHORT: Partial<Record<TextKey, number>> = {
  billingMenuButton: 20,
  chooseAccountButton: 20,
  invoicesButton: 20,
  plansButton: 20,
  passwordWifi: 20,
  passwordAccount: 20,
  noticeStopButton: 20,
  rowDebt: 24,
  rowInvoices: 24,
  rowPaymentPoints: 24,
  rowDebtDescription: 72,
  rowInvoicesDescription: 72,
  rowPaymentPointsDescription: 72,
};

const Book = z.object(
  Object.fromEntries(
    TEXT_KEYS.map((k) => [
      k,
      z
        .string()
        .trim()
        .min(1)
        .max(SHORT[k] ?? 1024),
    ]),
  ) as Record<TextKey, z.ZodString>,
);
export type Texts = z.infer<typeof Book>;
export type TextBook = Record<Language, Texts>;

/** Both languages' files, validated: a missing or over-long entry stops the start and is named. */
export function loadTexts(): TextBook {
  const book = {} as TextBook;
  const raw = { es, en } as Record<Language, unknown>;
  for (const language of ['es', 'en'] as const) {
    const parsed = Book.safeParse(raw[language]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`texts/${language}.json: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    book[language] = parsed.data;
  }
  return book;
}

/** Replaces `{name}` placeholders; a value missing leaves nothing behind. */
export function fill(text: string, values: Record<string, string | number | undefined>): string {
  return text.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
}
