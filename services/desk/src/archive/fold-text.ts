/**
 * Text as PostgreSQL may store it: NUL is the one character a `text` value cannot hold,
 * and one message carrying it must not fail its whole batch forever.
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/**
 * The folded form full-text search works on: lower case, accents and other combining marks
 * removed ("Conexión" and "conexion" match), so search needs no `unaccent` extension.
 */
export function foldForSearch(text: string): string {
  return storableText(text)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}
