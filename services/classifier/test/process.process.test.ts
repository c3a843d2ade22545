import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort, startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { waitFor } from './support/index.js';

let redis: TestRedis;
let child: ChildProcess | undefined;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await redis.stop();
});

test('main with no keys: says so once at start and in /health, serves /classify from keywords, exits 0 on SIGTERM', async () => {
  const port = await freePort();
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  child = spawn(process.execPath, ['--conditions=@helpline/source', '--import', 'tsx', main], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      PATH: process.env.PATH,
      REDIS_URL: redis.url,
      HOST: '127.0.0.1',
      CLASSIFIER_PORT: String(port),
      API_TOKEN: 'test-token-0123456789',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });

  const base = `http://127.0.0.1:${port}`;
  const health = await waitFor(
    async () => {
      const response = await fetch(`${base}/health`).catch(() => undefined);
      if (!response) return undefined;
      const body = (await response.json()) as {
        status: string;
        checks: Record<string, { status: string; message?: string }>;
      };
      // Until the worker has started, /health has nothing to say about it yet.
      return body.checks.redis?.status === 'ok' ? body : undefined;
    },
    25_000,
    `the classifier to answer /health (output so far: ${output})`,
  );
  expect(health.status).toBe('degraded');
  expect(health.checks.providers?.message).toContain('OPENAI_API_KEY, GOOGLE_API_KEY, ANTHROPIC_API_KEY');

  const warnings = output.split('\n').filter((l) => l.includes('classifying with keywords only'));
  expect(warnings).toHaveLength(1);

  const classified = await fetch(`${base}/classify`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'el internet no funciona desde ayer' }),
  });
  expect(classified.status).toBe(200);
  expect(await classified.json()).toMatchObject({
    provider: 'keywords',
    classification: { category: 'connectivity', priority: 'high' },
  });

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  expect(code).toBe(0);
  expect(output).toContain('shutdown complete');
});
