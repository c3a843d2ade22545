import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, InboundMessage } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { buildSignedWebhookRequest } from '@helpline/testkit';
import { type FakeTwilio, startFakeTwilio, twilioInboundParams } from '@helpline/testkit/twilio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';
import { APP_SECRET, PHONE_NUMBER_ID, testContext } from './support/harness.js';
import { ACCESS_TOKEN, cloudTestBed } from './support/cloud-harness.js';
import { messagesChange } from './support/meta-webhooks.js';
import { twilioConfig, twilioRequest } from './support/twilio-harness.js';

// One table of conversation cases, run on both one-to-one channels through their real
// paths: a signed webhook in (Meta's JSON, Twilio's form), the conversation, the outbound
// worker, the channel's sender, and the fake (Graph API, Twilio) whose record is what the
// customer saw. On Twilio, buttons and lists arrive as numbered text and the customer
// answers with the number.

const CUSTOMER = '573004445566';

const bed = cloudTestBed();
let twilio: FakeTwilio;
let context: GatewayContext;
let app: HttpApp;
let sequence = 0;

beforeAll(async () => {
  twilio = await startFakeTwilio();
});
afterAll(async () => {
  await twilio.close();
});
/** A gateway with both channels on; `interactive` is TWILIO_INTERACTIVE. */
async function startGateway(interactive: 'text' | 'content'): Promise<void> {
  bed.graph.reset();
  twilio.reset();
  context = testContext(
    bed.redis.url,
    twilioConfig(twilio, {
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      GRAPH_API_URL: bed.graph.url,
      TWILIO_INTERACTIVE: interactive,
      TWILIO_CONTENT_API_URL: twilio.url,
    }),
    { consent: true },
  );
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  app = await buildApp(context);
  startWorkers(context);
}
afterEach(async () => {
  await app.close();
  await context.close();
});

/** What the customer saw, the same on both channels: the text, and the choices offered in order. */
interface Seen {
  text: string;
  choices: string[];
}

/** How a customer talks on one channel, and what they see there. */
interface ChannelDriver {
  /** Writes a text message. */
  say(text: string): Promise<string>;
  /** Picks the n-th choice (0-based) of the last message that offered choices. */
  choose(index: number): Promise<void>;
  seen(): Seen[];
}

function cloudDriver(): ChannelDriver {
  let lastChoices: { id: string; title: string }[] = [];
  const post = async (message: Record<string, unknown>) => {
    const id = `wamid.CH${Date.now().toString(36)}${++sequence}`;
    const body = messagesChange({
      contacts: [{ profile: { name: 'Ana Cliente' }, wa_id: CUSTOMER }],
      messages: [{ from: CUSTOMER, id, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
    });
    const signed = buildSignedWebhookRequest({ body, appSecret: APP_SECRET });
    const res = await app.inject({ method: 'POST', url: '/webhook', payload: signed.payload, headers: signed.headers });
    expect(res.statusCode, res.body).toBe(200);
    return id;
  };
  interface GraphBody {
    text?: { body: string };
    interactive?: {
      body: { text: string };
      action: {
        buttons?: { reply: { id: string; title: string } }[];
        sections?: { rows: { id: string; title: string }[] }[];
      };
    };
  }
  const seen = (): Seen[] =>
    bed.graph
      .messageRequests()
      .filter((r) => r.outcome === 200)
      .map((r) => r.body as GraphBody)
      .map((b) => {
        const action = b.interactive?.action;
        const choices = action?.buttons?.map((x) => x.reply) ?? action?.sections?.flatMap((s) => s.rows) ?? [];
        if (choices.length > 0) lastChoices = choices;
        return { text: b.text?.body ?? b.interactive?.body.text ?? '', choices: choices.map((c) => c.title) };
      });
  return {
    say: (text) => post({ type: 'text', text: { body: text } }),
    async choose(index) {
      seen();
      const choice = lastChoices[index];
      if (!choice) throw new Error(`no choice ${index} offered`);
      const kind = choice.id.startsWith('consent.') ? 'button_reply' : 'list_reply';
      await post({ type: 'interactive', interactive: { type: kind, [kind]: { id: choice.id, title: choice.title } } });
    },
    seen,
  };
}

function twilioDriver(): ChannelDriver {
  const say = async (text: string) => {
    const params = twilioInboundParams({
      accountSid: twilio.accountSid,
      from: CUSTOMER,
      to: twilio.whatsappNumber,
      body: text,
      profileName: 'Ana Cliente',
    });
    const res = await app.inject(twilioRequest(params, { authToken: twilio.authToken }));
    expect(res.statusCode, res.body).toBe(200);
    return params.find(([n]) => n === 'MessageSid')?.[1] ?? '';
  };
  return {
    say,
    // The customer types the number written before the choice.
    choose: async (index) => {
      await say(String(index + 1));
    },
    seen: () =>
      twilio.sent.map((m) => {
        const body = Object.fromEntries(m.form).Body ?? '';
        const choices = body
          .split('\n')
          .map((line) => /^\d+\. (.+?)(?: \(.*\))?$/.exec(line)?.[1])
          .filter((t): t is string => t !== undefined);
        return { text: body, choices };
      }),
  };
}

/** Twilio with TWILIO_INTERACTIVE=content: choices are quick replies and list pickers, tapped. */
function twilioContentDriver(): ChannelDriver {
  const text = twilioDriver();
  let lastChoices: { id: string; title: string; list: boolean }[] = [];
  const post = async (extra: Record<string, string>) => {
    const params = twilioInboundParams({
      accountSid: twilio.accountSid,
      from: CUSTOMER,
      to: twilio.whatsappNumber,
      profileName: 'Ana Cliente',
      extra,
    });
    const res = await app.inject(twilioRequest(params, { authToken: twilio.authToken }));
    expect(res.statusCode, res.body).toBe(200);
  };
  const seen = (): Seen[] =>
    twilio.sent.map((m) => {
      const form = Object.fromEntries(m.form);
      const types = form.ContentSid ? twilio.createdContent.get(form.ContentSid)?.types : undefined;
      if (!types) return { text: form.Body ?? '', choices: [] };
      const quick = types['twilio/quick-reply'] as
        | { body: string; actions: { id: string; title: string }[] }
        | undefined;
      const picker = types['twilio/list-picker'] as { body: string; items: { id: string; item: string }[] } | undefined;
      const choices = quick
        ? quick.actions.map((a) => ({ id: a.id, title: a.title, list: false }))
        : (picker?.items.map((i) => ({ id: i.id, title: i.item, list: true })) ?? []);
      if (choices.length > 0) lastChoices = choices;
      return { text: quick?.body ?? picker?.body ?? '', choices: choices.map((c) => c.title) };
    });
  return {
    say: text.say,
    async choose(index) {
      seen();
      const choice = lastChoices[index];
      if (!choice) throw new Error(`no choice ${index} offered`);
      // What Twilio posts for a tap: the row's or the button's id and title.
      await post(
        choice.list
          ? { Body: choice.title, MessageType: 'interactive', ListId: choice.id, ListTitle: choice.title }
          : { Body: choice.title, MessageType: 'button', ButtonPayload: choice.id, ButtonText: choice.title },
      );
    },
    seen,
  };
}

const MODES = [
  { name: 'cloud', channel: 'cloud', interactive: 'text', driver: cloudDriver },
  { name: 'twilio, numbered text', channel: 'twilio', interactive: 'text', driver: twilioDriver },
  { name: 'twilio, Content API choices', channel: 'twilio', interactive: 'content', driver: twilioContentDriver },
] as const satisfies readonly {
  name: string;
  channel: Channel;
  interactive: 'text' | 'content';
  driver: () => ChannelDriver;
}[];

/** Waits until the outbound queue is drained, then returns what the customer saw since `from`. */
async function settle(driver: ChannelDriver, from = 0): Promise<Seen[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const pending = await context.producers.outbound.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const failed = await context.producers.outbound.queue.getFailed();
    if (failed.length > 0) throw new Error(`outbound job failed: ${failed.map((j) => j.failedReason).join('; ')}`);
    if (Object.values(pending).every((n) => n === 0)) return driver.seen().slice(from);
    if (Date.now() > deadline) throw new Error(`outbound queue not drained: ${JSON.stringify(pending)}`);
    await sleep(20);
  }
}

async function inboundJobs(): Promise<InboundMessage[]> {
  const jobs = await context.producers.inbound.queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
  return jobs.sort((a, b) => a.timestamp - b.timestamp).map((j) => j.data as InboundMessage);
}

/** Consent given: the notice, then its first choice (accept). Returns what was seen so far. */
async function consent(d: ChannelDriver): Promise<number> {
  await d.say('hola');
  await settle(d);
  await d.choose(0);
  return (await settle(d)).length;
}

interface Case {
  name: string;
  run(d: ChannelDriver, channel: Channel): Promise<void>;
}

const CASES: Case[] = [
  {
    name: 'first contact: the privacy notice with accept and decline, nothing classified',
    async run(d) {
      await d.say('Hola, mi documento es 10203040');
      const [notice, ...more] = await settle(d);
      expect(more).toEqual([]);
      expect(notice?.text).toContain('Ley 1581 de 2012');
      expect(notice?.choices).toEqual(['Acepto', 'No acepto']);
      expect(await inboundJobs()).toEqual([]);
    },
  },
  {
    name: 'decline: a polite close and nothing else',
    async run(d) {
      await d.say('hola');
      await settle(d);
      await d.choose(1);
      const [close, ...more] = await settle(d, 1);
      expect(more).toEqual([]);
      expect(close?.text).toMatch(/no guardaremos tus datos/);
    },
  },
  {
    name: 'accept: the menu with six choices; choosing "check my connection" starts a diagnosis on this channel',
    async run(d, channel) {
      const before = await consent(d);
      const menu = d.seen().at(-1);
      expect(menu?.choices).toHaveLength(6);
      await d.choose(0);
      const [started] = await settle(d, before);
      expect(started?.text).toMatch(/revisando tu conexión/);
      const [diagnosis] = await context.producers.diagnostics.queue.getJobs(['waiting']);
      expect(diagnosis?.data).toMatchObject({ customer: { phone: CUSTOMER }, replyTo: { channel, chatId: CUSTOMER } });
    },
  },
  {
    name: 'commands answer from the data file',
    async run(d) {
      const before = await consent(d);
      await d.say('Ayuda');
      const [help] = await settle(d, before);
      expect(help?.text).toMatch(/Puedes escribir estos comandos/);
    },
  },
  {
    name: 'report a problem, then the description reaches inbound on this channel with the last turns',
    async run(d, channel) {
      const before = await consent(d);
      await d.choose(1);
      expect((await settle(d, before))[0]?.text).toMatch(/Cuéntanos en un mensaje qué problema tienes/);
      const id = await d.say('El módem tiene la luz LOS en rojo');
      await settle(d);
      const [description] = await inboundJobs();
      expect(description).toMatchObject({ id, channel, chatId: CUSTOMER, customer: { consent: true } });
      expect(description?.history.at(-1)?.text).toMatch(/Cuéntanos en un mensaje/);
    },
  },
  {
    name: 'handoff by command: announced, then answers stop',
    async run(d) {
      const before = await consent(d);
      await d.say('agente');
      const [announcement] = await settle(d, before);
      expect(announcement?.text).toMatch(/Te comunicamos con una persona/);
      await d.say('menu');
      expect(await settle(d, before + 1)).toEqual([]);
    },
  },
];

describe.each(MODES)('the conversation on $name', (mode) => {
  beforeEach(() => startGateway(mode.interactive));
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await c.run(mode.driver(), mode.channel);
  });
});
