import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** Every `.ts` file under `services/*\/src` and `packages/*\/src`. */
function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      if (entry === 'node_modules' || entry === 'dist') return [];
      if (statSync(path).isDirectory()) return walk(path);
      return path.endsWith('.ts') ? [path] : [];
    });
  return ['services', 'packages'].flatMap((base) =>
    readdirSync(join(root, base)).flatMap((name) => {
      const src = join(root, base, name, 'src');
      try {
        return statSync(src).isDirectory() ? walk(src) : [];
      } catch {
        return [];
      }
    }),
  );
}

interface ClassFound {
  parent: string;
  file: string;
}

/** `class A extends B` in every source file, by class name. */
function classes(): Map<string, ClassFound> {
  const found = new Map<string, ClassFound>();
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bclass\s+(\w+)(?:<[^>{]*>)?\s+extends\s+([\w.]+)/g)) {
      found.set(m[1] as string, { parent: m[2] as string, file: relative(root, file) });
    }
  }
  return found;
}

/**
 * The classes whose chain of parents reaches one of JavaScript's own errors without passing
 * through CodedError (the base itself counts: it is where the chain ends).
 */
function plainErrorClasses(found: Map<string, ClassFound>): Map<string, string> {
  const plain = new Map<string, string>();
  for (const [name, { file }] of found) {
    let current = name;
    for (let depth = 0; depth < 20; depth++) {
      if (current === 'CodedError' && name !== 'CodedError') break;
      const parent = found.get(current)?.parent;
      if (parent === undefined) break;
      if (/^(globalThis\.)?(Error|TypeError|RangeError|SyntaxError)$/.test(parent)) {
        plain.set(name, file);
        break;
      }
      current = parent;
    }
  }
  return plain;
}

/** The allow-list: the table of docs/errors.md's "Plain errors" section, class -> path. */
function allowList(): Map<string, string> {
  const text = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  const section = text.slice(text.indexOf('## Plain errors'));
  return new Map([...section.matchAll(/^\| `(\w+)` \| `([^`]+)` \|/gm)].map((m) => [m[1] as string, m[2] as string]));
}

describe('error classes', () => {
  test('the scan finds the classes it should (coded ones are not plain)', () => {
    const found = classes();
    const plain = plainErrorClasses(found);
    expect(found.get('RouterTrapError')?.parent).toBe('RouterError');
    expect(plain.has('ConfigError')).toBe(true);
    expect(plain.has('PermanentError')).toBe(false);
    expect(plain.has('CrmAmbiguousError')).toBe(false);
  });

  test('every class extending plain Error is on the documented allow-list, where it is', () => {
    const plain = plainErrorClasses(classes());
    const allowed = allowList();
    expect(allowed.size).toBeGreaterThan(0);
    expect(allowed.size).toBeLessThanOrEqual(10);
    const unlisted = [...plain].filter(([name]) => !allowed.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(unlisted).toEqual([]);
    const misplaced = [...plain].filter(([name, file]) => allowed.has(name) && allowed.get(name) !== file);
    expect(misplaced).toEqual([]);
  });

  test('the allow-list names no class that is coded now, or gone', () => {
    const plain = plainErrorClasses(classes());
    expect([...allowList().keys()].filter((name) => !plain.has(name))).toEqual([]);
  });
});
