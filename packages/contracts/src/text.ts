import { z } from 'zod';

/**
 * Ill-formed Unicode is decided once, here, at the edges (webhooks, HTTP bodies, job
 * payloads). A lone UTF-16 surrogate (a split emoji, common when a client cuts a message
 * at a byte limit) cannot be encoded as UTF-8: Redis stores it as invalid bytes, Lua's
 * cjson refuses it, and a job id holding one comes back as different text.
 *
 * - Customer text (what a person wrote, names, subjects) is repaired: each lone surrogate
 *   becomes U+FFFD and the rest is kept, so a customer is never refused for a cut emoji.
 * - Identifiers (message, chat and correlation ids, phone numbers, keys) are refused with
 *   an error on their field: repairing one would silently name something else.
 */

export const ILL_FORMED_MESSAGE = 'must be well-formed Unicode (it holds a lone UTF-16 surrogate)';

/** The string with every lone surrogate replaced by U+FFFD (the same string when there is none). */
export function repairText(value: string): string {
  return value.isWellFormed() ? value : value.toWellFormed();
}

/** Customer text: any string, lone surrogates repaired. Chain limits after it (`Text.max(n)`). */
export const Text = z.string().overwrite(repairText);

/** An identifier: refused (naming its field) when it holds a lone surrogate. */
export const Identifier = z
  .string()
  .refine((value) => value.isWellFormed(), { message: ILL_FORMED_MESSAGE, abort: true });

/**
 * Every string of a JSON-like value repaired, keys included; the value itself when nothing
 * needed it. The backstop behind the schemas for what they pass through unread
 * (`z.unknown()` fields such as template components), applied by the queue producer.
 */
export function repairTextDeep<T>(value: T): T {
  return repair(value) as T;
}

function repair(value: unknown): unknown {
  if (typeof value === 'string') return repairText(value);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const fixed = repair(item);
      if (fixed !== item) changed = true;
      return fixed;
    });
    return changed ? out : value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const fixedKey = repairText(key);
      const fixed = repair(item);
      if (fixedKey !== key || fixed !== item) changed = true;
      out[fixedKey] = fixed;
    }
    return changed ? out : value;
  }
  return value;
}
