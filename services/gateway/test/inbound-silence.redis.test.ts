import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricValue, startTestRedis, type TestRedis, uniqueQueueName, waitFor } from '@helpline/testkit';
import { createFakeBaileysSocketFactory, fakeGroupText } from '@helpline/testkit/baileys';
import type { FakeGraphApi } from '@helpline/testkit/meta-graph';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { cloudConfig, startGraph } from './support/cloud-harness.js';
import { GROUP } from './support/groups.js';
import { testConfig, testContext } from './support/harness.js';
import { signedWebhook, textChange } from './support/meta-webhooks.js';

// The inputs of the silent-loss alarm (HelplineNoInboundMessages in deploy/prometheus):
// the last arrival across replicas, the configured quiet period, and which channels are up.

let redis: TestRedis;
let graph: FakeGraphApi;
let spoolDir: string;
const contexts: GatewayContext[] = [];
let nowMs = Date.parse('2026-12-01T10:00:00.000Z');
const clock = () => new Date(nowMs);

beforeAll(async () => {
  redis = await startTestRedis();
  graph = await startGraph();
  spoolDir = await mkdtemp(join(tmpdir(), 'helpline-silence-'));
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await graph.close();
  await redis.stop();
  await rm(spoolDir, { recursive: true, force: true });
});

const scrape = async (ctx: GatewayContext) => ctx.metrics.registry.metrics();

const webhook = (id: string) => signedWebhook(textChange({ id, from: '573001112233', body: 'hola', atMs: nowMs }));

describe('silent-loss alarm inputs', () => {
  it('exports the configured quiet period, the cloud channel as up, and the last arrival shared by every replica', async () => {
    const prefix = uniqueQueueName('gw');
    const config = { ...cloudConfig(graph), INBOUND_SILENCE_ALERT_MINUTES: 45 };
    const first = testContext(redis.url, config, { prefix, clock });
    const second = testContext(redis.url, config, { prefix, clock });
    contexts.push(first, second);
    const app = await buildApp(first);

    let text = await scrape(first);
    expect(metricValue(text, 'helpline_inbound_silence_alert_seconds')).toBe(45 * 60);
    expect(metricValue(text, 'helpline_channel_up', { channel: 'cloud' })).toBe(1);
    // No group mode: no group series at all, rather than a 0 that reads as "down".
    expect(metricValue(text, 'helpline_channel_up', { channel: 'group' })).toBeUndefined();
    // Nothing has ever arrived: the silence counts from when the gateway was first watched,
    // and stays counted from then (a later scrape does not move it).
    // (The producer connection refuses commands until it has connected: wait for that.)
    const firstWatched = nowMs / 1000;
    await waitFor(
      async () => metricValue(await scrape(first), 'helpline_inbound_last_received_timestamp_seconds') || undefined,
      5_000,
      'Redis',
    );
    expect(metricValue(await scrape(first), 'helpline_inbound_last_received_timestamp_seconds')).toBe(firstWatched);
    nowMs += 30_000;
    expect(metricValue(await scrape(second), 'helpline_inbound_last_received_timestamp_seconds')).toBe(firstWatched);

    expect((await app.inject(webhook('wamid.SILENCE1'))).statusCode).toBe(200);
    text = await scrape(first);
    expect(metricValue(text, 'helpline_inbound_last_received_timestamp_seconds')).toBe(nowMs / 1000);
    // The other replica received nothing itself, yet reports the same last arrival.
    expect(metricValue(await scrape(second), 'helpline_inbound_last_received_timestamp_seconds')).toBe(nowMs / 1000);

    // Later arrivals move it on (one write per few seconds per replica, at most).
    const before = nowMs;
    nowMs += 60_000;
    expect((await app.inject(webhook('wamid.SILENCE2'))).statusCode).toBe(200);
    expect(metricValue(await scrape(second), 'helpline_inbound_last_received_timestamp_seconds')).toBe(nowMs / 1000);
    expect(nowMs).toBeGreaterThan(before);
    await app.close();
  });

  it('reports the cloud channel down when the Cloud API is not configured, and the group channel by its session', async () => {
    const factory = createFakeBaileysSocketFactory((socket) => socket.addGroup({ id: GROUP, subject: 'Soporte' }));
    const ctx = testContext(
      redis.url,
      testConfig({
        BAILEYS_ENABLED: 'true',
        WHATSAPP_GROUP_ID: GROUP,
        GROUP_MIN_INTERVAL_MS: '0',
        BAILEYS_SPOOL_PATH: join(spoolDir, 'spool.jsonl'),
      }),
      { groupSocketFactory: factory, clock },
    );
    contexts.push(ctx);
    let text = await scrape(ctx);
    expect(metricValue(text, 'helpline_channel_up', { channel: 'cloud' })).toBe(0);
    expect(metricValue(text, 'helpline_channel_up', { channel: 'group' })).toBe(0);

    await ctx.groups?.start();
    const socket = await factory.waitForSocket(1);
    socket.open();
    await waitFor(() => ctx.groups?.status().state === 'open', 5_000, 'the group session to open');
    text = await scrape(ctx);
    expect(metricValue(text, 'helpline_channel_up', { channel: 'group' })).toBe(1);

    // A group message is an arrival like any other.
    nowMs += 120_000;
    const report = fakeGroupText({
      group: GROUP,
      participant: '5491144445555@s.whatsapp.net',
      text: 'La impresora no imprime',
    });
    socket.receive([report]);
    await waitFor(
      async () =>
        metricValue(await scrape(ctx), 'helpline_inbound_last_received_timestamp_seconds') === nowMs / 1000 ||
        undefined,
      5_000,
      'the group arrival',
    );
  });

  it('reports the last arrival as unknown (0) while Redis is away, and the scrape still answers', async () => {
    const ctx = testContext(redis.url, cloudConfig(graph), { clock });
    contexts.push(ctx);
    const app = await buildApp(ctx);
    expect((await app.inject(webhook('wamid.SILENCE3'))).statusCode).toBe(200);
    expect(metricValue(await scrape(ctx), 'helpline_inbound_last_received_timestamp_seconds')).toBe(nowMs / 1000);
    await redis.stop();
    try {
      const text = await scrape(ctx);
      expect(metricValue(text, 'helpline_inbound_last_received_timestamp_seconds')).toBe(0);
      expect(metricValue(text, 'helpline_inbound_silence_alert_seconds')).toBe(120 * 60);
    } finally {
      await redis.restart();
    }
    await app.close();
  });
});
