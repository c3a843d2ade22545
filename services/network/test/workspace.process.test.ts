import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('workspace scripts', () => {
  // CI runs `turbo run lint`, which skips a workspace without a lint script.
  it('has the lint script every workspace has, and it passes', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.lint).toBe('biome lint .');
    const r = spawnSync('npm', ['run', '--silent', 'lint'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr + r.stdout).not.toMatch(/Missing script/);
    expect(r.status).toBe(0);
  });
});
