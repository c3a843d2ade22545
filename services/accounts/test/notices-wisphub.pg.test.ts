import { conversationStreamKey, noticeOptOutKey } from '@helpline/contracts';
import { startTestPostgres, startTestRedis, type TestPostgres, type TestRedis } from '@helpline/testkit';
import { type FakeWisphub, startFakeWisphub, type WisphubClient, type WisphubInvoice } from '@helpline/testkit/wisphub';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseTemplatesFile, type TemplateBook } from '../../gateway/src/templates/templates-file.js';
import type { BillingProvider } from '../src/billing/billing-provider.js';
import { runNotices } from '../src/notices/run-notices.js';
import { quietLogger } from './support/logger.js';
import {
  API_TOKEN,
  bodyOf,
  consent,
  type GraphSend,
  post,
  settle,
  startWorld,
  tap,
  type World,
} from './support/world.js';

// The day's notices end to end on WispHub (the fake, serving the documented invoice list):
// chosen from `GET /api/facturas/?estado=1&fecha_vencimiento__range_0=&_1=`, re-checked
// one by one, queued by the accounts service, sent by the real gateway's outbound worker
// to the fake Graph API: inside the window as text with the stop button, outside it as the
// purpose's template with its parameters. Then the restored notice from a confirmed
// receipt, and the customer pressing "No más avisos".

const DAY = '2026-03-31';
const WANDA = '573009100001'; // due reminder on April 3; her window is closed
const WALTER = '573009100002'; // overdue since March 20; window closed, no `overdue` template
const WILMA = '573009100003'; // suspended, past her cut-off date; window open
const WENDY = '573009100004'; // due reminder, pays while the run goes

// The templates the gateway knows (WHATSAPP_TEMPLATES_FILE), swappable by the test.
const FILE = {
  due_reminder: {
    name: 'recordatorio_vencimiento',
    language: 'es_CO',
    body: ['customer_name', 'invoice_number', 'amount', 'due_date'],
  },
  cut_off: { name: 'servicio_suspendido', language: 'es', body: ['customer_name', 'cutoff_date', 'amount'] },
  restored: { name: 'servicio_reactivado', language: 'es', body: ['customer_name'] },
  reply_window: { name: 'respuesta_pendiente', language: 'es', body: ['text'] },
};
let book = parseTemplatesFile(FILE);
const templates: TemplateBook = {
  get: (purpose) => book.get(purpose),
  contentSidFor: (name, language) => book.contentSidFor(name, language),
  get size() {
    return book.size;
  },
};

let redis: TestRedis;
let postgres: TestPostgres;
let wisphub: FakeWisphub;
let world: World;

function client(id: number, name: string, phone: string, estado: string, corte: string | null): WisphubClient {
  const user = `${name.split(' ')[0]?.toLowerCase()}@fibra`;
  return {
    id_servicio: id,
    usuario: user,
    nombre: name,
    cedula: String(1_000_000 + id),
    telefono: phone.slice(2),
    ip: `100.64.1.${id % 250}`,
    estado,
    saldo: '0.00',
    fecha_corte: corte,
  };
}
function invoice(id: number, owner: WisphubClient, due: string, total = '85000.00', estado = 'Pendiente de Pago') {
  const row: WisphubInvoice = {
    id_factura: id,
    folio: `FV-${id}`,
    fecha_emision: '2026-02-01 08:00',
    fecha_vencimiento: `${due} 23:59`,
    total,
    estado: estado as WisphubInvoice['estado'],
    cliente: { id_servicio: owner.id_servicio, usuario: owner.usuario, nombre: owner.nombre },
  };
  return row;
}

const wanda = client(701, 'Wanda Ríos', WANDA, 'Activo', '2026-04-10');
const walter = client(702, 'Walter Soto', WALTER, 'Activo', '2026-04-05');
const wilma = client(703, 'Wilma Vera', WILMA, 'Suspendido', '2026-03-15');
const wendy = client(704, 'Wendy Mora', WENDY, 'Activo', '2026-04-10');

const staff = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
  world.accountsApp.inject({
    method,
    url,
    headers: { authorization: `Bearer ${API_TOKEN}` },
    ...(payload ? { payload } : {}),
  });
const run = (body: Record<string, unknown>) => staff('POST', '/api/notices/run', body);

const isNotice = (m: GraphSend) =>
  m.interactive?.action.buttons?.some((b) => b.reply.id === 'acct.notices_opt_out') === true || m.type === 'template';
async function newTo(to: string, action: () => Promise<unknown>): Promise<GraphSend[]> {
  const before = (await settle(world, to)).length;
  await action();
  return (await settle(world, to)).slice(before);
}
interface TemplateSend {
  type: 'template';
  template: {
    name: string;
    language: { code: string };
    components?: { type: string; parameters: { type: string; text: string }[] }[];
  };
}
const template = (m: GraphSend | undefined) => (m as unknown as TemplateSend | undefined)?.template;
async function conversationEvents(): Promise<Array<Record<string, unknown>>> {
  const entries = await world.gateway.redis('producer').xrange(conversationStreamKey(world.gateway.prefix), '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1] as string));
}

beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
  wisphub = await startFakeWisphub({ pageSize: 2 });
  wisphub.clients = [wanda, walter, wilma, wendy];
  wisphub.invoices = [
    invoice(9101, wanda, '2026-04-03'),
    invoice(9102, walter, '2026-03-20', '72000.00'),
    invoice(9103, wilma, '2026-03-10', '85000.00'),
    invoice(9104, wendy, '2026-04-03'),
    // Paid, and one due long after the window: neither is a notice.
    invoice(9105, wanda, '2026-03-01', '85000.00', 'Pagada'),
    invoice(9106, walter, '2026-05-30'),
  ];
  world = await startWorld(
    redis,
    postgres,
    {
      BILLING_PROVIDER: 'wisphub',
      WISPHUB_API_URL: wisphub.url,
      WISPHUB_API_KEY: wisphub.apiKey,
      WISPHUB_TIMEOUT_MS: '2000',
      NOTICE_DAYS_BEFORE_DUE: '3',
    },
    {},
    { env: { WHATSAPP_WINDOW_TEMPLATE: 'aviso_general:es' }, templates },
  );
  for (const chat of [WANDA, WALTER, WILMA, WENDY]) await consent(world, chat);
  // Wanda and Walter last wrote more than a day ago: their windows are closed.
  for (const chat of [WANDA, WALTER]) await world.gateway.conversationWindow.forget(chat);
}, 120_000);
afterAll(async () => {
  await world?.stop();
  await wisphub?.close();
  await postgres?.stop();
  await redis?.stop();
});

describe('the day’s notices on WispHub', () => {
  test('due reminders: asked of WispHub the documented way; paid meanwhile, not sent; a closed window gets the template', async () => {
    wisphub.requests.length = 0;
    const { notices, producers, texts } = world.accounts;
    // WispHub lists Wendy's invoice as pending; she pays before her notice is queued.
    const billing: BillingProvider = {
      ...world.accounts.billing,
      async pendingInvoicesDue(range) {
        const listed = await world.accounts.billing.pendingInvoicesDue(range);
        const paid = wisphub.invoices.find((f) => f.id_factura === 9104);
        if (paid) paid.estado = 'Pagada';
        return listed;
      },
    };
    const sent = await newTo(WANDA, async () => {
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
      const outcomes = report.items.map((i) => [i.customerId, i.invoiceId, i.outcome]);
      expect(outcomes.sort()).toEqual([
        ['701', '9101', 'queued'],
        ['704', '9104', 'skipped_paid'],
      ]);
    });

    // The list: every client's pending invoices in the due-date window, paged, no `cliente`.
    const lists = wisphub.requests.filter((r) => r.path === '/api/facturas/');
    expect(lists[0]?.query).toEqual({
      estado: '1',
      fecha_vencimiento__range_0: '2025-12-01',
      fecha_vencimiento__range_1: '2026-04-03',
      limit: expect.stringMatching(/^\d+$/),
    });
    expect(lists.every((r) => r.query.cliente === undefined && r.authorization === `Api-Key ${wisphub.apiKey}`)).toBe(
      true,
    );
    // Each client once, by id_servicio; each invoice re-checked by its id just before queueing.
    const clientLookups = wisphub.requests.filter((r) => r.path === '/api/clientes/').map((r) => r.query.id_servicio);
    expect(new Set(clientLookups).size).toBe(clientLookups.length);
    const rechecks = wisphub.requests.filter((r) => /^\/api\/facturas\/\d+\/$/.test(r.path)).map((r) => r.path);
    expect(rechecks.sort()).toEqual(['/api/facturas/9101/', '/api/facturas/9104/']);

    // Wanda's window is closed: Meta receives the purpose's template, its parameters in the file's order.
    expect(sent.filter(isNotice)).toHaveLength(1);
    expect(sent[0]?.type).toBe('template');
    expect(template(sent[0])).toEqual({
      name: 'recordatorio_vencimiento',
      language: { code: 'es_CO' },
      components: [
        {
          type: 'body',
          parameters: ['Wanda', 'FV-9101', '$ 85.000', '03/04/2026'].map((text) => ({ type: 'text', text })),
        },
      ],
    });
    expect((await settle(world, WENDY)).filter(isNotice)).toHaveLength(0);
  });

  test('WispHub ignoring the list filters changes nothing: every row is re-checked', async () => {
    const plain = (await run({ date: DAY, dry_run: true })).json();
    wisphub.faults = { ignoreFilters: true };
    try {
      const unfiltered = (await run({ date: DAY, dry_run: true })).json();
      expect(unfiltered.notices).toEqual(plain.notices);
      expect(plain.notices.map((n: { invoice_id: string }) => n.invoice_id).sort()).toEqual(['9101', '9102', '9103']);
    } finally {
      wisphub.faults = {};
    }
  });

  test('overdue and cut-off: once each; no template for the purpose falls back to reply_window with the text', async () => {
    const walterBefore = (await settle(world, WALTER)).length;
    const wilmaBefore = (await settle(world, WILMA)).length;
    const res = await run({ date: DAY });
    expect(res.statusCode).toBe(200);
    const got = res
      .json()
      .notices.map((n: { kind: string; customer_id: string; outcome: string }) => [n.kind, n.customer_id, n.outcome]);
    expect(got.sort()).toEqual([
      ['cut_off', '703', 'queued'],
      ['due_reminder', '701', 'already_queued'],
      ['overdue', '702', 'queued'],
    ]);
    const walterGot = (await settle(world, WALTER)).slice(walterBefore);
    expect(walterGot).toHaveLength(1);
    expect(template(walterGot[0])).toEqual({
      name: 'respuesta_pendiente',
      language: { code: 'es' },
      components: [
        {
          type: 'body',
          parameters: [
            {
              type: 'text',
              text: 'Hola Walter, tu factura FV-9102 por $ 72.000 venció el 20/03/2026 y sigue pendiente. Paga pronto para evitar la suspensión del servicio; si ya pagaste, envíanos el comprobante por este chat.',
            },
          ],
        },
      ],
    });
    // Wilma's window is open: the text itself, with the stop button.
    const wilmaGot = (await settle(world, WILMA)).slice(wilmaBefore);
    expect(wilmaGot).toHaveLength(1);
    expect(wilmaGot[0]?.type).toBe('interactive');
    expect(bodyOf(wilmaGot[0])).toMatch(/Wilma.*15\/03\/2026/s);
    expect(wilmaGot[0]?.interactive?.action.buttons?.map((b) => b.reply)).toEqual([
      { id: 'acct.notices_opt_out', title: 'No más avisos' },
    ]);

    // Run again: WispHub lists the same invoices, nothing goes twice.
    const again = await run({ date: DAY });
    expect(again.json().counts).toEqual({ already_queued: 3 });
    expect((await settle(world, WALTER)).length).toBe(walterBefore + 1);
    expect((await settle(world, WILMA)).length).toBe(wilmaBefore + 1);
  });

  test('with no template for the purpose nor reply_window, the last resort WHATSAPP_WINDOW_TEMPLATE goes, bare', async () => {
    wisphub.invoices.push(invoice(9107, wanda, '2026-04-03', '10000.00'));
    book = parseTemplatesFile({});
    try {
      const sent = await newTo(WANDA, () => run({ date: DAY, kinds: ['due_reminder'] }));
      expect(sent).toHaveLength(1);
      expect(template(sent[0])).toEqual({ name: 'aviso_general', language: { code: 'es' } });
    } finally {
      book = parseTemplatesFile(FILE);
    }
  });
});

describe('the restored notice on WispHub', () => {
  test('a confirmed receipt that reactivates the service tells the customer once, however often it is confirmed', async () => {
    world.media.media.set('wilma-1', { bytes: Buffer.from('%PDF-1.4 receipt of wilma'), mimeType: 'application/pdf' });
    const [ack] = await newTo(WILMA, () =>
      post(world, WILMA, {
        type: 'document',
        document: { id: 'wilma-1', mime_type: 'application/pdf', filename: 'pago.pdf', caption: 'comprobante' },
      }),
    );
    const number = /n\.º (\d+)/.exec(bodyOf(ack))?.[1];
    expect(number).toBeDefined();
    const confirm = { amount: '85000', method: 'Transferencia', reference: 'NEQUI-3312' };
    const sent = await newTo(WILMA, async () => {
      // Two operators (or a double click) at once: one registers the payment.
      const both = await Promise.all([
        staff('POST', `/api/receipts/${number}/confirm`, confirm),
        staff('POST', `/api/receipts/${number}/confirm`, confirm),
      ]);
      const winner = both.find((r) => r.statusCode === 200 && r.json().replayed === false);
      expect(winner?.json().receipt.result).toMatchObject({ invoice_id: '9103', reactivated: true });
      expect(both.every((r) => r.statusCode === 200 || r.statusCode === 409)).toBe(true);
      const again = await staff('POST', `/api/receipts/${number}/confirm`, confirm);
      expect(again.json()).toMatchObject({ replayed: true });
    });
    expect(wisphub.payments).toEqual([expect.objectContaining({ id_factura: 9103, accion: '1' })]);
    expect(wilma.estado).toBe('Activo');
    const restored = sent.filter(isNotice);
    expect(restored).toHaveLength(1);
    expect(bodyOf(restored[0])).toBe(
      'Hola Wilma, registramos tu pago y tu servicio de internet ya está reactivado. ¡Gracias!',
    );
    expect(sent.map(bodyOf).filter((b) => b.startsWith('Confirmamos tu pago'))).toHaveLength(1);
    const ledger = await world.accounts.db.query(
      `SELECT invoice_id, state FROM notices WHERE kind = 'restored' AND customer_id = '703'`,
    );
    expect(ledger.rows).toEqual([{ invoice_id: '9103', state: 'queued' }]);
    // Staff confirming again later (a retry) still sends nothing more.
    const later = await newTo(WILMA, () => staff('POST', `/api/receipts/${number}/confirm`, confirm));
    expect(later).toHaveLength(0);
  });
});

describe('the "No más avisos" button', () => {
  test('pressed on a notice: opted out in PostgreSQL and the Redis mirror; the next notice is held back and said so', async () => {
    const answer = await newTo(WILMA, () => tap(world, WILMA, 'button_reply', 'acct.notices_opt_out', 'No más avisos'));
    expect(answer.map(bodyOf).join('\n')).toMatch(/no te enviaremos más avisos/);
    const row = await world.accounts.db.query('SELECT opted_out, source FROM notice_opt_outs WHERE chat_id = $1', [
      WILMA,
    ]);
    expect(row.rows).toEqual([{ opted_out: true, source: 'customer' }]);
    expect(await world.gateway.redis('producer').sismember(noticeOptOutKey(world.gateway.prefix), WILMA)).toBe(1);

    // Her next invoice falls due: the accounts service queues the reminder, the gateway holds it back.
    wisphub.invoices.push(invoice(9108, wilma, '2026-04-03', '85000.00'));
    const sent = await newTo(WILMA, async () => {
      const res = await run({ date: DAY, kinds: ['due_reminder'] });
      expect(res.json().notices).toEqual(
        expect.arrayContaining([expect.objectContaining({ customer_id: '703', invoice_id: '9108' })]),
      );
    });
    expect(sent).toHaveLength(0);
    const skipped = (await conversationEvents()).filter((e) => e.type === 'notice_skipped' && e.chatId === WILMA);
    expect(skipped).toEqual([
      expect.objectContaining({
        reason: 'opted_out',
        notice: expect.objectContaining({ purpose: 'due_reminder' }),
      }),
    ]);
  });
});

describe('an account with several phones', () => {
  test('each phone that consented gets the notice, and the restored notice, once; one that never consented gets nothing, recorded', async () => {
    const [first, second, never] = ['573009100005', '573009100006', '573009100007'];
    // Suspended (for the restore below); his invoice is not yet due, so a due reminder only.
    const xavier = client(705, 'Xavier Luna', '57', 'Suspendido', '2026-04-10');
    // As WispHub stores them: several numbers, written several ways, one of them twice.
    xavier.telefono = '3009100005, +57 300 910 0006, 3009100007, 573009100005';
    wisphub.clients.push(xavier);
    wisphub.invoices.push(invoice(9109, xavier, '2026-04-03', '55000.00'));
    for (const chat of [first, second] as string[]) await consent(world, chat);

    const befores = await Promise.all(
      [first, second, never].map(async (c) => (await settle(world, c as string)).length),
    );
    const res = await run({ date: DAY, kinds: ['due_reminder'] });
    const mine = res
      .json()
      .notices.filter((n: { customer_id: string }) => n.customer_id === '705')
      .map((n: { chat_id: string; outcome: string }) => [n.chat_id, n.outcome]);
    expect(mine).toEqual([
      [first, 'queued'],
      [second, 'queued'],
      [never, 'queued'],
    ]);
    for (const [i, chat] of ([first, second] as string[]).entries()) {
      const got = (await settle(world, chat)).slice(befores[i]).filter(isNotice);
      expect(got).toHaveLength(1);
      expect(bodyOf(got[0])).toMatch(/Xavier.*FV-9109.*\$ 55\.000/s);
    }
    expect((await settle(world, never as string)).length).toBe(befores[2]);
    const skipped = (await conversationEvents()).filter((e) => e.type === 'notice_skipped' && e.chatId === never);
    expect(skipped).toEqual([expect.objectContaining({ reason: 'no_consent' })]);
    // Each phone's notice has its own id (and job): three rows, three ids.
    const rows = await world.accounts.db.query(
      `SELECT chat_id, notice_id FROM notices WHERE customer_id = '705' ORDER BY chat_id`,
    );
    expect(rows.rows.map((r) => r.chat_id)).toEqual([first, second, never]);
    expect(new Set(rows.rows.map((r) => r.notice_id)).size).toBe(3);

    // Again: nothing new to anyone.
    const again = await run({ date: DAY, kinds: ['due_reminder'] });
    expect(
      again
        .json()
        .notices.filter((n: { customer_id: string }) => n.customer_id === '705')
        .map((n: { outcome: string }) => n.outcome),
    ).toEqual(['already_queued', 'already_queued', 'already_queued']);
    for (const [i, chat] of ([first, second] as string[]).entries()) {
      expect((await settle(world, chat)).slice(befores[i]).filter(isNotice)).toHaveLength(1);
    }

    // He pays from his second phone: the restored notice reaches both phones that consented, once.
    world.media.media.set('xavier-1', {
      bytes: Buffer.from('%PDF-1.4 receipt of xavier'),
      mimeType: 'application/pdf',
    });
    const [ack] = await newTo(second as string, () =>
      post(world, second as string, {
        type: 'document',
        document: { id: 'xavier-1', mime_type: 'application/pdf', filename: 'pago.pdf', caption: 'pago' },
      }),
    );
    const number = /n\.º (\d+)/.exec(bodyOf(ack))?.[1];
    const counts = await Promise.all([first, second].map(async (c) => (await settle(world, c as string)).length));
    const pay = { amount: '55000', method: 'Efectivo', reference: 'CAJA-77' };
    expect((await staff('POST', `/api/receipts/${number}/confirm`, pay)).json().receipt.result).toMatchObject({
      invoice_id: '9109',
      reactivated: true,
    });
    expect((await staff('POST', `/api/receipts/${number}/confirm`, pay)).json()).toMatchObject({ replayed: true });
    for (const [i, chat] of ([first, second] as string[]).entries()) {
      const restored = (await settle(world, chat))
        .slice(counts[i])
        .filter((m) => isNotice(m) && /reactivado/.test(bodyOf(m)));
      expect(restored).toHaveLength(1);
    }
    const ledger = await world.accounts.db.query(
      `SELECT chat_id FROM notices WHERE kind = 'restored' AND customer_id = '705' ORDER BY chat_id`,
    );
    expect(ledger.rows.map((r) => r.chat_id)).toEqual([first, second, never]);
  });
});
