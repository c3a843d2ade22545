/**
 * Lower case, accents and ñ folded (`caído` -> `caido`, `señal` -> `senal`), emoji and
 * punctuation turned into spaces: the form both the rules and the messages are matched in.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized ? normalized.split(' ') : [];
}
