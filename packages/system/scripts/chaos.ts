// `npm run chaos`: 2,000 messages from 200 customers, paced over the whole chaos, while one
// after another each service is killed with SIGKILL and restarted, Redis is restarted
// (append-only on), PostgreSQL is restarted, and Zoho is down for 30 seconds. At the end every message acknowledged
// with 200 must have exactly one acknowledgement, every ticket message exactly one ticket
// and one ticket notice, every connectivity complaint one diagnosis (and one ticket when the
// line is down), no failed job may remain, and the desk's archive must hold every
// acknowledged message exactly once. Replies are matched to the message they
// answer through `biz_opaque_callback_data`, which the gateway sets to `helpline:` and the
// outbound job id (`<message id>-<purpose>`). Prints the counts as JSON; exits 1 if any
// check fails.
import { ALL_QUEUES } from '@helpline/contracts';
import type { RecordedGraphRequest } from '@helpline/testkit/meta-graph';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { customerMessage, messageOf, signedBody } from '../src/chat/webhook-payloads.js';
import type { ServiceName } from '../src/service-processes.js';
import { APP_SECRET, PHONE_NUMBER_ID, startSystem, waitFor } from '../test/support/system-under-test.js';

const CUSTOMERS = Number(process.env.CHAOS_CUSTOMERS ?? 200);
const PER_CUSTOMER = Number(process.env.CHAOS_MESSAGES_PER_CUSTOMER ?? 10);
// The messages are spread over this long, so that every chaos event meets traffic.
const SEND_SECONDS = Number(process.env.CHAOS_SEND_SECONDS ?? 70);
const IN_FLIGHT = 16;
// Lines carry the seconds since the script started, to set the chaos events beside the
// send times of whatever goes wrong.
const scriptStart = Date.now();
const secondsIn = (at: number) => Math.round((at - scriptStart) / 100) / 10;
const log = (line: string) => process.stderr.write(`chaos: [${secondsIn(Date.now())} s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Every customer is in the directory, so connectivity messages keep the network service
// (and its router connections) busy while it is killed. Even customers' lines are healthy
// (no ticket); odd customers' PPPoE sessions are down (a ticket with the findings).
const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({
  customerId: `C-${i}`,
  phone: `5730090${String(i).padStart(5, '0')}`,
  name: `Cliente ${i}`,
  pppoeUser: `cliente${i}@isp`,
  serviceIp: `100.64.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  lineDown: i % 2 === 1,
}));
const healthy = customers.filter((c) => !c.lineDown);

const system = await startSystem({
  appendOnly: true,
  // A private PostgreSQL: the chaos restarts it.
  privatePostgres: true,
  customers: customers.map((c) => ({
    customerId: c.customerId,
    name: c.name,
    phones: [c.phone],
    pppoeUser: c.pppoeUser,
    serviceIp: c.serviceIp,
    router: 'default',
  })),
  routerState: {
    tables: {
      '/ppp/active': healthy.map((c) => ({
        name: c.pppoeUser,
        service: 'pppoe',
        uptime: '3d4h',
        address: c.serviceIp,
      })),
      '/ppp/secret': customers.map((c) => ({
        name: c.pppoeUser,
        service: 'pppoe',
        profile: '10M',
        disabled: 'false',
        ...(c.lineDown ? { 'last-disconnect-reason': 'peer-not-responding' } : {}),
      })),
      '/queue/simple': [],
    },
    // Five answers: the diagnosis pings five times, and a lost packet is a degraded line.
    ping: Object.fromEntries(healthy.map((c) => [c.serviceIp, { times: [2, 3, 2, 2, 3] }])),
    traffic: {},
  },
  // Keywords only (no LLM keys): the chaos is in the processes, not in the providers.
  env: {
    classifier: { CLASSIFIER_PROVIDERS: 'openai', OPENAI_API_KEY: '' },
    gateway: { RATE_LIMIT_PER_MINUTE: '1000' },
  },
});
log(`system up: gateway ${system.gatewayUrl}, redis ${system.redis.url}`);

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

async function say(
  customer: (typeof customers)[number],
  input: Parameters<typeof customerMessage>[1],
): Promise<string | undefined> {
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

const sendsTo = (phone: string) =>
  system.graph.messageRequests().filter((r) => (r.body as { to?: string }).to === phone);
const isButtons = (r: RecordedGraphRequest) =>
  (r.body as { interactive?: { type: string } }).interactive?.type === 'button';

// Consent first: every customer says hello and accepts the notice (not counted below).
log(`onboarding ${CUSTOMERS} customers`);
await inParallel(customers, async (c) => {
  await say(c, 'hola');
  const notice = await waitFor(() => sendsTo(c.phone).find(isButtons), 60_000, `the notice for ${c.phone}`);
  const accept = (notice.body as { interactive: { action: { buttons: { reply: { id: string; title: string } }[] } } })
    .interactive.action.buttons[0];
  if (!accept) throw new Error('the notice has no buttons');
  await say(c, { kind: 'button_reply', id: accept.reply.id, title: accept.reply.title, messageId: 'wamid.notice' });
});
await waitFor(
  () =>
    customers.every((c) =>
      sendsTo(c.phone).some((r) => (r.body as { interactive?: { type: string } }).interactive?.type === 'list'),
    ),
  120_000,
  'every menu',
);

// From here on every send must answer one of the messages below: its
// `biz_opaque_callback_data` is `helpline:` and the outbound job id, `<message id>-<purpose>`.
const onboardingSends = system.graph.messageRequests().length;
const callbackOf = (r: RecordedGraphRequest) =>
  (r.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data?.replace(/^helpline:/, '');
const isReadReceipt = (r: RecordedGraphRequest) => (r.body as { status?: string }).status === 'read';

// The chaos, one event after another while the messages flow.
const chaos = (async () => {
  const kill = async (name: ServiceName) => {
    await system.processes.get(name)?.stop('SIGKILL');
    log(`killed ${name} (SIGKILL)`);
    await system.restart(name);
    log(`restarted ${name}`);
  };
  for (const name of ['gateway', 'classifier', 'tickets', 'network', 'accounts', 'desk'] as const) {
    await sleep(4_000);
    await kill(name);
  }
  await sleep(4_000);
  await system.redis.restart();
  log('restarted redis');
  await sleep(2_000);
  await system.postgres.restart();
  log('restarted postgres');
  await sleep(2_000);
  system.zoho.setMode('outage');
  log('zoho down');
  await sleep(30_000);
  system.zoho.setMode('normal');
  log('zoho back');
})();

type Kind = 'greeting' | 'ticket' | 'connectivity' | 'accounts';
const TEXTS: Record<Kind, (ci: number) => string> = {
  greeting: () => 'hola, buenas tardes',
  ticket: (ci) => `el POS no funciona en la tienda ${ci}`,
  connectivity: () => 'no tengo internet desde ayer',
  // A command the accounts service answers (public information: no identity asked).
  accounts: () => 'puntos de pago',
};
// Per customer: one ticket message in five, one connectivity complaint (the network
// diagnoses once per customer per cooldown), greetings for the rest. Round by round across
// the customers, so each customer's messages spread over the whole run.
const messages = Array.from({ length: PER_CUSTOMER }, (_, i) =>
  customers.map((c, ci) => {
    const kind: Kind = i % 5 === 0 ? 'ticket' : i === 3 ? 'connectivity' : i === 2 ? 'accounts' : 'greeting';
    return { customer: c, kind, text: TEXTS[kind](ci) };
  }),
).flat();
const sent: { wamid: string; kind: Kind; lineDown: boolean }[] = [];
const started = Date.now();
const spacingMs = (SEND_SECONDS * 1000) / messages.length;
log(`sending ${messages.length} messages over ${SEND_SECONDS} s`);
let index = 0;
await inParallel(messages, async (m) => {
  // Paced: message n leaves no earlier than n * spacing after the start.
  const due = started + index++ * spacingMs;
  if (due > Date.now()) await sleep(due - Date.now());
  const wamid = await say(m.customer, m.text);
  if (wamid) sent.push({ wamid, kind: m.kind, lineDown: m.customer.lineDown });
});
log(`sent in ${Math.round((Date.now() - started) / 1000)} s; waiting for the chaos to end and the queues to drain`);
await chaos;

// What each acknowledged message must have received, by callback data.
const expected = new Set<string>();
for (const { wamid, kind, lineDown } of sent) {
  // The accounts service answers its requests itself (purpose payment_points), no acknowledgement.
  expected.add(kind === 'accounts' ? `${wamid}-payment_points` : `${wamid}-ack`);
  if (kind === 'ticket') expected.add(`${wamid}-ticket`);
  if (kind === 'connectivity') expected.add(`${wamid}-diagnosis`);
  // A diagnosis that finds the line down opens a ticket of its own (key `diagnosis-<id>`),
  // whose notice is `<id>-ticket` too; a healthy line opens none.
  if (kind === 'connectivity' && lineDown) expected.add(`${wamid}-ticket`);
}
const replies = () =>
  system.graph
    .messageRequests()
    .slice(onboardingSends)
    .filter((r) => !isReadReceipt(r));
const countByCallback = () => {
  const counts = new Map<string, number>();
  for (const r of replies()) {
    const key = callbackOf(r) ?? '(none)';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
};
await waitFor(
  () => {
    const counts = countByCallback();
    return [...expected].every((key) => counts.has(key)) || undefined;
  },
  300_000,
  'every reply',
).catch((error: Error) => log(error.message));
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

// The archive: every acknowledged message in the desk's PostgreSQL, once. It catches up
// after the chaos (the stream keeps what it has not committed).
const database = new pg.Client({ connectionString: system.databaseUrl });
await database.connect();
const archivedInbound = async () =>
  new Map(
    (
      await database.query<{ message_id: string; n: number }>(
        `SELECT message_id, count(*)::int AS n FROM desk.messages WHERE direction = 'inbound' GROUP BY message_id`,
      )
    ).rows.map((r) => [r.message_id, r.n] as const),
  );
await waitFor(
  async () => {
    const archived = await archivedInbound();
    return sent.every((m) => archived.has(m.wamid)) || undefined;
  },
  120_000,
  'every acknowledged message in the archive',
).catch((error: Error) => log(error.message));
const archived = await archivedInbound();
const archivedOutbound = (
  await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM desk.messages WHERE direction = 'outbound'`)
).rows[0]?.n;
await database.end();

const counts = countByCallback();
const tickets = system.zoho.tickets();
const ticketsByKey = new Map<string, number>();
for (const t of tickets) {
  const key = t.cf.cf_idempotency_key ?? t.id;
  ticketsByKey.set(key, (ticketsByKey.get(key) ?? 0) + 1);
}
const ticketSent = sent.filter((m) => m.kind === 'ticket');
const connectivitySent = sent.filter((m) => m.kind === 'connectivity');
const accountsSent = sent.filter((m) => m.kind === 'accounts');
const faulty = connectivitySent.filter((m) => m.lineDown);
const missing = [...expected].filter((key) => !counts.has(key));
const duplicated = [...counts].filter(([key, n]) => expected.has(key) && n > 1);
const unexpected = [...counts].filter(([key]) => !expected.has(key));
const report = {
  messages: messages.length,
  acknowledgedWith200: sent.length,
  webhookRefusalsRetried: refusals,
  byKind: {
    greeting: sent.length - ticketSent.length - connectivitySent.length - accountsSent.length,
    ticket: ticketSent.length,
    connectivity: connectivitySent.length,
    accounts: accountsSent.length,
  },
  expectedReplies: expected.size,
  missingReplies: missing.length,
  duplicateReplies: duplicated.reduce((n, [, c]) => n + c - 1, 0),
  unexpectedReplies: unexpected.reduce((n, [, c]) => n + c, 0),
  ticketMessages: ticketSent.length,
  ticketsForTicketMessages: ticketSent.filter((m) => ticketsByKey.has(`ticket-${m.wamid}`)).length,
  connectivityOnDownLines: faulty.length,
  ticketsForDownLines: faulty.filter((m) => ticketsByKey.has(`diagnosis-${m.wamid}`)).length,
  ticketsForHealthyLines: connectivitySent.filter((m) => !m.lineDown && ticketsByKey.has(`diagnosis-${m.wamid}`))
    .length,
  tickets: tickets.length,
  correlationIdsWithTwoTickets: [...ticketsByKey.values()].filter((n) => n > 1).length,
  failedJobs: failed,
  archive: {
    acknowledgedArchived: sent.filter((m) => archived.has(m.wamid)).length,
    acknowledgedMissing: sent.filter((m) => !archived.has(m.wamid)).length,
    duplicated: [...archived.values()].filter((n) => n > 1).length,
    outboundArchived: archivedOutbound,
  },
  // The first replies that are off, to start an investigation from.
  offExamples: {
    missing: missing.slice(0, 5),
    // With the seconds (as in the log lines) at which each copy reached the Graph API.
    duplicated: duplicated.slice(0, 5).map(([key]) => ({
      key,
      sentAt: replies()
        .filter((r) => callbackOf(r) === key)
        .map((r) => secondsIn(r.at.getTime())),
    })),
    unexpected: unexpected.slice(0, 5),
  },
  seconds: Math.round((Date.now() - started) / 1000),
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
await system.stop();
const ok =
  report.acknowledgedWith200 === report.messages &&
  report.missingReplies === 0 &&
  report.duplicateReplies === 0 &&
  report.unexpectedReplies === 0 &&
  report.ticketsForTicketMessages === report.ticketMessages &&
  report.ticketsForDownLines === report.connectivityOnDownLines &&
  report.ticketsForHealthyLines === 0 &&
  report.tickets === report.ticketsForTicketMessages + report.ticketsForDownLines &&
  report.correlationIdsWithTwoTickets === 0 &&
  report.archive.acknowledgedMissing === 0 &&
  report.archive.duplicated === 0 &&
  Object.values(failed).every((n) => n === 0);
process.exit(ok ? 0 : 1);
