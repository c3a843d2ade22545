// `npm start` as a newcomer runs it, with no credentials: the start brings the four services
// up on their embedded defaults, says so, points the gateway at the chat simulator, and
// stops everything on Ctrl+C.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRedis, type TestRedis, waitFor } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GraphSend, startGraphStandIn } from '../src/chat/graph-stand-in.js';
import { customerMessage, signedBody } from '../src/chat/webhook-payloads.js';
import { recordLocalStart } from '../src/local-settings.js';
import { freePort, ROOT } from './support/system-under-test.js';

describe('npm start with no credentials', () => {
  let redis: TestRedis;
  let start: ChildProcess;
  let standIn: Server;
  const output: string[] = [];
  const sends: GraphSend[] = [];
  let ports: Record<'gateway' | 'classifier' | 'tickets' | 'network', number>;
  let local: ReturnType<typeof recordLocalStart>;

  beforeAll(async () => {
    redis = await startTestRedis();
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-start-'));
    ports = {
      gateway: await freePort(),
      classifier: await freePort(),
      tickets: await freePort(),
      network: await freePort(),
    };
    // The stand-in's port is chosen here instead of the fixed 3999, by seeding the settings
    // the start keeps (it reuses the saved secrets and stand-in port).
    local = { ...recordLocalStart(dataDir, { gatewayPort: ports.gateway, chat: true }), graphPort: await freePort() };
    writeFileSync(join(dataDir, 'local.json'), JSON.stringify(local));
    standIn = await startGraphStandIn(local.graphPort, local.accessToken, (send) => sends.push(send));

    start = spawn(
      process.execPath,
      ['--conditions=@helpline/source', '--import', 'tsx', join(ROOT, 'packages/system/src/start.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          REDIS_URL: redis.url,
          HELPLINE_DATA_DIR: dataDir,
          GATEWAY_PORT: String(ports.gateway),
          CLASSIFIER_PORT: String(ports.classifier),
          TICKETS_PORT: String(ports.tickets),
          NETWORK_PORT: String(ports.network),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const stream of [start.stdout, start.stderr])
      stream?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    await waitFor(() => output.join('').includes('stop: Ctrl+C') || undefined, 90_000, 'the start banner').catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${output.join('')}`);
      },
    );
  }, 120_000);

  afterAll(async () => {
    if (start && start.exitCode === null && start.signalCode === null) {
      start.kill('SIGKILL');
      await once(start, 'exit');
    }
    standIn?.close();
    await redis?.stop();
  });

  test('prints where each service listens, what runs on its embedded default, the token, and how to chat', () => {
    const banner = output.join('');
    expect(banner).toContain(`helpline is up. Redis: ${redis.url} (REDIS_URL)`);
    for (const [name, port] of Object.entries(ports))
      expect(banner).toMatch(new RegExp(`${name}\\s+http://127\\.0\\.0\\.1:${port} `));
    expect(banner).toContain('classifying with keywords only');
    expect(banner).toContain('tickets are kept in the local store');
    expect(banner).toContain('router not configured');
    expect(banner).toContain(`operator token (API_TOKEN) generated for this machine: ${local.apiToken}`);
    expect(banner).toContain('talk to the bot: npm run chat');
  });

  test('the gateway answers a signed webhook through the chat simulator: the privacy notice first', async () => {
    const payload = customerMessage(
      { phoneNumberId: local.phoneNumberId, customer: { phone: '573001112233', name: 'Nueva' } },
      'hola',
    );
    const { body, signature } = signedBody(payload, local.appSecret);
    const res = await fetch(`http://127.0.0.1:${ports.gateway}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });
    expect(res.status).toBe(200);
    const notice = await waitFor(() => sends.find((s) => s.body.to === '573001112233'), 20_000, 'the privacy notice');
    expect((notice.body.interactive as { type: string }).type).toBe('button');
  });

  test('Ctrl+C stops the four services and exits 0', async () => {
    const exited = once(start, 'exit');
    start.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    for (const port of Object.values(ports)) {
      await expect(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) })).rejects.toThrow();
    }
  }, 30_000);
});
