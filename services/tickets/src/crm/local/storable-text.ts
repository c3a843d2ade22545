const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text PostgreSQL will take: it refuses NUL in `text`, and node-postgres would turn a lone
 * surrogate into U+FFFD on the way anyway. Both become U+FFFD here, so a message with a
 * broken emoji or a stray NUL still makes its ticket instead of failing it for good.
 */
export function storableText(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}

export function storableOptional(text: string | undefined): string | null {
  return text === undefined ? null : storableText(text);
}
