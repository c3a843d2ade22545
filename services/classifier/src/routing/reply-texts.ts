import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const REPLY_KEYS = [
  'diagnosing',
  'ticket',
  'handoff',
  'greeting',
  'received',
  'not_found',
  'voice_unsupported',
  'voice_failed',
] as const;
export type ReplyKey = (typeof REPLY_KEYS)[number];

const Texts = z.object(
  Object.fromEntries(REPLY_KEYS.map((k) => [k, z.string().trim().min(1).max(1000)])) as Record<ReplyKey, z.ZodString>,
);

/** data/replies.json: every acknowledgement in both languages. */
export const ReplyTexts = z.object({ es: Texts, en: Texts });
export type ReplyTexts = z.infer<typeof ReplyTexts>;

export const DEFAULT_REPLIES_FILE = new URL('../../data/replies.json', import.meta.url);

export function loadReplyTexts(file: URL | string = DEFAULT_REPLIES_FILE): ReplyTexts {
  const parsed = ReplyTexts.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`reply texts in ${String(file)} are invalid: ${parsed.error.message}`);
  return parsed.data;
}
