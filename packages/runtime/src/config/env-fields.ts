import { z } from 'zod';

// Field builders for environment variables. Every value arrives as a string (empty ones are
// removed before parsing, so "" means "not set"); each builder turns it into a typed value
// and carries the message an operator reads when it is wrong.

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function envBoolean(defaultValue: boolean) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return defaultValue;
      const v = value.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected true or false (also 1/0, yes/no, on/off)' });
      return z.NEVER;
    });
}

interface IntOptions {
  min?: number;
  max?: number;
}

function parseInteger(value: string, opts: IntOptions, ctx: z.RefinementCtx): number {
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) {
    ctx.addIssue({ code: 'custom', message: 'expected a whole number' });
    return z.NEVER;
  }
  const n = Number(trimmed);
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    const range = `${opts.min ?? '-∞'} to ${opts.max ?? '∞'}`;
    ctx.addIssue({ code: 'custom', message: `expected a whole number from ${range}` });
    return z.NEVER;
  }
  return n;
}

export function envInt(defaultValue: number, opts: IntOptions = {}) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => (value === undefined ? defaultValue : parseInteger(value, opts, ctx)));
}

export function envRequiredInt(opts: IntOptions = {}) {
  return z.string({ error: 'is required: expected a whole number' }).transform((v, ctx) => parseInteger(v, opts, ctx));
}

export function envPort(defaultValue: number) {
  return envInt(defaultValue, { min: 1, max: 65_535 });
}

export function envNumber(defaultValue: number, opts: { min?: number; max?: number } = {}) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return defaultValue;
      const n = Number(value.trim());
      const inRange = (opts.min === undefined || n >= opts.min) && (opts.max === undefined || n <= opts.max);
      if (value.trim() === '' || !Number.isFinite(n) || !inRange) {
        const range =
          opts.min !== undefined || opts.max !== undefined ? ` from ${opts.min ?? '-∞'} to ${opts.max ?? '∞'}` : '';
        ctx.addIssue({ code: 'custom', message: `expected a number${range}` });
        return z.NEVER;
      }
      return n;
    });
}

/** A URL with one of the given protocols. */
export function envUrl(protocols: readonly string[], example: string) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `expected a ${protocols.join(' or ')} URL such as ${example}` },
  );
}

export function envOptionalUrl(protocols: readonly string[], example: string) {
  return envUrl(protocols, example).optional();
}

/** A comma-separated list; blanks and surrounding spaces are dropped. */
export function envList(defaultValue: readonly string[] = []) {
  return z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? [...defaultValue]
        : value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
    );
}

export function envEnum<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number]) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return defaultValue;
      const v = value.trim();
      if ((values as readonly string[]).includes(v)) return v as T[number];
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}` });
      return z.NEVER;
    });
}

/** A required string (a secret or an id). */
export function envRequired(what: string) {
  return z.string({ error: `is required: expected ${what}` }).min(1, `is required: expected ${what}`);
}

export function envOptional() {
  return z.string().optional();
}
