import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startSystem } from './support/system-under-test.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The service processes of this checkout still running (their command line names a build of ours). */
function ourServiceProcesses(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\u0000');
      if (args.some((a) => a.startsWith(join(ROOT, 'services')) && a.endsWith(join('dist', 'main.js')))) {
        found.push(`${entry} ${args.join(' ')}`);
      }
    } catch {
      // ended between the listing and the read
    }
  }
  return found;
}

test('a system whose one service cannot start stops the others and leaves no process behind', {
  timeout: 180_000,
}, async () => {
  expect(ourServiceProcesses()).toEqual([]);
  // An invalid setting: the classifier refuses its configuration and exits at once.
  await expect(
    startSystem({ customers: [], routerState: {}, env: { classifier: { MODEL_TEMPERATURE: 'hot' } } }),
  ).rejects.toThrow(/classifier exited/);
  expect(ourServiceProcesses()).toEqual([]);
});
