import type { OutboundMessageInput } from '@helpline/contracts';
import { OutboundMessage } from '@helpline/contracts';
import { isPermanentError } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { fakeGroupText } from '@helpline/testkit/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSendThrottle } from '../src/groups/send-throttle.js';
import { quietLogger } from './support/harness.js';
import { eventually, GROUP, type GroupTestRig, groupRig, OTHER_GROUP, recordingSink } from './support/groups.js';

let server: TestRedis;
const rigs: GroupTestRig[] = [];
beforeAll(async () => {
  server = await startTestRedis();
});
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});
afterAll(async () => {
  await server.stop();
});

const log = quietLogger();
const outbound = (input: Partial<OutboundMessageInput> = {}) =>
  OutboundMessage.parse({
    correlationId: 'ABC',
    purpose: 'ack',
    channel: 'group',
    to: GROUP,
    content: { kind: 'text', body: 'Recibido: abrimos el ticket #123' },
    ...input,
  });

async function openRig(env: Record<string, string> = {}, keyPrefix?: string) {
  const r = await groupRig(server.url, recordingSink(), env, keyPrefix ? { keyPrefix } : {});
  rigs.push(r);
  await r.channel.start();
  const socket = await r.factory.waitForSocket(1);
  socket.open();
  await eventually(() => expect(r.channel.status().state).toBe('open'));
  return { r, socket };
}

describe('group sender', () => {
  it('answers in the group mentioning the reporter and quoting the original message', async () => {
    const { r, socket } = await openRig();
    // The report came from a LID participant whose phone Baileys knew.
    const report = fakeGroupText({
      group: GROUP,
      participant: '111222333444555@lid',
      participantAlt: '5491133334444@s.whatsapp.net',
      text: 'No funciona el POS',
    });
    socket.receive([report]);
    await eventually(() => expect(r.channel.spool.size()).toBe(0));
    await eventually(async () => expect(await r.redis.exists(`${r.keyPrefix}quote:${report.key.id}`)).toBe(1));

    // The classifier names the reporter by phone (InboundMessage.from) and the message it answers.
    const result = await r.channel.sender.send(
      outbound({ correlationId: report.key.id!, mentions: ['5491133334444'], replyTo: report.key.id! }),
      log,
    );
    expect(socket.sent).toHaveLength(1);
    const [sent] = socket.sent;
    expect(result.messageId).toBe(sent?.result.key.id);
    expect(sent?.jid).toBe(GROUP);
    // Mentioned by the id the group knows (its LID), with the @ in the text WhatsApp renders.
    expect(sent?.content).toEqual({
      text: '@111222333444555 Recibido: abrimos el ticket #123',
      mentions: ['111222333444555@lid'],
    });
    expect(sent?.options?.quoted).toEqual({
      key: { remoteJid: GROUP, id: report.key.id, fromMe: false, participant: '111222333444555@lid' },
      message: { conversation: 'No funciona el POS' },
    });
  });

  it('quotes a message it has no record of with the mentioned participant', async () => {
    const { socket, r } = await openRig();
    await r.channel.sender.send(outbound({ mentions: ['5491100000001@s.whatsapp.net'], replyTo: 'UNKNOWN1' }), log);
    expect(socket.sent[0]?.options?.quoted?.key).toEqual({
      remoteJid: GROUP,
      id: 'UNKNOWN1',
      fromMe: false,
      participant: '5491100000001@s.whatsapp.net',
    });
    expect(socket.sent[0]?.content).toMatchObject({ text: '@5491100000001 Recibido: abrimos el ticket #123' });
  });

  it('keeps the minimum interval per group, across replicas, through Redis', async () => {
    const keyPrefix = `throttle-${Date.now()}:`;
    const { r: a, socket: sa } = await openRig({ GROUP_MIN_INTERVAL_MS: '250' }, keyPrefix);
    // Another replica's throttle on the same keys (its socket would be another account; the slots are shared).
    const other = createSendThrottle(a.redis, keyPrefix, 250);
    const started = Date.now();
    const waits = [await other.reserve(GROUP), await other.reserve(GROUP)];
    await a.channel.sender.send(outbound(), log);
    await a.channel.sender.send(outbound(), log);
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThan(200);
    // Two slots were taken by the other replica: ours are the third and fourth.
    expect(sa.sent[0]!.at - started).toBeGreaterThanOrEqual(450);
    expect(sa.sent[1]!.at - sa.sent[0]!.at).toBeGreaterThanOrEqual(230);
    // Another group has its own interval.
    expect(await other.reserve(OTHER_GROUP)).toBe(0);
  });

  it('refuses for good what retrying cannot fix, and retries while the session is not open', async () => {
    const { r, socket } = await openRig();
    const foreign = await r.channel.sender.send(outbound({ to: OTHER_GROUP }), log).catch((e: unknown) => e);
    expect(isPermanentError(foreign) && foreign.code).toBe('group_not_allowed');
    const template = await r.channel.sender
      .send(outbound({ content: { kind: 'template', name: 'x', language: 'es' } }), log)
      .catch((e: unknown) => e);
    expect(isPermanentError(template) && template.code).toBe('unsupported_content');

    await r.channel.sender.send(
      outbound({
        content: {
          kind: 'buttons',
          body: '¿Se resolvió?',
          buttons: [
            { id: 'y', title: 'Sí' },
            { id: 'n', title: 'No' },
          ],
        },
      }),
      log,
    );
    expect(socket.sent[0]?.content).toEqual({ text: '¿Se resolvió?\n1. Sí\n2. No', mentions: [] });

    socket.close(428);
    const closed = await r.channel.sender.send(outbound(), log).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(Error);
    expect(isPermanentError(closed)).toBe(false);
    expect((closed as Error).message).toMatch(/not open \(reconnecting\)/);
  });
});
