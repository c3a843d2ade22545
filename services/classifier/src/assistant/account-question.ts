import { normalizeText } from '../keywords/normalize.js';

/**
 * Phrases of a customer asking about their OWN account (what they owe, their invoice, their
 * payments): answered by the accounts service from real data, never from the knowledge
 * base or a model. Used when no model classified the message; a model says it with
 * `reply.status: account`. Folded like the keywords (no accents, lower case).
 */
const OWN_ACCOUNT_PHRASES = [
  'cuanto debo',
  'que debo',
  'mi deuda',
  'mi saldo',
  'mi factura',
  'mis facturas',
  'mi recibo',
  'mi cuenta de cobro',
  'mi pago',
  'mis pagos',
  'me cobraron',
  'me llego una factura',
  'me llego la factura',
  'estoy al dia',
  'estado de cuenta',
  'paz y salvo',
  'my debt',
  'my balance',
  'my bill',
  'my invoice',
  'my invoices',
  'my payment',
  'my payments',
  'how much do i owe',
  'what do i owe',
  'i was charged',
  'account statement',
];

export function isOwnAccountQuestion(text: string): boolean {
  const folded = ` ${normalizeText(text)} `;
  return OWN_ACCOUNT_PHRASES.some((phrase) => folded.includes(` ${phrase} `));
}
