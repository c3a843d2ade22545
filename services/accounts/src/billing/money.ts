/**
 * Money as integer minor units (centavos), never floats: back-offices give decimal strings
 * (`"85000.00"`) or numbers, and `0.1 + 0.2` must never reach a customer. Colombian format:
 * `$ 85.000` (dots between thousands, a comma before centavos, shown only when not zero).
 */

/** Parses `85000` or `"85000.00"` (back-office decimals use a dot; anything else is undefined). */
export function toMinorUnits(value: string | number | null | undefined): bigint | undefined {
  if (value === null || value === undefined) return undefined;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // A number with more than two decimals is a float artefact of someone else's: round half up on the string.
    text = value.toFixed(2);
  } else {
    text = value.trim();
  }
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const cents = `${fraction}00`.slice(0, 2);
  // Digits beyond the centavos round half up.
  const roundUp = fraction.length > 2 && Number(fraction[2]) >= 5 ? 1n : 0n;
  const minor = BigInt(whole as string) * 100n + BigInt(cents) + roundUp;
  return sign ? -minor : minor;
}

/** `$ 85.000`, `$ 1.234.567,05`, `-$ 5.000`. */
export function formatCop(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const pesos = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const cents = abs % 100n;
  const text = `$ ${pesos}${cents === 0n ? '' : `,${cents.toString().padStart(2, '0')}`}`;
  return negative ? `-${text}` : text;
}

/** The decimal string a back-office form takes (`85000.00`). */
export function toDecimalString(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
