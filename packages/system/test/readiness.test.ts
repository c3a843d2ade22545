import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { type HealthAnswer, waitForReadiness } from '../src/service-processes.js';

// A stand-in for a service's GET /health whose answers the test scripts.
let server: Server | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
});

async function healthServer(answers: HealthAnswer[]): Promise<{ port: number; asked: () => number }> {
  let asked = 0;
  server = createServer((_req, res) => {
    const answer = answers[Math.min(asked, answers.length - 1)] as HealthAnswer;
    asked++;
    res.writeHead(answer.status === 'down' ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, asked: () => asked };
}

const down: HealthAnswer = { status: 'down', checks: { redis: { status: 'down', message: 'Redis does not answer' } } };
const ok: HealthAnswer = { status: 'ok', checks: { redis: { status: 'ok' } } };
const target = (port: number) => ({ name: 'gateway' as const, port, child: { exitCode: null } });

describe('npm start waits for readiness before printing health', () => {
  test('a service that says down in its first moment is shown once it is up', async () => {
    const { port, asked } = await healthServer([down, down, ok]);
    const answer = await waitForReadiness(target(port), { pollMs: 10, readyWithinMs: 5_000 });
    expect(answer.status).toBe('ok');
    expect(asked()).toBe(3);
  });

  test('a service still down at the deadline is shown down, with its reason', async () => {
    const { port, asked } = await healthServer([down]);
    const started = performance.now();
    const answer = await waitForReadiness(target(port), { pollMs: 20, readyWithinMs: 200 });
    expect(answer).toEqual(down);
    expect(asked()).toBeGreaterThan(2);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  test('degraded is final at once: it names configuration to add, waiting will not change it', async () => {
    const degraded: HealthAnswer = { status: 'degraded', checks: { cloud_api: { status: 'degraded' } } };
    const { port, asked } = await healthServer([degraded, ok]);
    expect(await waitForReadiness(target(port), { pollMs: 10 })).toEqual(degraded);
    expect(asked()).toBe(1);
  });
});
