/** Twilio's limit on `Body` (error 21617 past it), WhatsApp included. */
export const TWILIO_MAX_BODY = 1600;

/**
 * A text longer than Twilio takes, as parts that each fit, cut at the last paragraph, line
 * or word break before the limit (mid-word only when a word alone is longer). Nothing of
 * the text is dropped; surrounding white space of each part is.
 */
export function splitBody(text: string, max = TWILIO_MAX_BODY): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    const cut = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find(
      (i) => i > max / 2,
    );
    const at = cut ?? max;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
