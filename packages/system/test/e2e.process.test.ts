import type { RecordedGraphRequest } from '@helpline/testkit/meta-graph';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postTwilioWebhook, twilioInboundParams } from '@helpline/testkit/twilio';
import { customerMessage, signedBody } from '../src/chat/webhook-payloads.js';
import {
  API_TOKEN,
  APP_SECRET,
  PHONE_NUMBER_ID,
  type SystemUnderTest,
  startSystem,
  waitFor,
} from './support/system-under-test.js';

// The whole system as an operator runs it: five processes from their builds, one Redis,
// and fakes of Meta, the LLM, Zoho and the router. The test plays the customer through
// signed webhooks and reads what reached the fake Graph API.

const customer = { phone: '573001112233', name: 'Ana Pérez' };
/** A second customer, who writes to the ISP's number on Twilio. */
const twilioCustomer = { phone: '573004445566', name: 'Beto Ruiz' };
const envelope = { phoneNumberId: PHONE_NUMBER_ID, customer };

let system: SystemUnderTest;

beforeAll(async () => {
  system = await startSystem({
    customers: [
      {
        customerId: 'C-100',
        name: 'Ana Pérez',
        phones: [customer.phone],
        pppoeUser: 'ana@isp',
        serviceIp: '100.64.0.10',
        router: 'default',
      },
      {
        customerId: 'C-200',
        name: 'Beto Ruiz',
        phones: [twilioCustomer.phone],
        pppoeUser: 'beto@isp',
        serviceIp: '100.64.0.20',
        router: 'default',
      },
    ],
    routerState: {
      // Ana's PPPoE session is down: no active session, and the secret says why it dropped.
      tables: {
        '/ppp/active': [],
        '/ppp/secret': [
          {
            name: 'ana@isp',
            service: 'pppoe',
            password: 'never-read',
            profile: '10M',
            disabled: 'false',
            'last-logged-out': '2026-11-21 18:40:00',
            'last-disconnect-reason': 'peer-not-responding',
          },
          {
            name: 'beto@isp',
            service: 'pppoe',
            password: 'never-read-either',
            profile: '10M',
            disabled: 'false',
            'last-logged-out': '2026-11-22 07:10:00',
            'last-disconnect-reason': 'peer-not-responding',
          },
        ],
        '/queue/simple': [],
      },
    },
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

async function send(input: Parameters<typeof customerMessage>[1]): Promise<void> {
  const { body, signature } = signedBody(customerMessage(envelope, input), APP_SECRET);
  const res = await fetch(`${system.gatewayUrl}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
  expect(res.status).toBe(200);
}

/** What the customer's phone received: sends to them, not read receipts or typing indicators. */
function received(): RecordedGraphRequest[] {
  return system.graph
    .messageRequests()
    .filter(
      (r) =>
        (r.body as { to?: string; status?: string }).to === customer.phone &&
        (r.body as { status?: string }).status !== 'read',
    );
}

const textOf = (r: RecordedGraphRequest): string => {
  const body = r.body as { text?: { body: string }; interactive?: { body: { text: string } } };
  return body.text?.body ?? body.interactive?.body.text ?? '';
};

describe('a customer whose internet is down', () => {
  test('accepts the notice, reports the outage, and gets an acknowledgement, a diagnosis and a ticket number, each once', async () => {
    system.llm.setDefault('openai', {
      kind: 'answer',
      answer: {
        category: 'connectivity',
        priority: 'high',
        needsTicket: true,
        summary: 'Cliente sin internet desde ayer',
        language: 'es',
        confidence: 0.93,
        entities: { ips: [], documentNumbers: [], ticketNumbers: [] },
      },
    });

    await send('hola');
    const notice = await waitFor(
      () => received().find((r) => (r.body as { interactive?: { type: string } }).interactive?.type === 'button'),
      15_000,
      'the privacy notice',
    );
    const buttons = (
      notice.body as { interactive: { action: { buttons: { reply: { id: string; title: string } }[] } } }
    ).interactive.action.buttons;
    const accept = buttons.find((b) => /acept/i.test(b.reply.title));
    expect(accept).toBeDefined();

    await send({ kind: 'button_reply', id: accept!.reply.id, title: accept!.reply.title, messageId: 'wamid.notice' });
    await waitFor(
      () => received().some((r) => (r.body as { interactive?: { type: string } }).interactive?.type === 'list'),
      15_000,
      'the menu',
    );
    const before = received().length;

    await send('no tengo internet desde ayer');
    const ticket = await waitFor(() => system.zoho.tickets()[0], 30_000, 'the ticket in Zoho');
    await waitFor(
      () => received().some((r) => textOf(r).includes(String(ticket.ticketNumber))),
      30_000,
      'the ticket number in the chat',
    );
    // Anything sent twice would arrive within this settling time.
    await new Promise((r) => setTimeout(r, 2_000));

    const answers = received().slice(before).map(textOf);
    expect(answers).toHaveLength(3);
    expect(answers.filter((t) => t.startsWith('Recibimos tu reporte'))).toHaveLength(1);
    expect(answers.filter((t) => t.includes('no tiene sesión activa'))).toHaveLength(1);
    expect(answers.filter((t) => t.includes(String(ticket.ticketNumber)))).toHaveLength(1);

    expect(system.zoho.tickets()).toHaveLength(1);
    expect(ticket.description).toContain('peer-not-responding');
    expect(ticket.description).not.toContain('100.64.0.10');
    expect(ticket.description).not.toContain('never-read');
    // The router was asked for the secret without its password.
    const secretPrint = system.router.commands('/ppp/secret/print')[0]?.words ?? [];
    expect(secretPrint.join(' ')).not.toMatch(/password/);
  }, 120_000);

  test('the desk archived the conversation: both directions, the consent, the ticket', async () => {
    const desk = `http://127.0.0.1:${system.ports.desk}`;
    const headers = { authorization: `Bearer ${API_TOKEN}` };
    type Page = { total: number; items: { direction: string; purpose: string | null; text: string }[] };
    // Everything the customer received after consent (menu, ack, diagnosis, ticket) and what they wrote.
    const page = await waitFor(
      async () => {
        const res = await fetch(`${desk}/api/conversations/${customer.phone}/messages?per_page=50`, { headers });
        const body = res.ok ? ((await res.json()) as Page) : undefined;
        return body && body.items.filter((m) => m.direction === 'outbound').length >= 4 ? body : undefined;
      },
      30_000,
      'the archived conversation',
    );
    expect(page.items.filter((m) => m.direction === 'inbound').map((m) => m.text)).toContain(
      'no tengo internet desde ayer',
    );
    expect(page.items.some((m) => m.purpose === 'ticket')).toBe(true);
    const consents = await (await fetch(`${desk}/api/consents/${customer.phone}`, { headers })).json();
    expect(consents).toMatchObject({ current: 'given' });
    const list = await (await fetch(`${desk}/api/conversations?has_open_ticket=true`, { headers })).json();
    expect(list).toMatchObject({ total: 1, items: [{ chatId: customer.phone, customerId: 'C-100' }] });
  }, 60_000);
});

describe('a customer who writes through Twilio', () => {
  /** What the Twilio customer's phone received: the bodies of the messages Twilio took for them. */
  const bodies = () =>
    system.twilio.sent
      .filter((m) => m.to === `whatsapp:+${twilioCustomer.phone}`)
      .map((m) => Object.fromEntries(m.form).Body ?? '');

  async function say(text: string): Promise<void> {
    const params = twilioInboundParams({
      accountSid: system.twilio.accountSid,
      from: twilioCustomer.phone,
      to: system.twilio.whatsappNumber,
      body: text,
      profileName: twilioCustomer.name,
    });
    const res = await postTwilioWebhook(`${system.gatewayUrl}/webhook/twilio`, system.twilio.authToken, params);
    expect(res.status).toBe(200);
  }

  test('answers the numbered notice and menu by number, reports the outage, and gets each answer once through Twilio', async () => {
    system.llm.setDefault('openai', {
      kind: 'answer',
      answer: {
        category: 'connectivity',
        priority: 'high',
        needsTicket: true,
        summary: 'Cliente sin internet (Twilio)',
        language: 'es',
        confidence: 0.9,
        entities: { ips: [], documentNumbers: [], ticketNumbers: [] },
      },
    });
    const ticketsBefore = system.zoho.tickets().length;

    await say('hola');
    const notice = await waitFor(() => bodies().find((b) => b.includes('Ley 1581')), 15_000, 'the privacy notice');
    // Its choices are numbered lines; accepting is answering with the number of "Acepto".
    const accept = /^(\d+)\. Acepto$/m.exec(notice)?.[1];
    expect(accept).toBeDefined();
    await say(accept ?? '1');
    await waitFor(() => bodies().some((b) => /^6\. /m.test(b)), 15_000, 'the menu as numbered text');
    const before = bodies().length;

    await say('no tengo internet desde esta mañana');
    const ticket = await waitFor(() => system.zoho.tickets()[ticketsBefore], 30_000, 'the ticket in Zoho');
    await waitFor(
      () => bodies().some((b) => b.includes(String(ticket.ticketNumber))),
      30_000,
      'the ticket number in the chat',
    );
    await new Promise((r) => setTimeout(r, 2_000));

    const answers = bodies().slice(before);
    expect(answers).toHaveLength(3);
    expect(answers.filter((t) => t.startsWith('Recibimos tu reporte'))).toHaveLength(1);
    expect(answers.filter((t) => t.includes('no tiene sesión activa'))).toHaveLength(1);
    expect(answers.filter((t) => t.includes(String(ticket.ticketNumber)))).toHaveLength(1);
    expect(system.zoho.tickets()).toHaveLength(ticketsBefore + 1);
    expect(ticket.description).toContain('Twilio');
    // Every message went with its status callback, and Twilio's callbacks reached the gateway.
    await system.twilio.settled();
    const mine = system.twilio.sent.filter((m) => m.to === `whatsapp:+${twilioCustomer.phone}`);
    expect(mine.every((m) => m.statusCallback?.includes('/webhook/twilio/status?job='))).toBe(true);
    expect(mine.flatMap((m) => m.callbacks).every((c) => c.delivered)).toBe(true);
    // Nothing of this customer went through Meta.
    expect(
      system.graph.messageRequests().filter((r) => (r.body as { to?: string }).to === twilioCustomer.phone),
    ).toEqual([]);
  }, 120_000);
});
