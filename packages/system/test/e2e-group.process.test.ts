import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, type SystemUnderTest, startSystem, waitFor } from './support/system-under-test.js';

// A support group's staff report an incident. The four services run as processes; the
// gateway's Baileys socket is the testkit's fake, driven through a control port (nothing
// here can reach WhatsApp).

const GROUP = '120363400000000001@g.us';
const REPORTER_LID = '210987654321098@lid';
const REPORTER_PHONE_JID = '573005556677@s.whatsapp.net';

let system: SystemUnderTest;
let control: string;

interface SentToGroup {
  jid: string;
  content: { text?: string; mentions?: string[] };
  quotedId: string | null;
}

beforeAll(async () => {
  const controlPort = await freePort();
  control = `http://127.0.0.1:${controlPort}`;
  system = await startSystem({
    customers: [],
    routerState: {},
    entries: { gateway: fileURLToPath(new URL('./support/gateway-with-fake-group.ts', import.meta.url)) },
    env: {
      gateway: {
        BAILEYS_ENABLED: 'true',
        WHATSAPP_GROUP_IDS: GROUP,
        GROUP_MIN_INTERVAL_MS: '100',
        BAILEYS_SPOOL_PATH: join(mkdtempSync(join(tmpdir(), 'helpline-spool-')), 'spool.jsonl'),
        FAKE_GROUP_CONTROL_PORT: String(controlPort),
      },
    },
  });
  await waitFor(
    async () => (await fetch(`${control}/open`, { method: 'POST' }).catch(() => undefined))?.ok,
    20_000,
    'the fake socket',
  );
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

const sent = async (): Promise<SentToGroup[]> => (await (await fetch(`${control}/sent`)).json()) as SentToGroup[];

describe('a support group', () => {
  test('"el POS no funciona en la tienda 3" becomes a ticket and an answer in the group that mentions the reporter', async () => {
    system.llm.setDefault('openai', {
      kind: 'answer',
      answer: {
        category: 'technical',
        priority: 'high',
        needsTicket: true,
        summary: 'POS sin servicio en la tienda 3',
        language: 'es',
        confidence: 0.9,
        entities: { ips: [], documentNumbers: [], ticketNumbers: [] },
      },
    });
    const res = await fetch(`${control}/receive`, {
      method: 'POST',
      body: JSON.stringify({
        group: GROUP,
        participant: REPORTER_LID,
        participantAlt: REPORTER_PHONE_JID,
        pushName: 'Laura (tienda 3)',
        text: 'el POS no funciona en la tienda 3',
      }),
    });
    const { id } = (await res.json()) as { id: string };

    const ticket = await waitFor(() => system.zoho.tickets()[0], 30_000, 'the ticket in Zoho');
    expect(ticket.subject).toBe('POS sin servicio en la tienda 3');
    const contact = system.zoho.contacts().find((c) => c.id === ticket.contactId);
    expect(JSON.stringify(contact)).toContain('573005556677');

    const notice = await waitFor(
      async () => (await sent()).find((m) => m.content.text?.includes(String(ticket.ticketNumber))),
      30_000,
      'the ticket number in the group',
    );
    expect(notice.jid).toBe(GROUP);
    expect(notice.quotedId).toBe(id);
    expect(notice.content.mentions?.some((jid) => jid === REPORTER_LID || jid === REPORTER_PHONE_JID)).toBe(true);

    await new Promise((r) => setTimeout(r, 1_500));
    const all = await sent();
    // The acknowledgement and the ticket number, once each, both in the group.
    expect(all).toHaveLength(2);
    expect(all.every((m) => m.jid === GROUP && m.quotedId === id)).toBe(true);
    expect(system.zoho.tickets()).toHaveLength(1);
  }, 90_000);
});
