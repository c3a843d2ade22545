import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobIds } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { createFakeBaileysSocketFactory, fakeGroupText } from '@helpline/testkit/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';
import { API_TOKEN, testConfig, testContext } from './support/harness.js';
import { eventually, GROUP } from './support/groups.js';

let redis: TestRedis;
let spoolDir: string;
let context: GatewayContext | undefined;
let app: HttpApp | undefined;

beforeAll(async () => {
  redis = await startTestRedis();
  spoolDir = await mkdtemp(join(tmpdir(), 'helpline-groups-app-'));
});
afterEach(async () => {
  await app?.close();
  await context?.close();
  app = undefined;
  context = undefined;
});
afterAll(async () => {
  await redis.stop();
  await rm(spoolDir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${API_TOKEN}` };

describe('group mode in the gateway', () => {
  it('is off by default, and /api/status and /health say how to turn it on', async () => {
    context = testContext(redis.url);
    app = await buildApp(context);
    expect(context.groups).toBeUndefined();
    const status = await app.inject({ url: '/api/status', headers: auth });
    expect(status.json().groups).toEqual({ enabled: false, message: expect.stringContaining('BAILEYS_ENABLED=true') });
    const health = await app.inject({ url: '/health' });
    expect(health.json().checks.groups).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('BAILEYS_ENABLED'),
    });
  });

  it('refuses a group id that is not a group JID, naming the variable', () => {
    expect(() =>
      testConfig({ BAILEYS_ENABLED: 'true', WHATSAPP_GROUP_IDS: `${GROUP},5491100000000@s.whatsapp.net` }),
    ).toThrow(/WHATSAPP_GROUP_IDS/);
    expect(testConfig({ WHATSAPP_GROUP_ID: GROUP, BAILEYS_PAIRING_PHONE: '+54 9 11 2345-6789' })).toMatchObject({
      WHATSAPP_GROUP_IDS: [],
      WHATSAPP_GROUP_ID: GROUP,
      BAILEYS_PAIRING_PHONE: '5491123456789',
      BAILEYS_ENABLED: false,
    });
  });

  it('takes group messages into the inbound queue and answers through the outbound worker', async () => {
    const factory = createFakeBaileysSocketFactory((socket) => socket.addGroup({ id: GROUP, subject: 'Soporte' }));
    const config = testConfig({
      BAILEYS_ENABLED: 'true',
      WHATSAPP_GROUP_ID: GROUP,
      GROUP_MIN_INTERVAL_MS: '0',
      BAILEYS_SPOOL_PATH: join(spoolDir, 'spool.jsonl'),
    });
    // The real sink (the conversation), which sends group messages straight on and records their events.
    context = testContext(redis.url, config, { groupSocketFactory: factory, consent: true });
    app = await buildApp(context);
    startWorkers(context);
    await context.groups?.start();
    const socket = await factory.waitForSocket(1);
    socket.showQr();
    await eventually(async () => expect((await app!.inject({ url: '/api/qr', headers: auth })).statusCode).toBe(200));
    socket.open();
    await eventually(async () =>
      expect((await app!.inject({ url: '/api/status', headers: auth })).json().groups).toMatchObject({
        enabled: true,
        state: 'open',
        allowedGroups: [GROUP],
      }),
    );
    expect((await app.inject({ url: '/health' })).json().checks.groups).toMatchObject({ status: 'ok' });
    expect((await app.inject({ url: '/api/groups', headers: auth })).json()).toEqual({
      groups: [{ id: GROUP, subject: 'Soporte', size: 0, allowed: true }],
    });

    const report = fakeGroupText({
      group: GROUP,
      participant: '5491144445555@s.whatsapp.net',
      text: 'La impresora de la tienda no imprime',
    });
    socket.receive([report]);
    await eventually(async () =>
      expect(await context!.producers.inbound.queue.getJob(jobIds.inbound(report.key.id!))).toBeDefined(),
    );

    await context.producers.outbound.add(
      {
        correlationId: report.key.id!,
        purpose: 'ack',
        channel: 'group',
        to: GROUP,
        content: { kind: 'text', body: 'Ticket #42 abierto' },
        mentions: ['5491144445555'],
        replyTo: report.key.id!,
      },
      { jobId: jobIds.outbound(report.key.id!, 'ack') },
    );
    await eventually(() => expect(socket.sent).toHaveLength(1));
    expect(socket.sent[0]).toMatchObject({
      jid: GROUP,
      content: { text: '@5491144445555 Ticket #42 abierto', mentions: ['5491144445555@s.whatsapp.net'] },
      options: { quoted: { key: { id: report.key.id, participant: '5491144445555@s.whatsapp.net' } } },
    });
    // Both directions reach the desk's event stream, as a customer chat's do (channel group).
    const streamed = async () =>
      (await context!.redis('producer').xrange(context!.events.key, '-', '+')).map(
        ([, fields]) => JSON.parse(fields[1] as string) as Record<string, unknown>,
      );
    await eventually(async () => expect((await streamed()).map((e) => e.type)).toContain('message_sent'));
    const events = await streamed();
    expect(events.find((e) => e.type === 'message_received')).toMatchObject({
      channel: 'group',
      chatId: GROUP,
      message: { id: report.key.id, kind: 'text', text: 'La impresora de la tienda no imprime' },
    });
    expect(events.find((e) => e.type === 'message_sent')).toMatchObject({
      channel: 'group',
      chatId: GROUP,
      message: { id: jobIds.outbound(report.key.id!, 'ack'), purpose: 'ack', text: 'Ticket #42 abierto' },
    });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/helpline_group_connection_state\{state="open",service="gateway"\} 1/);
    expect(metrics).toMatch(/helpline_group_sent_total\{outcome="sent",service="gateway"\} 1/);
  });
});
