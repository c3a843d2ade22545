import { setTimeout as sleep } from 'node:timers/promises';
import { conversationStreamKey, noticeOptOutKey } from '@helpline/contracts';
import { startTestPostgres, startTestRedis, type TestPostgres, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BillingProvider } from '../src/billing/billing-provider.js';
import { noticeIdOf, queueNotice } from '../src/notices/notice-message.js';
import { runNotices } from '../src/notices/run-notices.js';
import { quietLogger } from './support/logger.js';
import { API_TOKEN, bodyOf, consent, settle, startWorld, text, type World } from './support/world.js';

// The day's notices end to end on the built-in store: the accounts service chooses and
// queues them (PostgreSQL ledger), the real gateway's outbound worker checks opt-out and
// consent at send time and sends through the fake Graph API.

const DAY = '2026-03-31';
const NORA = '573009000001'; // due reminder (April 3, three days later)
const NED = '573009000002'; // overdue since March 20
const NINA = '573009000003'; // past her cut-off date; never consented
const NOEL = '573009000004'; // due reminder, paid while the run goes

let redis: TestRedis;
let postgres: TestPostgres;
let world: World;

async function customer(id: string, name: string, phone: string, cutoff: string | null = null) {
  await world.accounts.db.query(
    `INSERT INTO customers (customer_id, name, phones, phone_keys, status, cutoff_date)
     VALUES ($1, $2, $3, $4, 'active', $5::date)`,
    [id, name, [`+${phone.slice(0, 2)} ${phone.slice(2)}`], [phone.slice(-10)], cutoff],
  );
}
async function invoice(id: string, customerId: string, dueOn: string, total = 50_000_00) {
  await world.accounts.db.query(
    `INSERT INTO invoices (invoice_id, customer_id, number, due_on, total_minor, state)
     VALUES ($1, $2, $3, $4::date, $5, 'pending')`,
    [id, customerId, id.replace('NF-', '9'), dueOn, total],
  );
}
const run = (body: Record<string, unknown>, url = '/api/notices/run') =>
  world.accountsApp.inject({ method: 'POST', url, headers: { authorization: `Bearer ${API_TOKEN}` }, payload: body });

async function skippedEvents(): Promise<Array<{ chatId: string; reason: string; notice: { purpose: string } }>> {
  const entries = await world.gateway.redis('producer').xrange(conversationStreamKey(world.gateway.prefix), '-', '+');
  return entries
    .map(([, fields]) => JSON.parse(fields[1] as string))
    .filter((e: { type: string }) => e.type === 'notice_skipped');
}
const noticesTo = (messages: Awaited<ReturnType<typeof settle>>) =>
  messages.filter((m) => m.interactive?.action.buttons?.some((b) => b.reply.id === 'acct.notices_opt_out'));

beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
  world = await startWorld(redis, postgres, { NOTICE_DAYS_BEFORE_DUE: '3' });
  await customer('N-1', 'Nora Díaz', NORA);
  await customer('N-2', 'Ned Ruiz', NED);
  await customer('N-3', 'Nina Paz', NINA, '2026-03-25');
  await customer('N-4', 'Noel Gil', NOEL);
  await invoice('NF-1', 'N-1', '2026-04-03');
  await invoice('NF-2', 'N-2', '2026-03-20', 72_000_00);
  await invoice('NF-3', 'N-3', '2026-03-15');
  await invoice('NF-4', 'N-4', '2026-04-03');
  for (const chat of [NORA, NED, NOEL]) await consent(world, chat);
}, 120_000);
afterAll(async () => {
  await world?.stop();
  await postgres?.stop();
  await redis?.stop();
});

describe('the day’s notices', () => {
  test('dry run: answers who would get what, in their words, and sends and records nothing', async () => {
    const before = world.graph.messageRequests().length;
    const res = await run({ dry_run: true, date: DAY });
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    const got = answer.notices.map((n: { kind: string; customer_id: string; outcome: string }) => [
      n.kind,
      n.customer_id,
      n.outcome,
    ]);
    expect(got).toEqual(
      expect.arrayContaining([
        ['due_reminder', 'N-1', 'would_send'],
        ['overdue', 'N-2', 'would_send'],
        ['cut_off', 'N-3', 'would_send'],
        ['due_reminder', 'N-4', 'would_send'],
      ]),
    );
    const nora = answer.notices.find((n: { customer_id: string }) => n.customer_id === 'N-1');
    expect(nora.chat_id).toBe(NORA);
    expect(nora.values).toMatchObject({ customer_name: 'Nora', due_date: '03/04/2026', invoice_number: '91' });
    expect(nora.text).toContain('03/04/2026');
    await sleep(200);
    expect(world.graph.messageRequests().length).toBe(before);
    expect((await world.accounts.db.query('SELECT 1 FROM notices')).rowCount).toBe(0);
  });

  test('refuses a body it does not understand, naming the field', async () => {
    const res = await run({ dry_run: 'yes', date: '31/03/2026' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/dry_run|date/);
    const unauth = await world.accountsApp.inject({ method: 'POST', url: '/api/notices/run', payload: {} });
    expect(unauth.statusCode).toBe(401);
  });

  test('paid in the meantime: not sent', async () => {
    const { notices, producers, texts, db } = world.accounts;
    // The back-office lists the invoice as pending, then Noel pays before his notice is queued.
    const billing: BillingProvider = {
      ...world.accounts.billing,
      async pendingInvoicesDue(range) {
        const listed = await world.accounts.billing.pendingInvoicesDue(range);
        await db.query(`UPDATE invoices SET state = 'paid', paid_on = '2026-03-31' WHERE invoice_id = 'NF-4'`);
        return listed;
      },
    };
    const report = await runNotices(
      {
        billing,
        ledger: notices.ledger,
        optOuts: notices.optOuts,
        languages: notices.languages,
        outbound: producers.outbound,
        texts,
        metrics: { notice() {} },
        logger: quietLogger(),
        daysBeforeDue: 3,
        countryCode: '57',
      },
      { date: DAY, trigger: 'manual', kinds: ['due_reminder'] },
    );
    const outcome = (id: string) => report.items.find((i) => i.customerId === id)?.outcome;
    expect(outcome('N-4')).toBe('skipped_paid');
    expect(outcome('N-1')).toBe('queued');
    expect(noticesTo(await settle(world, NOEL))).toHaveLength(0);
    const nora = noticesTo(await settle(world, NORA));
    expect(nora).toHaveLength(1);
    expect(bodyOf(nora[0])).toMatch(/Nora.*9-?1.*03\/04\/2026/s);
  });

  test('the run (the deployment’s /trigger-notifications): each once; no consent, not sent, and said so', async () => {
    const res = await run({ date: DAY }, '/trigger-notifications');
    expect(res.statusCode).toBe(200);
    expect(res.json().counts).toMatchObject({ queued: 2, already_queued: 1 });
    const ned = noticesTo(await settle(world, NED));
    expect(ned).toHaveLength(1);
    expect(bodyOf(ned[0])).toContain('20/03/2026');
    expect(noticesTo(await settle(world, NINA))).toHaveLength(0);
    const skips = await skippedEvents();
    expect(skips).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          chatId: NINA,
          reason: 'no_consent',
          notice: expect.objectContaining({ purpose: 'cut_off' }),
        }),
      ]),
    );
    // Again: nothing new (Noel's paid invoice is no longer listed at all).
    const again = await run({ date: DAY });
    expect(again.json().counts).toEqual({ already_queued: 3 });
    expect(noticesTo(await settle(world, NED))).toHaveLength(1);
    expect(noticesTo(await settle(world, NORA))).toHaveLength(1);
    const metrics = await world.accounts.metrics.registry.metrics();
    expect(metrics).toMatch(/helpline_notices_last_run_timestamp_seconds(\{[^}]*\})? \d{10}/);
  });

  test('a restart mid-run sends nothing twice and loses nothing', async () => {
    await invoice('NF-5', 'N-1', '2026-04-03', 10_000_00);
    await invoice('NF-6', 'N-2', '2026-04-03', 20_000_00);
    const { ledger } = world.accounts.notices;
    // NF-5: the run died after claiming, before queueing. NF-6: after queueing, before recording it.
    const k5 = { customerId: 'N-1', invoiceId: 'NF-5', kind: 'due_reminder' as const, chatId: NORA };
    const k6 = { customerId: 'N-2', invoiceId: 'NF-6', kind: 'due_reminder' as const, chatId: NED };
    await ledger.claim(k5, noticeIdOf(k5), DAY);
    await ledger.claim(k6, noticeIdOf(k6), DAY);
    await queueNotice(
      world.accounts.producers.outbound,
      {
        purpose: 'due_reminder',
        noticeId: noticeIdOf(k6),
        chatId: NED,
        customerId: 'N-2',
        language: 'es',
        values: { customer_name: 'Ned', invoice_number: '96', amount: '$ 20.000', due_date: '03/04/2026' },
      },
      world.accounts.texts.es,
    );
    const nedBefore = noticesTo(await settle(world, NED)).length;
    const noraBefore = noticesTo(await settle(world, NORA)).length;
    const res = await run({ date: DAY });
    expect(res.json().counts.queued).toBe(2);
    expect(noticesTo(await settle(world, NORA)).length).toBe(noraBefore + 1);
    expect(noticesTo(await settle(world, NED)).length).toBe(nedBefore);
    const states = await world.accounts.db.query(`SELECT state FROM notices WHERE invoice_id IN ('NF-5', 'NF-6')`);
    expect(states.rows.map((r) => r.state)).toEqual(['queued', 'queued']);
  });
});

describe('opt-out', () => {
  test('a notice queued before the customer says stop is not sent; the customer is told; start undoes it', async () => {
    const outboundWorker = world.gateway.workers.find((w) => w.name === 'outbound');
    if (!outboundWorker) throw new Error('no outbound worker');
    await invoice('NF-7', 'N-2', '2026-04-03', 30_000_00);
    const before = await settle(world, NED);
    await outboundWorker.pause();
    try {
      const res = await run({ date: DAY, kinds: ['due_reminder'] });
      expect(res.json().counts.queued).toBe(1);
      await text(world, NED, 'No quiero más avisos');
      const deadline = Date.now() + 10_000;
      while (!(await world.accounts.notices.optOuts.isOptedOut(NED))) {
        if (Date.now() > deadline) throw new Error('opt-out not recorded');
        await sleep(25);
      }
    } finally {
      outboundWorker.resume();
    }
    const after = (await settle(world, NED)).slice(before.length);
    expect(noticesTo(after)).toHaveLength(0);
    expect(after.map(bodyOf).join('\n')).toMatch(/no te enviaremos más avisos/);
    expect(await world.gateway.redis('producer').sismember(noticeOptOutKey(world.gateway.prefix), NED)).toBe(1);
    expect((await skippedEvents()).some((e) => e.chatId === NED && e.reason === 'opted_out')).toBe(true);

    await text(world, NED, 'quiero recibir avisos');
    const back = (await settle(world, NED)).slice(-1);
    expect(bodyOf(back[0])).toMatch(/volverás a recibir avisos/);
    expect(await world.accounts.notices.optOuts.isOptedOut(NED)).toBe(false);
    expect(await world.gateway.redis('producer').sismember(noticeOptOutKey(world.gateway.prefix), NED)).toBe(0);
  });

  test('the Redis mirror is rebuilt from PostgreSQL at start', async () => {
    const key = noticeOptOutKey(world.accounts.prefix);
    await world.accounts.notices.optOuts.set(NOEL, true, 'customer');
    const r = world.accounts.redis('producer');
    await r.sadd(key, '570000000000');
    await r.srem(key, NOEL);
    expect(await world.accounts.notices.optOuts.rebuildMirror()).toBe(1);
    expect((await r.smembers(key)).sort()).toEqual([NOEL]);
  });

  test('the restored notice goes once per (customer, invoice)', async () => {
    const { notices } = world.accounts;
    const before = noticesTo(await settle(world, NORA)).length;
    const input = { customerId: 'N-1', invoiceId: 'NF-1', chatId: NORA, language: 'es' as const, customerName: 'Nora' };
    expect(await notices.restored(input)).toBe('queued');
    expect(await notices.restored(input)).toBe('already_queued');
    const after = noticesTo(await settle(world, NORA));
    expect(after.length).toBe(before + 1);
    expect(bodyOf(after.at(-1))).toMatch(/reactivado/);
  });
});
