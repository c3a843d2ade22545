import type { Language } from '@helpline/contracts';
import type { Account } from '../billing/billing-provider.js';

/** `2025-06-30` as the customer reads it: `30/06/2025` in Spanish, ISO in English. */
export function showDate(iso: string | undefined, language: Language): string {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  return language === 'es' ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** The first name, for a friendly greeting; the account id when the back-office has no name. */
export function firstName(account: Account): string {
  return account.name?.trim().split(/\s+/)[0] ?? account.customerId;
}

/** Cuts to WhatsApp's limit with an ellipsis instead of a refused message. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
export { fill } from './texts.js';
