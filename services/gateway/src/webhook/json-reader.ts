// Readers for the loosely typed parts of Meta's payloads. Meta adds fields and, in older
// payloads, writes numbers as strings; a reader returns undefined rather than throwing,
// so one odd field never costs the whole message.

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A non-empty string, or undefined. */
export function asText(value: unknown): string | undefined {
  const s = asString(value);
  return s !== undefined && s.length > 0 ? s : undefined;
}

/** A number given as a JSON number or a numeric string; NaN-free. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Meta timestamps are seconds since the epoch, as a string (or, in older payloads, a number). */
export function secondsToIso(value: unknown, fallback: Date): string {
  const seconds = asNumber(value);
  if (seconds === undefined) return fallback.toISOString();
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? fallback.toISOString() : date.toISOString();
}
