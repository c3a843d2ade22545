// `npm run chaos`: 2,000 messages from 200 customers while, one after another, each service
// is killed with SIGKILL and restarted, Redis is restarted (append-only on), and Zoho is
// down for 30 seconds. At the end every message acknowledged with 200 must have exactly one
// acknowledgement, every ticket message exactly one ticket and one ticket notice, and no
// failed job may remain. Prints the counts as JSON; exits 1 if any check fails.
import { ALL_QUEUES } from '@helpline/contracts';
import type { RecordedGraphRequest } from '@helpline/testkit/meta-graph';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { customerMessage, messageOf, signedBody } from '../src/chat/webhook-payloads.js';
import type { ServiceName } from '../src/service-processes.js';
import { APP_SECRET, PHONE_NUMBER_ID, startSystem, waitFor } from '../test/support/system-under-test.js';

const CUSTOMERS = Number(process.env.CHAOS_CUSTOMERS ?? 200);
const PER_CUSTOMER = Number(process.env.CHAOS_MESSAGES_PER_CUSTOMER ?? 10);
const IN_FLIGHT = 16;
const log = (line: string) => process.stderr.write(`chaos: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const system = await startSystem({
  appendOnly: true,
  customers: [],
  routerState: {},
  // Keywords only (no LLM keys): the chaos is in the processes, not in the providers.
  env: { classifier: { CLASSIFIER_PROVIDERS: 'openai', OPENAI_API_KEY: '' }, gateway: { RATE_LIMIT_PER_MINUTE: '1000' } },
});
log(`system up: gateway ${system.gatewayUrl}, redis ${system.redis.url}`);

const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({ phone: `5730090${String(i).padStart(5, '0')}`, name: `Cliente ${i}` }));
const acknowledged = new Set<string>();
const ticketMessages = new Set<string>();
let refusals = 0;

/** Posts one webhook body until the gateway answers 200, as Meta redelivers; false if it never does. */
async function deliver(body: string, signature: string): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${system.gatewayUrl}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      if (res.status === 200) return true;
      refusals++;
    } catch {
      refusals++;
    }
    await sleep(250);
  }
  return false;
}

async function say(customer: (typeof customers)[number], input: Parameters<typeof customerMessage>[1]): Promise<string | undefined> {
  const payload = customerMessage({ phoneNumberId: PHONE_NUMBER_ID, customer }, input);
  const wamid = messageOf(payload).id;
  const { body, signature } = signedBody(payload, APP_SECRET);
  return (await deliver(body, signature)) ? wamid : undefined;
}

async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const sendsTo = (phone: string) => system.graph.messageRequests().filter((r) => (r.body as { to?: string }).to === phone);
const isButtons = (r: RecordedGraphRequest) => (r.body as { interactive?: { type: string } }).interactive?.type === 'button';

// Consent first: every customer says hello and accepts the notice (not counted below).
log(`onboarding ${CUSTOMERS} customers`);
await inParallel(customers, async (c) => {
  await say(c, 'hola');
  const notice = await waitFor(() => sendsTo(c.phone).find(isButtons), 60_000, `the notice for ${c.phone}`);
  const accept = (notice.body as { interactive: { action: { buttons: { reply: { id: string; title: string } }[] } } }).interactive.action.buttons[0];
  if (!accept) throw new Error('the notice has no buttons');
  await say(c, { kind: 'button_reply', id: accept.reply.id, title: accept.reply.title, messageId: 'wamid.notice' });
});
await waitFor(() => customers.every((c) => sendsTo(c.phone).some((r) => (r.body as { interactive?: { type: string } }).interactive?.type === 'list')), 120_000, 'every menu');

// Cloud API acknowledgements do not quote the message, so replies are counted per customer:
// after the menu, each customer must receive one acknowledgement per message acknowledged
// with 200, plus one ticket notice per ticket message.
const menuIndex = new Map<string, number>();
for (const c of customers) menuIndex.set(c.phone, sendsTo(c.phone).length);
const expectedBy = new Map<string, number>();
const noteExpected = (phone: string, n: number) => expectedBy.set(phone, (expectedBy.get(phone) ?? 0) + n);
const repliesTo = (phone: string) =>
  sendsTo(phone)
    .slice(menuIndex.get(phone) ?? 0)
    .filter((r) => (r.body as { status?: string }).status !== 'read').length;

// The chaos, one event after another while the messages flow.
const chaos = (async () => {
  const kill = async (name: ServiceName) => {
    await system.processes.get(name)?.stop('SIGKILL');
    log(`killed ${name} (SIGKILL)`);
    await system.restart(name);
    log(`restarted ${name}`);
  };
  for (const name of ['gateway', 'classifier', 'tickets', 'network'] as const) {
    await sleep(4_000);
    await kill(name);
  }
  await sleep(4_000);
  await system.redis.restart();
  log('restarted redis');
  await sleep(2_000);
  system.zoho.setMode('outage');
  log('zoho down');
  await sleep(30_000);
  system.zoho.setMode('normal');
  log('zoho back');
})();

const messages = customers.flatMap((c, ci) =>
  Array.from({ length: PER_CUSTOMER }, (_, i) => ({
    customer: c,
    needsTicket: i % 5 === 0,
    text: i % 5 === 0 ? `el POS no funciona en la tienda ${ci}` : 'hola, buenas tardes',
  })),
);
const started = Date.now();
log(`sending ${messages.length} messages`);
await inParallel(messages, async (m) => {
  const wamid = await say(m.customer, m.text);
  if (!wamid) return;
  acknowledged.add(wamid);
  noteExpected(m.customer.phone, m.needsTicket ? 2 : 1);
  if (m.needsTicket) ticketMessages.add(wamid);
});
log(`sent in ${Math.round((Date.now() - started) / 1000)} s; waiting for the chaos to end and the queues to drain`);
await chaos;

await waitFor(() => customers.every((c) => repliesTo(c.phone) >= (expectedBy.get(c.phone) ?? 0)) || undefined, 300_000, 'every reply').catch(
  (error: Error) => log(error.message),
);
// Anything sent twice arrives within this settling time.
await sleep(3_000);

const connection = new Redis(system.redis.url, { maxRetriesPerRequest: null });
const failed: Record<string, number> = {};
for (const name of ALL_QUEUES) {
  const queue = new Queue(name, { connection });
  failed[name] = await queue.getFailedCount();
  await queue.close();
}
await connection.quit();

const tickets = system.zoho.tickets();
const keys = new Map<string, number>();
for (const t of tickets) {
  const key = t.cf.cf_idempotency_key ?? t.id;
  keys.set(key, (keys.get(key) ?? 0) + 1);
}
const report = {
  messages: messages.length,
  acknowledgedWith200: acknowledged.size,
  webhookRefusalsRetried: refusals,
  expectedReplies: [...expectedBy.values()].reduce((a, b) => a + b, 0),
  missingReplies: customers.reduce((n, c) => n + Math.max(0, (expectedBy.get(c.phone) ?? 0) - repliesTo(c.phone)), 0),
  duplicateReplies: customers.reduce((n, c) => n + Math.max(0, repliesTo(c.phone) - (expectedBy.get(c.phone) ?? 0)), 0),
  ticketMessages: ticketMessages.size,
  tickets: tickets.length,
  correlationIdsWithTwoTickets: [...keys.values()].filter((n) => n > 1).length,
  failedJobs: failed,
  // What the first customers whose count is off received, to start an investigation from.
  offExamples: customers
    .filter((c) => repliesTo(c.phone) !== (expectedBy.get(c.phone) ?? 0))
    .slice(0, 3)
    .map((c) => ({
      expected: expectedBy.get(c.phone),
      received: sendsTo(c.phone).map((r) => {
        const b = r.body as { type?: string; text?: { body: string }; interactive?: { type: string } };
        return b.text?.body.slice(0, 50) ?? b.interactive?.type ?? b.type;
      }),
    })),
  seconds: Math.round((Date.now() - started) / 1000),
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
await system.stop();
const ok =
  report.acknowledgedWith200 === report.messages &&
  report.missingReplies === 0 &&
  report.duplicateReplies === 0 &&
  report.tickets === report.ticketMessages &&
  report.correlationIdsWithTwoTickets === 0 &&
  Object.values(failed).every((n) => n === 0);
process.exit(ok ? 0 : 1);
