import type { z } from 'zod';

/**
 * Parses `value` and returns the paths of the issues zod reports, so a test can say which
 * field a refusal names rather than only that something failed.
 */
export function issuePaths(schema: z.ZodType, value: unknown): PropertyKey[][] {
  const result = schema.safeParse(value);
  if (result.success) {
    throw new Error(`expected a refusal, but the value parsed: ${JSON.stringify(result.data)}`);
  }
  return result.error.issues.map((issue) => issue.path);
}

/** The single issue of a refusal, for cases where exactly one thing is wrong. */
export function onlyIssue(schema: z.ZodType, value: unknown): z.core.$ZodIssue {
  const result = schema.safeParse(value);
  if (result.success) {
    throw new Error(`expected a refusal, but the value parsed: ${JSON.stringify(result.data)}`);
  }
  const [first, ...rest] = result.error.issues;
  if (!first || rest.length > 0) {
    throw new Error(`expected exactly one issue, got ${JSON.stringify(result.error.issues)}`);
  }
  return first;
}
