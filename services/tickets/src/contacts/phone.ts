import type { TicketRequest } from '@helpline/contracts';
import { PermanentError } from '@helpline/runtime';
import { z } from 'zod';

/** E.164 allows at most 15 digits; the shortest international numbers have 7. */
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;

export const PHONE_FORM = 'digits with the country code first, such as +57 300 111 2233 or 573001112233';

/**
 * The one form a phone number takes in this service: digits only, country code first, no
 * `+`, spaces, dashes, dots or parentheses (`573001112233`), which is how WhatsApp and the
 * classifier write it. The CRMs find contacts by exact string, so "+57 300 111 2233" and
 * "573001112233" must become the same value before any adapter sees them, or one person
 * ends up as several contacts. Undefined when the input cannot be such a number (too few or
 * too many digits, or a leading 0: no country code starts with 0, so the number is national
 * or written with a 00 prefix, and guessing the country would file it under someone else).
 */
export function normalizePhone(raw: string): string | undefined {
  const digits = raw.replace(/\D/g, '');
  if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS || digits.startsWith('0')) return undefined;
  return digits;
}

/** A phone number as people type it, validated and normalised (see `normalizePhone`). */
export const PhoneNumber = z
  .string()
  .trim()
  .regex(/^\+?[0-9(][0-9 ().-]{5,30}$/, `expected a phone number: ${PHONE_FORM}`)
  .transform((raw, ctx) => {
    const phone = normalizePhone(raw);
    if (phone === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected 7 to 15 digits, ${PHONE_FORM}` });
      return z.NEVER;
    }
    return phone;
  });

/**
 * The queue's edge: ticket requests from other services carry the phone as they got it
 * (the classifier sends bare digits, others may not). A phone that is no phone number fails
 * the request at once, naming the field, rather than filing the ticket under a wrong contact.
 */
export function withNormalizedPhone(request: TicketRequest): TicketRequest {
  const raw = request.contact.phone;
  if (raw === undefined) return request;
  const phone = normalizePhone(raw);
  if (phone === undefined)
    throw new PermanentError(
      'invalid_payload',
      `contact.phone is not a phone number: expected 7 to 15 digits, ${PHONE_FORM}`,
    );
  return phone === raw ? request : { ...request, contact: { ...request.contact, phone } };
}
