import type { z } from 'zod';

export interface IssueSummary {
  path: string;
  message: string;
}

/** zod issues as `{ path, message }` pairs, the path written `a.b[0].c`. */
export function summariseIssues(issues: readonly z.core.$ZodIssue[], root = ''): IssueSummary[] {
  return issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
      root,
    );
    return { path: path || '(root)', message: issue.message };
  });
}

/** One line naming every wrong field: `subject: Required; priority: Invalid option`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root = ''): string {
  return summariseIssues(issues, root)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
}
