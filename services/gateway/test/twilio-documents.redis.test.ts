import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jobIds } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis, waitFor } from '@helpline/testkit';
import { type FakeTwilio, startFakeTwilio } from '@helpline/testkit/twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { createDocumentUrlSigner } from '../src/media/signed-document-urls.js';
import type { OutboundJobResult } from '../src/outbound/outbound-worker.js';
import { startWorkers } from '../src/workers.js';
import { API_TOKEN, testContext } from './support/harness.js';
import { freePort, twilioConfig, twilioOutbound } from './support/twilio-harness.js';

// A statement (a document by reference, made by the accounts service) sent to a Twilio
// chat: the gateway signs an expiring public URL of its own, Twilio (the fake, which
// downloads MediaUrl without credentials as Twilio does) fetches it there, and the gateway
// fetches the bytes from the accounts service with the operator token.

const TO = '573001234567';
const SECRET = 'document-url-secret-0123456789abcdef';
const PDF = Buffer.from('%PDF-1.4\n% estado de cuenta\n');

let redis: TestRedis;
let fake: FakeTwilio;
/** Stands in for the accounts service's GET /api/documents/:id (operator token). */
let accounts: Server;
let accountsUrl: string;
const accountsCalls: { url: string; authorization?: string }[] = [];
const contexts: GatewayContext[] = [];
const apps: HttpApp[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  fake = await startFakeTwilio({ callbackRetryMs: 50, fetchMedia: true });
  accounts = createServer((req, res) => {
    accountsCalls.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${API_TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    if (req.url !== '/api/documents/stmt-abc') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': PDF.length }).end(PDF);
  });
  await new Promise<void>((resolve) => accounts.listen(0, '127.0.0.1', resolve));
  accountsUrl = `http://127.0.0.1:${(accounts.address() as AddressInfo).port}`;
});
afterEach(async () => {
  fake.reset();
  accountsCalls.length = 0;
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await new Promise((resolve) => accounts.close(resolve));
  await fake.close();
  await redis.stop();
});

/** A gateway listening on loopback, its public base its own address (what the TLS proxy would be). */
async function listening(env: Record<string, string> = {}): Promise<{ context: GatewayContext; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const context = testContext(
    redis.url,
    twilioConfig(fake, {
      TWILIO_WEBHOOK_URL: `${base}/webhook/twilio`,
      ACCOUNTS_URL: accountsUrl,
      DOCUMENT_URL_SECRET: SECRET,
      ...env,
    }),
  );
  contexts.push(context);
  startWorkers(context);
  const app = await buildApp(context);
  apps.push(app);
  await app.listen({ port, host: '127.0.0.1' });
  await context.twilioWindow.touch(TO, new Date());
  return { context, base };
}

async function send(context: GatewayContext, message: ReturnType<typeof twilioOutbound>) {
  const jobId = jobIds.outbound(message.correlationId, message.purpose);
  await context.producers.outbound.add(message, { jobId, attempts: 2, backoff: { type: 'fixed', delay: 20 } });
  return waitFor(
    async () => {
      const state = await context.producers.outbound.queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      const job = await context.producers.outbound.queue.getJob(jobId);
      return state === 'completed'
        ? { result: job?.returnvalue as OutboundJobResult }
        : { failedReason: job?.failedReason ?? '' };
    },
    20_000,
    `outbound job ${jobId}`,
  );
}

const statement = (id: string) =>
  twilioOutbound({
    correlationId: `SM${id.replace(/[^a-z]/g, '').padEnd(32, '0')}`,
    purpose: 'statement',
    content: {
      kind: 'media',
      mediaType: 'document',
      ref: { service: 'accounts', id },
      filename: 'Estado de cuenta 5001.pdf',
      caption: 'Tu estado de cuenta',
    },
  });

describe('statements over Twilio through a signed, expiring public URL', () => {
  it('Twilio downloads the statement from the gateway, which fetched it from accounts with the token', async () => {
    const { context, base } = await listening();
    const { result } = await send(context, statement('stmt-abc'));
    expect(result?.messageId).toMatch(/^MM/);
    const sent = fake.sent[0];
    const form = Object.fromEntries(sent?.form ?? []);
    expect(form.Body).toBe('Tu estado de cuenta');
    expect(form.MediaUrl).toMatch(
      new RegExp(
        `^${base}/public/documents/accounts/stmt-abc/Estado_de_cuenta_5001\\.pdf\\?expires=\\d+&signature=[0-9a-f]{64}$`,
      ),
    );
    const expires = Number(new URL(form.MediaUrl as string).searchParams.get('expires'));
    expect(expires * 1000 - Date.now()).toBeGreaterThan(800_000);
    expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(900_000);
    await waitFor(() => sent?.media, 10_000, 'the fake to download the media');
    expect(sent?.media?.status).toBe(200);
    expect(sent?.media?.contentType).toBe('application/pdf');
    expect(sent?.media?.bytes?.equals(PDF)).toBe(true);
    expect(accountsCalls).toEqual([{ url: '/api/documents/stmt-abc', authorization: `Bearer ${API_TOKEN}` }]);
    await fake.settled();
    expect(sent?.callbacks.map((c) => c.status)).toEqual(['sent', 'delivered']);
  });

  it('a changed, foreign or expired signature is refused; a document the service lacks fails at Twilio (63019)', async () => {
    const { context, base } = await listening();
    await send(context, statement('stmt-abc'));
    const good = new URL(Object.fromEntries(fake.sent[0]?.form ?? []).MediaUrl as string);
    const path = `${good.pathname}?expires=${good.searchParams.get('expires')}`;
    const other = good.pathname.replace('stmt-abc', 'stmt-abd');

    const tampered = await fetch(`${base}${other}${good.search}`);
    expect(tampered.status).toBe(403);
    const foreign = createDocumentUrlSigner({
      secret: 'another-gateway-secret-0123456789abcdef',
      publicBaseUrl: base,
      ttlSeconds: 900,
      clock: () => new Date(),
    }).urlFor({ service: 'accounts', id: 'stmt-abc' });
    expect((await fetch(foreign)).status).toBe(403);
    const expired = createDocumentUrlSigner({
      secret: SECRET,
      publicBaseUrl: base,
      ttlSeconds: 60,
      clock: () => new Date(Date.now() - 3_600_000),
    }).urlFor({ service: 'accounts', id: 'stmt-abc' });
    const late = await fetch(expired);
    expect(late.status).toBe(403);
    expect(((await late.json()) as { message: string }).message).toMatch(/expired/);
    const unsigned = await fetch(`${base}${path}`);
    expect(unsigned.status).toBe(400);
    expect(await unsigned.text()).toContain('signature');

    fake.reset();
    const { result } = await send(context, statement('stmt-gone'));
    expect(result?.messageId).toMatch(/^MM/);
    await waitFor(() => fake.sent[0]?.callbacks[0]?.delivered, 10_000, 'the failed status callback');
    expect(fake.sent[0]?.media?.status).toBe(502);
    expect(fake.sent[0]?.callbacks.map((c) => c.status)).toEqual(['failed']);
  });

  it('without DOCUMENT_URL_SECRET a statement cannot go to a Twilio chat, and the failure says why', async () => {
    const { context, base } = await listening({ DOCUMENT_URL_SECRET: '' });
    const { failedReason } = await send(context, statement('stmt-abc'));
    expect(failedReason).toMatch(/DOCUMENT_URL_SECRET/);
    expect(fake.sent).toHaveLength(0);
    const res = await fetch(
      `${base}/public/documents/accounts/stmt-abc/x.pdf?expires=9999999999&signature=${'0'.repeat(64)}`,
    );
    expect(res.status).toBe(404);
  });
});
