import { whenReady } from '@helpline/runtime';
import type { OutboundMessageInput } from '@helpline/contracts';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { metricValue, startTestRedis } from '@helpline/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { GatewayConfig } from '../src/config.js';
import { buildApp } from '../src/app.js';
import { cloudConfig, cloudTestBed } from './support/cloud-harness.js';
import { API_TOKEN, testConfig, testContext } from './support/harness.js';

const bed = cloudTestBed();
const gateway = (config?: GatewayConfig) => bed.gateway(config);
const auth = { authorization: `Bearer ${API_TOKEN}` };
const message: OutboundMessageInput = {
  correlationId: 'wamid.OP1',
  purpose: 'operator',
  channel: 'cloud',
  to: '5491155550000',
  content: { kind: 'text', body: 'Hola, te escribe soporte' },
};

describe('POST /api/send-message', () => {
  it('refuses a missing or wrong bearer token', async () => {
    const { app } = await gateway();
    expect((await app.inject({ method: 'POST', url: '/api/send-message', payload: message })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/send-message',
      payload: message,
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('queues a valid message under jobIds.outbound, once', async () => {
    const { app, context } = await gateway();
    const res = await app.inject({ method: 'POST', url: '/api/send-message', payload: message, headers: auth });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ jobId: 'wamid.OP1-operator', duplicate: false });
    const job = await context.producers.outbound.queue.getJob('wamid.OP1-operator');
    expect(job?.data).toMatchObject({ to: '5491155550000', content: { kind: 'text', previewUrl: false } });
    const again = await app.inject({ method: 'POST', url: '/api/send-message', payload: message, headers: auth });
    expect(again.json()).toEqual({ jobId: 'wamid.OP1-operator', duplicate: true });
  });

  it('refuses an invalid message, naming the field', async () => {
    const { app } = await gateway();
    const four = [1, 2, 3, 4].map((i) => ({ id: `b${i}`, title: `B${i}` }));
    const res = await app.inject({
      method: 'POST',
      url: '/api/send-message',
      payload: { ...message, content: { kind: 'buttons', body: 'Elegí', buttons: four } },
      headers: auth,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/content\.buttons/);
    const noTo = await app.inject({
      method: 'POST',
      url: '/api/send-message',
      payload: { ...message, to: undefined },
      headers: auth,
    });
    expect(noTo.json().message).toMatch(/to/);
  });
});

describe('GET /api/status and /health', () => {
  it('reports the Cloud API configured, reachable, and the last send error', async () => {
    const { app, context } = await gateway();
    await context.sendErrors.record({
      at: '2026-01-01T00:00:00.000Z',
      code: '131026',
      message: 'Message undeliverable',
    });
    const res = await app.inject({ url: '/api/status', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().cloudApi).toMatchObject({
      configured: true,
      reachable: true,
      graphApiVersion: 'v26.0',
      lastSendError: { code: '131026', message: 'Message undeliverable' },
    });
    expect(res.json().redis).toEqual({ reachable: true });
    expect(bed.graph.requests.some((r) => r.method === 'GET')).toBe(true);
  });

  it('answers while Redis is down, saying so, with the Cloud API part still probed', async () => {
    const doomed = await startTestRedis({ spawn: true });
    const context = testContext(doomed.url, cloudConfig(bed.graph));
    const app = await buildApp(context);
    onTestFinished(async () => {
      await app.close();
      await context.close();
    });
    await whenReady(context.redis('producer'), 5_000);
    await context.sendErrors.record({
      at: '2026-01-01T00:00:00.000Z',
      code: '131026',
      message: 'Message undeliverable',
    });
    expect((await app.inject({ url: '/api/status', headers: auth })).json().redis).toEqual({ reachable: true });
    await doomed.stop();
    // Hold the freed port, answering nothing, so that no other server takes it meanwhile.
    const blocker = createServer((socket) => socket.destroy()).listen(doomed.port, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      // The worker connection (the one sends record errors on) queues commands while
      // offline: a read on it would never answer. This one answers.
      const res = await app.inject({ url: '/api/status', headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.json().redis).toMatchObject({
        reachable: false,
        message: expect.stringMatching(/^Redis unreachable/),
      });
      expect(res.json().cloudApi).toMatchObject({ configured: true, reachable: true, lastSendError: null });
    } finally {
      blocker.close();
    }
  });

  it('reports a refused token and an unreachable API', async () => {
    const { app } = await gateway(cloudConfig(bed.graph, { WHATSAPP_ACCESS_TOKEN: 'expired' }));
    const refused = (await app.inject({ url: '/api/status', headers: auth })).json().cloudApi;
    expect(refused).toMatchObject({ configured: true, reachable: true });
    expect(refused.probeError).toMatch(/code 190/);
    const { app: away } = await gateway(cloudConfig(bed.graph, { GRAPH_API_URL: 'http://127.0.0.1:9' }));
    expect((await away.inject({ url: '/api/status', headers: auth })).json().cloudApi).toMatchObject({
      reachable: false,
    });
  });

  it('without Cloud credentials: channel disabled, /health degraded naming the variables', async () => {
    const { app } = await gateway(testConfig());
    const status = (await app.inject({ url: '/api/status', headers: auth })).json().cloudApi;
    expect(status).toMatchObject({ configured: false, reachable: null, lastSendError: null });
    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'degraded',
      checks: { cloud_api: { status: 'degraded' }, redis: { status: 'ok' } },
    });
    expect(health.json().checks.cloud_api.message).toMatch(/WHATSAPP_ACCESS_TOKEN/);
  });

  it('with everything configured /health is ok and /metrics lists the gateway metrics', async () => {
    const { app } = await gateway();
    const health = await app.inject({ url: '/health' });
    // Other channels add their own checks; the Cloud API's and the webhook's are ok.
    expect(health.json().checks).toMatchObject({ cloud_api: { status: 'ok' }, webhook: { status: 'ok' } });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    for (const name of [
      'helpline_webhook_events_total',
      'helpline_messages_received_total',
      'helpline_messages_sent_total',
      'helpline_window_fallbacks_total',
      'helpline_send_duration_seconds',
    ]) {
      expect(metrics).toContain(name);
    }
  });

  it('/metrics reports the depth of the outbound queue it consumes, read at scrape time', async () => {
    const { app, context } = await gateway();
    const scrape = async () => (await app.inject({ url: '/metrics' })).body;
    expect(metricValue(await scrape(), 'helpline_queue_jobs', { queue: 'outbound', state: 'waiting' })).toBe(0);
    // No worker runs here: the jobs stay waiting, one of them delayed.
    await context.producers.outbound.add({ ...message, correlationId: 'wamid.Q1' }, { jobId: 'wamid.Q1-operator' });
    await context.producers.outbound.add({ ...message, correlationId: 'wamid.Q2' }, { jobId: 'wamid.Q2-operator' });
    await context.producers.outbound.add(
      { ...message, correlationId: 'wamid.Q3' },
      { jobId: 'wamid.Q3-operator', delay: 60_000 },
    );
    const text = await scrape();
    expect(metricValue(text, 'helpline_queue_jobs', { queue: 'outbound', state: 'waiting' })).toBe(2);
    expect(metricValue(text, 'helpline_queue_jobs', { queue: 'outbound', state: 'delayed' })).toBe(1);
    expect(metricValue(text, 'helpline_queue_jobs', { queue: 'outbound', state: 'failed' })).toBe(0);
    expect(metricValue(text, 'helpline_queue_oldest_waiting_seconds', { queue: 'outbound' })).toBeGreaterThanOrEqual(0);
  });
});
