/**
 * One nesting limit for every JSON body and every job payload. The deepest payload of the
 * conformance corpus (Meta's webhooks, Baileys' messages) is far shallower (a test measures
 * it); 64 is far below what breaks a stack in a recursive serialiser (JSON.stringify, a
 * fingerprint, a log line), which is what a 10,000-deep array did.
 */
export const MAX_JSON_DEPTH = 64;

export function depthMessage(limit = MAX_JSON_DEPTH): string {
  return `JSON nested deeper than ${limit} levels`;
}

/**
 * The nesting depth of JSON text, counted without parsing (brackets outside strings), so a
 * hostile body is measured before anything recursive sees it. Stops counting, and answers
 * `limit + 1`, as soon as the limit is passed. Malformed text is measured all the same; the
 * parser refuses it afterwards.
 */
export function jsonTextDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return limit + 1;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return deepest;
}

/**
 * The nesting depth of a value (an object or array is one level, a scalar none), looked at
 * no deeper than `limit + 1` levels so that a hostile value cannot exhaust the stack here.
 */
export function valueDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  const walk = (node: unknown, level: number): number => {
    if (node === null || typeof node !== 'object') return level - 1;
    if (level > limit) return level;
    let deepest = level;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      const d = walk(child, level + 1);
      if (d > deepest) deepest = d;
      if (deepest > limit) return deepest;
    }
    return deepest;
  };
  return walk(value, 1);
}

/** True when the value nests deeper than the limit. */
export function tooDeep(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  return valueDepth(value, limit) > limit;
}
