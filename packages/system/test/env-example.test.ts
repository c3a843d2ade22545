import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { accountsConfigSchema } from '../../../services/accounts/src/config.js';
import { classifierConfigShape } from '../../../services/classifier/src/config.js';
import { deskConfigShape } from '../../../services/desk/src/config.js';
import { gatewayConfigShape } from '../../../services/gateway/src/config.js';
import { networkConfigShape } from '../../../services/network/src/config.js';
import { ticketsConfigSchema } from '../../../services/tickets/src/config.js';

// .env.example is the operator's list of every variable. It must name each variable a
// service reads, nothing else, and every value it shows must be that variable's default.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const example = readFileSync(`${root}.env.example`, 'utf8');
const documented = new Map<string, string>();
for (const line of example.split('\n')) {
  const match = /^#?\s*([A-Z][A-Z0-9_]+)=(.*)$/.exec(line.trim());
  if (match?.[1]) documented.set(match[1], match[2] ?? '');
}

const shapes: Record<string, Record<string, z.ZodType>> = {
  gateway: gatewayConfigShape,
  classifier: classifierConfigShape,
  tickets: ticketsConfigSchema.shape,
  network: networkConfigShape,
  accounts: accountsConfigSchema.shape,
  desk: deskConfigShape,
};

describe('.env.example', () => {
  test.each(Object.entries(shapes))('lists every variable the %s reads', (_service, shape) => {
    const missing = Object.keys(shape).filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  test('lists no variable that no service reads', () => {
    const read = new Set(Object.values(shapes).flatMap((shape) => Object.keys(shape)));
    expect([...documented.keys()].filter((name) => !read.has(name))).toEqual([]);
  });

  test.each(Object.entries(shapes))("shows the %s's defaults as its values", (_service, shape) => {
    const wrong: string[] = [];
    for (const [name, field] of Object.entries(shape)) {
      const value = documented.get(name);
      if (!value) continue;
      const one = z.object({ [name]: field });
      const byDefault = one.safeParse({});
      const byExample = one.safeParse({ [name]: value });
      if (!byExample.success) wrong.push(`${name}=${value} is refused`);
      else if (byDefault.success && JSON.stringify(byDefault.data) !== JSON.stringify(byExample.data)) {
        wrong.push(`${name}=${value} differs from the default ${JSON.stringify(byDefault.data[name])}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('README', () => {
  test('its configuration table lists every variable of .env.example', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const missing = [...documented.keys()].filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });
});
