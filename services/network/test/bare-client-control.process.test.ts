import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { afterEach, describe, expect, it } from 'vitest';

// The control experiment for router-connection.test.ts: the same faults, sent to bare
// node-routeros 1.6.9 in a child process, end that process with an uncaught exception.
// If a future node-routeros stopped crashing, this test would say so.

const script = fileURLToPath(new URL('./support/bare-client.cjs', import.meta.url));
let router: FakeRouter;
afterEach(async () => router.close());

async function runBare(command: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [script, String(router.port), command], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('bare node-routeros (no guard) against the same faults', () => {
  it('crashes on !empty', async () => {
    router = await startFakeRouter({ faults: { emptyReplies: true } });
    const r = await runBare('/ppp/active/print');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown reply: !empty/);
  });

  it('crashes on a reply for a tag it does not know', async () => {
    router = await startFakeRouter({ faults: { unknownTag: true } });
    const r = await runBare('/ppp/active/print');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unregistered tag/);
  });

  it('never settles connect() when the router closes before login', async () => {
    router = await startFakeRouter({ faults: { closeBeforeLogin: true } });
    const r = await runBare('/ppp/active/print');
    expect(r.code).toBe(4); // nothing left to wait on, and the promise never settled
  });
});
