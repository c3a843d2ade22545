import { accountReplyId, jobIds, TicketRequest } from '@helpline/contracts';
import { metricValue } from '@helpline/testkit';
import { beforeAll, describe, expect, test } from 'vitest';
import { createReceiptDecisions } from '../src/receipts/receipt-decisions.js';
import { ANA, SHARED, STRANGER, seed } from './support/seed.js';
import {
  API_TOKEN,
  bodyOf,
  consent,
  post,
  rowsOf,
  said as saidTo,
  settle,
  tap,
  text,
  type World,
  worldPerFile,
} from './support/world.js';

// Every conversation end to end on the built-in store: a signed webhook into the real
// gateway, the accounts queue, the accounts worker on real PostgreSQL, the outbound worker,
// and what reached the fake Graph API.

let world: World;
worldPerFile({
  ready: async (started) => {
    world = started;
    await seed(world.accounts.db);
  },
});

const staff = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  world.accountsApp.inject({
    method,
    url,
    headers: { authorization: `Bearer ${API_TOKEN}` },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });

const said = (to: string, action: () => Promise<void>) => saidTo(world, to, action);

describe('a customer known by phone (built-in store)', () => {
  beforeAll(async () => {
    await consent(world, ANA);
  });

  test('deuda: balance, what it is made of, the cut-off date and how to pay, in Colombian pesos', async () => {
    const [answer, ...rest] = await said(ANA, () => text(world, ANA, 'deuda'));
    expect(rest).toEqual([]);
    const body = bodyOf(answer);
    expect(body).toContain('Ana, tu saldo pendiente es $ 85.000.');
    expect(body).toMatch(/Factura 1001: \$ 85\.000, vence el \d\d\/\d\d\/\d{4}/);
    expect(body).toMatch(/Fecha de corte del servicio: \d\d\/\d\d\/\d{4}/);
    expect(body).toContain('puntos de pago');
    expect(body).not.toMatch(/85000|\.00\b/);
  });

  test('facturas: the list; choosing one sends the statement PDF uploaded to Meta, by media id', async () => {
    const [list] = await said(ANA, () => text(world, ANA, 'facturas'));
    const rows = rowsOf(list);
    expect(rows.map((r) => r.title)).toEqual(['Factura 1001', 'Factura 0991']);
    expect(rows[0]?.description).toMatch(/^\$ 85\.000 · vence .* · pendiente$/);
    expect(rows[1]?.description).toMatch(/^\$ 60\.000 · pagada/);

    const [document, ...rest] = await said(ANA, () =>
      tap(world, ANA, 'list_reply', rows[0]?.id as string, 'Factura 1001'),
    );
    expect(rest).toEqual([]);
    expect(document?.type).toBe('document');
    expect(document?.document?.caption).toMatch(/No es la factura electrónica legal/);
    const upload = world.graph.uploads().at(-1);
    expect(document?.document?.id).toBe(upload?.id);
    expect(upload?.type).toBe('application/pdf');
    expect(upload?.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(document?.document?.filename).toBe('estado-de-cuenta-1001.pdf');
  });

  test('a forged row for another customer’s invoice reveals nothing', async () => {
    const forged = accountReplyId({ kind: 'invoice_document', customerId: 'C-300', invoiceId: 'F-5' });
    const answers = await said(ANA, () => tap(world, ANA, 'list_reply', forged, 'Factura 3001'));
    expect(answers.map((a) => a.type)).toEqual(['text']);
    expect(bodyOf(answers[0])).toMatch(/número de documento/);
    expect(JSON.stringify(answers)).not.toContain('45.500');
  });

  test('a shared location: the three nearest payment points as location messages, nearest first', async () => {
    const answers = await said(ANA, () =>
      post(world, ANA, { type: 'location', location: { latitude: 4.6486, longitude: -74.0628 } }),
    );
    expect(answers.map((a) => a.type)).toEqual(['text', 'location', 'location', 'location']);
    expect(answers.slice(1).map((a) => a.location?.name)).toEqual([
      'Tienda Chapinero',
      'Droguería Norte',
      'Caja Centro',
    ]);
    expect(answers[1]?.location).toMatchObject({ latitude: 4.6454, longitude: -74.0637 });
  });

  test('puntos de pago without a location: the list for the customer’s city', async () => {
    const [answer] = await said(ANA, () => text(world, ANA, 'puntos de pago'));
    const body = bodyOf(answer);
    expect(body).toContain('Puntos de pago en Bogotá:');
    expect(body).toContain('Caja Centro: Cra 7 # 12-30 (L-V 8:00-18:00) · efectivo, tarjeta');
    expect(body).not.toContain('Poblado');
  });

  test('Mejorar mi plan: the catalogue, current marked; choosing one opens a sales ticket', async () => {
    const [list] = await said(ANA, () => tap(world, ANA, 'list_reply', 'menu.improve_plan', 'Mejorar mi plan'));
    expect(bodyOf(list)).toContain('Tu plan actual es Hogar 10');
    const rows = rowsOf(list);
    expect(rows.map((r) => r.title)).toEqual(['Hogar 10 (actual)', 'Hogar 20', 'Fibra 50']);
    expect(rows[2]?.description).toBe('$ 120.000 · ↓50 Mbps ↑10 Mbps');

    const [done] = await said(ANA, () => tap(world, ANA, 'list_reply', rows[2]?.id as string, 'Fibra 50'));
    expect(bodyOf(done)).toContain('de Hogar 10 a Fibra 50');
    const [job] = await world.accounts.producers.tickets.queue.getJobs(['waiting']);
    const ticket = TicketRequest.parse(job?.data);
    expect(ticket).toMatchObject({ category: 'sales', contact: { phone: ANA, customerId: 'C-100' } });
    expect(ticket.description).toContain('Plan actual: Hogar 10');
    expect(ticket.description).toContain('Plan pedido: Fibra 50 ($ 120.000)');
  });

  test('password change: WiFi or account, then an account ticket; nothing typed is echoed', async () => {
    const [choose] = await said(ANA, () => tap(world, ANA, 'list_reply', 'menu.change_password', 'Cambiar contraseña'));
    const buttons = choose?.interactive?.action.buttons?.map((b) => b.reply.id);
    expect(buttons).toEqual(['acct.password.wifi', 'acct.password.account']);
    const [done] = await said(ANA, () => tap(world, ANA, 'button_reply', 'acct.password.wifi', 'WiFi'));
    expect(bodyOf(done)).toContain('tu red WiFi');
    const tickets = await world.accounts.producers.tickets.queue.getJobs(['waiting']);
    const ticket = tickets.map((j) => TicketRequest.parse(j.data)).find((t) => t.category === 'account');
    expect(ticket?.subject).toBe('Cambio de contraseña (WiFi)');
  });

  test('billing menu row: a list of debt, invoices and payment points', async () => {
    const [menu] = await said(ANA, () => tap(world, ANA, 'list_reply', 'menu.billing', 'Facturación'));
    expect(rowsOf(menu).map((r) => r.id)).toEqual(['acct.debt', 'acct.invoices', 'acct.payment_points']);
  });
});

describe('several accounts on one phone', () => {
  test('asks which one, never picks the first; the chosen one answers, with no float artefacts', async () => {
    await consent(world, SHARED);
    const [list] = await said(SHARED, () => text(world, SHARED, 'deuda'));
    const rows = rowsOf(list);
    expect(bodyOf(list)).toMatch(/varias cuentas/);
    expect(rows.map((r) => r.title)).toEqual(['Luis Gómez', 'Luisa Gómez']);
    const [debt] = await said(SHARED, () => tap(world, SHARED, 'list_reply', rows[0]?.id as string, 'Luis Gómez'));
    expect(bodyOf(debt)).toContain('Luis, tu saldo pendiente es $ 0,40.');
    expect(bodyOf(debt)).toContain('Tu servicio está suspendido');
  });
});

describe('a phone on no account', () => {
  test('asks for the document number; letters and a wrong number are refused; the right one resumes the request', async () => {
    await consent(world, STRANGER);
    const [ask] = await said(STRANGER, () => text(world, STRANGER, 'deuda'));
    expect(bodyOf(ask)).toMatch(/número de documento del titular/);
    const [letters] = await said(STRANGER, () => text(world, STRANGER, 'CC79A11222'));
    expect(bodyOf(letters)).toMatch(/solo con números.*te quedan 2 intentos/);
    const [wrong] = await said(STRANGER, () => text(world, STRANGER, '12345678'));
    expect(bodyOf(wrong)).toMatch(/te quedan 1 intentos/);
    const answers = await said(STRANGER, () => text(world, STRANGER, '79.111.222'));
    expect(answers.map(bodyOf)).toEqual([
      'Gracias, Pedro: confirmamos tu cuenta.',
      expect.stringContaining('Pedro, tu saldo pendiente es $ 45.500,50.'),
    ]);
    // The proof holds for the conversation: the next request needs no document.
    const [invoices] = await said(STRANGER, () => text(world, STRANGER, 'facturas'));
    expect(rowsOf(invoices).map((r) => r.title)).toEqual(['Factura 3001']);
    const metrics = await world.accounts.metrics.registry.metrics();
    expect(metricValue(metrics, 'helpline_account_requests_total', { kind: 'debt', outcome: 'identity_asked' })).toBe(
      1,
    );
    expect(
      metricValue(metrics, 'helpline_account_requests_total', { kind: 'identify', outcome: 'identity_asked' }),
    ).toBe(2);
    expect(metricValue(metrics, 'helpline_account_requests_total', { kind: 'identify', outcome: 'answered' })).toBe(1);
  });

  test('three failed tries: a person is offered and the bot steps aside', async () => {
    const phone = '573001230000';
    await consent(world, phone);
    await said(phone, () => text(world, phone, 'facturas'));
    await said(phone, () => text(world, phone, '111111'));
    await said(phone, () => text(world, phone, '222222'));
    const [last] = await said(phone, () => text(world, phone, '333333'));
    expect(bodyOf(last)).toMatch(/Una persona de nuestro equipo te ayudará/);
    const chat = await world.gateway.conversation.staff.chat(phone);
    expect(chat?.state).toBe('paused');
  });
});

describe('payment receipts', () => {
  const jpeg = (seed: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(seed.repeat(200))]);

  test('stored once with its hash, acknowledged, listed, confirmed exactly once, the customer told', async () => {
    world.media.media.set('m-1', { bytes: jpeg('receipt-1'), mimeType: 'image/jpeg' });
    const [ack] = await said(ANA, () =>
      post(world, ANA, {
        type: 'image',
        image: { id: 'm-1', mime_type: 'image/jpeg', caption: 'Comprobante de pago' },
      }),
    );
    const number = /n\.º (\d+)/.exec(bodyOf(ack))?.[1];
    expect(number).toBeDefined();

    const pending = (await staff('GET', '/api/receipts?state=pending')).json();
    expect(pending.items).toEqual([
      expect.objectContaining({ id: number, customer_id: 'C-100', mime_type: 'image/jpeg', state: 'pending' }),
    ]);
    const file = await staff('GET', `/api/receipts/${number}/file`);
    expect(file.rawPayload.equals(jpeg('receipt-1'))).toBe(true);

    // The same picture again: recognised.
    world.media.media.set('m-1b', { bytes: jpeg('receipt-1'), mimeType: 'image/jpeg' });
    const [dup] = await said(ANA, () =>
      post(world, ANA, { type: 'image', image: { id: 'm-1b', mime_type: 'image/jpeg', caption: 'pago' } }),
    );
    expect(bodyOf(dup)).toContain(`ya lo habíamos recibido (n.º ${number})`);

    const confirm = { amount: '85000', method: 'transferencia', reference: 'TRX-991' };
    // A confirm that read the receipt while pending and is held until the others have paid
    // the invoice it would pick (the race CI once met): it answers their result, not a 422.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const late = createReceiptDecisions({
      receipts: world.accounts.receipts,
      billing: {
        ...world.accounts.billing,
        findAccounts: async (query) => {
          await held;
          return world.accounts.billing.findAccounts(query);
        },
      },
      outbound: world.accounts.producers.outbound,
      texts: world.accounts.texts,
      metrics: world.accounts.accountsMetrics,
      clock: world.accounts.clock,
      countryCode: world.accounts.config.NOTICE_COUNTRY_CODE,
    }).confirm(number as string, { amountMinor: 8_500_000n, method: confirm.method, reference: confirm.reference });
    const [first, second] = await Promise.all([
      staff('POST', `/api/receipts/${number}/confirm`, confirm),
      staff('POST', `/api/receipts/${number}/confirm`, confirm),
    ]);
    // One registers the payment; the other finds it confirming (409) or confirmed (the same result).
    const answers = [first, second].map((r) => ({ status: r.statusCode, replayed: r.json().replayed }));
    expect(answers.filter((a) => a.status === 200 && a.replayed === false)).toHaveLength(1);
    expect(answers.every((a) => a.status === 409 || a.status === 200)).toBe(true);
    release();
    expect(await late).toMatchObject({ kind: 'done', replayed: true, receipt: { state: 'confirmed' } });
    const again = await staff('POST', `/api/receipts/${number}/confirm`, confirm);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ replayed: true, receipt: { state: 'confirmed' } });
    const other = await staff('POST', `/api/receipts/${number}/confirm`, { ...confirm, amount: '1000' });
    expect(other.statusCode).toBe(409);

    const payments = await world.accounts.db.query('SELECT amount_minor::text, reference FROM payments');
    expect(payments.rows).toEqual([{ amount_minor: '8500000', reference: 'TRX-991' }]);
    const invoice = await world.accounts.db.query("SELECT state FROM invoices WHERE invoice_id = 'F-1'");
    expect(invoice.rows[0]).toEqual({ state: 'paid' });
    const told = (await settle(world, ANA)).filter((m) => bodyOf(m).startsWith('Confirmamos tu pago'));
    expect(told.map(bodyOf)).toEqual(['Confirmamos tu pago de $ 85.000 (referencia TRX-991). ¡Gracias!']);
  });

  test('a reject tells the customer why, once', async () => {
    world.media.media.set('m-2', { bytes: jpeg('receipt-2'), mimeType: 'image/jpeg' });
    const [ack] = await said(ANA, () =>
      post(world, ANA, { type: 'image', image: { id: 'm-2', mime_type: 'image/jpeg', caption: 'recibo' } }),
    );
    const number = /n\.º (\d+)/.exec(bodyOf(ack))?.[1];
    const reason = { reason: 'la imagen no se lee' };
    expect((await staff('POST', `/api/receipts/${number}/reject`, reason)).statusCode).toBe(200);
    expect((await staff('POST', `/api/receipts/${number}/reject`, reason)).json()).toMatchObject({ replayed: true });
    expect(
      (await staff('POST', `/api/receipts/${number}/confirm`, { amount: 1, method: 'cash', reference: 'x' }))
        .statusCode,
    ).toBe(409);
    const told = (await settle(world, ANA)).filter((m) => bodyOf(m).includes('No pudimos validar'));
    expect(told.map(bodyOf)).toEqual([
      `No pudimos validar tu comprobante n.º ${number}: la imagen no se lee. Si crees que es un error, escribe «agente».`,
    ]);
  });

  test('a receipt of 50 MB or of a wrong type is refused with the reason; nothing is stored', async () => {
    world.media.media.set('big', { bytes: Buffer.alloc(50 * 1024 * 1024, 0xff), mimeType: 'image/jpeg' });
    const [big] = await said(ANA, () =>
      post(world, ANA, { type: 'image', image: { id: 'big', mime_type: 'image/jpeg', caption: 'pago' } }),
    );
    expect(bodyOf(big)).toBe('El archivo es demasiado grande. Envía una foto o un PDF de menos de 10 MB.');
    world.media.media.set('gif', { bytes: Buffer.from('GIF89a....'), mimeType: 'image/gif' });
    const [gif] = await said(ANA, () =>
      post(world, ANA, { type: 'image', image: { id: 'gif', mime_type: 'image/gif', caption: 'pago' } }),
    );
    expect(bodyOf(gif)).toMatch(/foto \(JPG o PNG\) o PDF/);
    const all = (await staff('GET', '/api/receipts')).json();
    expect(all.total).toBe(2);
  });
});

describe('staff lookup', () => {
  test('the account as the bot tells it; 404 none; 409 with candidates; 400 naming the query', async () => {
    const one = await staff('GET', `/api/accounts/lookup?document=79111222`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      customer_id: 'C-300',
      name: 'Pedro Ruiz',
      status: 'active',
      balance: { minor: '4550050', formatted: '$ 45.500,50' },
      pending_invoices: [{ id: 'F-5', number: '3001', total: { formatted: '$ 45.500,50' } }],
      plan: 'Hogar 10',
    });
    expect((await staff('GET', '/api/accounts/lookup?customer_id=C-999')).statusCode).toBe(404);
    const several = await staff('GET', `/api/accounts/lookup?phone=${SHARED}`);
    expect(several.statusCode).toBe(409);
    expect(several.json().candidates.map((c: { customer_id: string }) => c.customer_id)).toEqual(['C-200', 'C-201']);
    const both = await staff('GET', '/api/accounts/lookup?phone=3001112233&document=1');
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toMatch(/exactly one of phone, customer_id or document/);
    expect(
      (await world.accountsApp.inject({ method: 'GET', url: '/api/accounts/lookup?customer_id=C-100' })).statusCode,
    ).toBe(401);
  });
});

describe('a voice note the classifier sent to accounts', () => {
  test('its transcript rides on the answer and lands on the voice note’s log entry, beside the audio', async () => {
    const phone = '573001238888';
    await consent(world, phone);
    await post(world, phone, {
      type: 'audio',
      audio: { id: '1209348756120934', mime_type: 'audio/ogg; codecs=opus', voice: true },
    });
    await settle(world, phone);
    // The classifier's part, stood in for: it heard "cuánto debo" and routed it here.
    const note = (await world.gateway.producers.inbound.queue.getJobs(['waiting', 'prioritized']))
      .map((j) => j.data as { id: string; correlationId: string; from: string; type: string })
      .find((m) => m.from === phone && m.type === 'audio');
    expect(note).toBeDefined();
    const correlationId = note?.correlationId as string;
    const answers = await said(phone, async () => {
      await world.accounts.producers.accounts.add(
        {
          kind: 'message',
          correlationId,
          replyTo: { channel: 'cloud', chatId: phone, replyToMessageId: note?.id, language: 'es' },
          phone,
          requestedAt: new Date().toISOString(),
          text: '¿cuánto debo?',
          category: 'billing',
          transcript: '¿cuánto debo?',
        },
        { jobId: jobIds.accounts(correlationId, 'message') },
      );
    });
    expect(answers.length).toBeGreaterThan(0);
    const entries = (await world.gateway.conversation.store.pageEntries(phone, 0, 20)).items;
    expect(entries.find((e) => e.id === note?.id)).toMatchObject({
      type: 'audio',
      mediaId: '1209348756120934',
      transcript: '¿cuánto debo?',
    });
  });
});

describe('a data-removal request at the gateway', () => {
  test('erases the chat’s accounts requests too', async () => {
    const phone = '573001239999';
    await consent(world, phone);
    await said(phone, () => text(world, phone, 'deuda'));
    const before = await world.accounts.producers.accounts.queue.getJobs(['completed']);
    expect(before.some((j) => (j.data as { phone?: string }).phone === phone)).toBe(true);
    const removed = await world.gatewayApp.inject({
      method: 'DELETE',
      url: `/api/conversations/${phone}`,
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().erased.jobs.accounts).toBe(1);
    const after = await world.accounts.producers.accounts.queue.getJobs(['completed', 'waiting', 'failed', 'delayed']);
    expect(after.some((j) => (j.data as { phone?: string }).phone === phone)).toBe(false);
  });
});
