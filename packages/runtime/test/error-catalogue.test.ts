import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CodedError,
  declarationOf,
  ERRORS,
  errorCatalogue,
  failureReason,
  HttpError,
  isRetryable,
  PermanentError,
} from '@helpline/runtime';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** The codes in the first column of docs/errors.md's table. */
function documentedCodes(): string[] {
  const text = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  return [...text.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1] as string);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the error catalogue', () => {
  test('every declared code has a row in docs/errors.md, and every row a declaration', () => {
    const declared = errorCatalogue().map((d) => d.code);
    const documented = documentedCodes();
    expect(declared.filter((code) => !documented.includes(code))).toEqual([]);
    expect(documented.filter((code) => !declared.includes(code))).toEqual([]);
  });

  test('every literal code a service throws is declared', () => {
    const thrown = new Set<string>();
    for (const base of ['services', 'packages']) {
      for (const service of readdirSync(join(root, base))) {
        const src = join(root, base, service, 'src');
        if (!statSync(join(root, base, service)).isDirectory()) continue;
        let files: string[] = [];
        try {
          files = sourceFiles(src);
        } catch {
          continue;
        }
        for (const file of files) {
          const text = readFileSync(file, 'utf8');
          for (const m of text.matchAll(/new HttpError\(\s*\d{3},\s*'([a-z_]+)'/g)) thrown.add(m[1] as string);
          for (const m of text.matchAll(/new PermanentError\(\s*'([a-z_]+)'/g)) thrown.add(m[1] as string);
        }
      }
    }
    expect(thrown.size).toBeGreaterThan(10);
    expect([...thrown].filter((code) => !declarationOf(code))).toEqual([]);
  });

  test('a coded error carries its declaration; the retryable flag decides', () => {
    const busy = new CodedError(ERRORS.crm_unavailable, 'down');
    expect([busy.statusCode, busy.retryable, busy.answer]).toEqual([503, true, 'crm_unavailable']);
    expect(isRetryable(busy)).toBe(true);
    const refused = new CodedError(ERRORS.crm_refused, 'no');
    expect([refused.statusCode, refused.retryable, refused.answer]).toEqual([422, false, 'unprocessable']);
    expect(isRetryable(refused)).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(true);
  });

  test('a PermanentError is never retryable, even under a retryable code', () => {
    const gaveUp = new PermanentError('crm_unavailable', 'gave up after the horizon');
    expect(gaveUp.retryable).toBe(false);
    expect(gaveUp.statusCode).toBe(503);
  });

  test("an outside provider's number rides beside the fixed code, and a failed job's reason names both", () => {
    const refused = new PermanentError('crm_refused', 'no such department', { providerCode: 'INVALID_DATA' });
    expect([refused.code, refused.providerCode]).toEqual(['crm_refused', 'INVALID_DATA']);
    expect(failureReason(refused)).toBe('crm_refused (INVALID_DATA): no such department');
    expect(failureReason(new CodedError(ERRORS.window_closed, 'closed'))).toBe('window_closed: closed');
  });

  test('no service makes a coded error with a code built at run time (the code is fixed; the number goes apart)', () => {
    const dynamic: string[] = [];
    for (const base of ['services', 'packages']) {
      for (const name of readdirSync(join(root, base))) {
        let files: string[] = [];
        try {
          files = sourceFiles(join(root, base, name, 'src'));
        } catch {
          continue;
        }
        for (const file of files) {
          const text = readFileSync(file, 'utf8');
          const built = /new (?:PermanentError\(|HttpError\(\s*\d{3},)\s*`|extends PermanentError[\s\S]*?super\(\s*`/;
          if (built.test(text)) dynamic.push(file.slice(root.length + 1));
        }
      }
    }
    expect(dynamic).toEqual([]);
  });

  test("an HttpError answers with the route's status", () => {
    const error = new HttpError(409, 'already_linked', 'linked');
    expect([error.statusCode, error.answer, error.retryable]).toEqual([409, 'already_linked', false]);
  });
});
