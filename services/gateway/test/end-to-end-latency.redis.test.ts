import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobIds, type OutboundMessageInput } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { metricValue, startTestRedis, type TestRedis, waitFor } from '@helpline/testkit';
import { createFakeBaileysSocketFactory, fakeGroupText } from '@helpline/testkit/baileys';
import type { FakeGraphApi } from '@helpline/testkit/meta-graph';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { purposeLabel } from '../src/latency/reply-purpose.js';
import type { GatewayConfig } from '../src/config.js';
import { startWorkers } from '../src/workers.js';
import { cloudConfig, startGraph } from './support/cloud-harness.js';
import { GROUP } from './support/groups.js';
import { type TestContextOverrides, testConfig, testContext } from './support/harness.js';
import { signedWebhook, textChange } from './support/meta-webhooks.js';

// The end-to-end latency: a customer's message in through the real entry (signed webhook,
// or a group message from the fake Baileys socket), a reply out through the outbound worker
// to the fake Graph API or the fake socket. The clock is the test's, so the observed
// latency is exact.

const CUSTOMER = '5491155550000';
const METRIC = 'helpline_end_to_end_seconds';

let redis: TestRedis;
let graph: FakeGraphApi;
let spoolDir: string;
let context: GatewayContext | undefined;
let app: HttpApp | undefined;
let nowMs = Date.parse('2026-03-02T12:00:00.000Z');

beforeAll(async () => {
  redis = await startTestRedis();
  graph = await startGraph();
  spoolDir = await mkdtemp(join(tmpdir(), 'helpline-e2e-latency-'));
});
afterEach(async () => {
  graph.reset();
  await app?.close();
  await context?.close();
  app = undefined;
  context = undefined;
});
afterAll(async () => {
  await graph.close();
  await redis.stop();
  await rm(spoolDir, { recursive: true, force: true });
});

async function start(
  config: GatewayConfig,
  overrides: TestContextOverrides = {},
): Promise<{ context: GatewayContext; app: HttpApp }> {
  context = testContext(redis.url, config, { clock: () => new Date(nowMs), ...overrides });
  app = await buildApp(context);
  startWorkers(context);
  return { context, app };
}

const webhookText = (id: string, body: string) => signedWebhook(textChange({ id, from: CUSTOMER, body, atMs: nowMs }));

/** A reply as the classifier, network or tickets service would queue it; resolves once it is sent. */
async function reply(
  ctx: GatewayContext,
  input: Omit<OutboundMessageInput, 'content'> & { body: string },
): Promise<void> {
  const { body, ...rest } = input;
  const jobId = jobIds.outbound(rest.correlationId, rest.purpose);
  await ctx.producers.outbound.add({ ...rest, content: { kind: 'text', body } }, { jobId });
  await waitFor(
    async () => (await ctx.producers.outbound.queue.getJob(jobId))?.finishedOn,
    10_000,
    `reply ${jobId} to be sent`,
  );
}

async function series(ctx: GatewayContext, suffix: 'count' | 'sum', purpose: string): Promise<number | undefined> {
  return metricValue(await ctx.metrics.registry.metrics(), `${METRIC}_${suffix}`, { purpose });
}

describe('end-to-end latency (helpline_end_to_end_seconds)', () => {
  it('measures each reply from the first arrival of the message it answers, labelled by purpose', async () => {
    const { context: ctx, app: http } = await start(cloudConfig(graph));
    const arrived = nowMs;
    expect((await http.inject(webhookText('wamid.E2E1', 'no tengo internet'))).statusCode).toBe(200);
    const inbound = await ctx.producers.inbound.queue.getJob(jobIds.inbound('wamid.E2E1'));
    const { correlationId } = (inbound?.data ?? {}) as { correlationId?: string };
    if (!correlationId) throw new Error('the webhook stored no inbound job');
    expect(correlationId).toBe('wamid.E2E1');

    // Meta delivers the same message again a second later: the arrival stays the first one.
    nowMs += 1_000;
    expect((await http.inject(webhookText('wamid.E2E1', 'no tengo internet'))).json()).toMatchObject({ duplicate: 1 });

    nowMs = arrived + 3_200;
    await reply(ctx, {
      correlationId,
      purpose: 'ack',
      channel: 'cloud',
      to: CUSTOMER,
      body: 'Estamos revisando tu conexión',
    });
    nowMs = arrived + 45_000;
    await reply(ctx, {
      correlationId,
      purpose: 'diagnosis',
      channel: 'cloud',
      to: CUSTOMER,
      body: 'Tu equipo no responde',
    });

    expect(graph.messageRequests().map((r) => r.outcome)).toEqual([200, 200]);
    expect(await series(ctx, 'count', 'ack')).toBe(1);
    expect(await series(ctx, 'sum', 'ack')).toBeCloseTo(3.2, 6);
    expect(await series(ctx, 'count', 'diagnosis')).toBe(1);
    expect(await series(ctx, 'sum', 'diagnosis')).toBeCloseTo(45, 6);
    const text = await ctx.metrics.registry.metrics();
    expect(metricValue(text, `${METRIC}_bucket`, { purpose: 'ack', le: '2' })).toBe(0);
    expect(metricValue(text, `${METRIC}_bucket`, { purpose: 'ack', le: '5' })).toBe(1);
  });

  it('observes nothing for a reply with no recorded arrival, and labels an unknown purpose `other`', async () => {
    const { context: ctx, app: http } = await start(cloudConfig(graph));
    await ctx.conversationWindow.touch(CUSTOMER, new Date(nowMs));
    await reply(ctx, {
      correlationId: 'wamid.NEVER-ARRIVED',
      purpose: 'ack',
      channel: 'cloud',
      to: CUSTOMER,
      body: 'hola',
    });
    expect(graph.messageRequests()).toHaveLength(1);
    expect(await series(ctx, 'count', 'ack')).toBeUndefined();

    const arrived = nowMs;
    expect((await http.inject(webhookText('wamid.E2E2', 'hola'))).statusCode).toBe(200);
    nowMs = arrived + 500;
    await reply(ctx, {
      correlationId: 'wamid.E2E2',
      purpose: 'campaign_x',
      channel: 'cloud',
      to: CUSTOMER,
      body: 'oferta',
    });
    expect(await series(ctx, 'count', 'other')).toBe(1);
    expect(await series(ctx, 'count', 'campaign_x')).toBeUndefined();
    expect(await series(ctx, 'sum', 'other')).toBeCloseTo(0.5, 6);
  });

  it('measures the conversation’s own answer (the privacy notice to a first message)', async () => {
    const { context: ctx, app: http } = await start(cloudConfig(graph), { consent: true });
    const arrived = nowMs;
    expect((await http.inject(webhookText('wamid.E2E3', 'hola'))).statusCode).toBe(200);
    await waitFor(() => graph.messageRequests().length === 1, 10_000, 'the privacy notice');
    await waitFor(async () => (await series(ctx, 'count', 'privacy_notice')) === 1, 5_000, 'the observation');
    expect(await series(ctx, 'sum', 'privacy_notice')).toBeCloseTo((nowMs - arrived) / 1000, 6);
  });

  it('measures a reply in a support group from the group message it answers', async () => {
    const factory = createFakeBaileysSocketFactory((socket) => socket.addGroup({ id: GROUP, subject: 'Soporte' }));
    const config = testConfig({
      BAILEYS_ENABLED: 'true',
      WHATSAPP_GROUP_ID: GROUP,
      GROUP_MIN_INTERVAL_MS: '0',
      BAILEYS_SPOOL_PATH: join(spoolDir, 'spool.jsonl'),
    });
    const { context: ctx } = await start(config, { groupSocketFactory: factory });
    await ctx.groups?.start();
    const socket = await factory.waitForSocket(1);
    socket.open();
    await waitFor(() => ctx.groups?.status().state === 'open', 5_000, 'the group session to open');

    const arrived = nowMs;
    const report = fakeGroupText({
      group: GROUP,
      participant: '5491144445555@s.whatsapp.net',
      text: 'La impresora no imprime',
    });
    socket.receive([report]);
    const id = report.key.id as string;
    await waitFor(
      async () => ctx.producers.inbound.queue.getJob(jobIds.inbound(id)),
      5_000,
      'the group message in inbound',
    );
    nowMs = arrived + 7_000;
    await reply(ctx, {
      correlationId: id,
      purpose: 'ticket',
      channel: 'group',
      to: GROUP,
      body: 'Ticket #42 abierto',
      replyTo: id,
    });
    expect(socket.sent).toHaveLength(1);
    expect(await series(ctx, 'count', 'ticket')).toBe(1);
    expect(await series(ctx, 'sum', 'ticket')).toBeCloseTo(7, 6);
  });
});

describe('reply purpose label', () => {
  it('keeps the purposes the services use and folds anything else into `other`', () => {
    for (const purpose of [
      'ack',
      'diagnosis',
      'diagnosis_account',
      'ticket',
      'menu',
      'privacy_notice',
      'handoff',
      'help',
      'billing',
    ]) {
      expect(purposeLabel(purpose)).toBe(purpose);
    }
    expect(purposeLabel('5491155550000')).toBe('other');
    expect(purposeLabel('wamid.HBgM')).toBe('other');
  });
});
