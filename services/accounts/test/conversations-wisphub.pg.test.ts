import { waitFor } from '@helpline/testkit';
import { type FakeWisphub, startFakeWisphub, type WisphubInvoice } from '@helpline/testkit/wisphub';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  API_TOKEN,
  bodyOf,
  consent,
  type GraphSend,
  post,
  rowsOf,
  said as saidTo,
  settle,
  tap,
  text,
  type World,
  worldPerFile,
} from './support/world.js';

// The same conversations against the fake WispHub and its quirks: filters it ignores, the
// invoice list's default date window, `next` links over http, fields missing, an outage.

const ANA = '573001112233';
const OTHER = '573009990000';
let wisphub: FakeWisphub;
let world: World;

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

function invoices(): WisphubInvoice[] {
  const ana = { id_servicio: 501, usuario: 'ana.perez@fibra', nombre: 'Ana Pérez' };
  return [
    // Issued four months ago: outside WispHub's default window, found only because a range is passed.
    {
      id_factura: 9001,
      fecha_emision: `${day(-120)} 08:00`,
      fecha_vencimiento: `${day(5)} 23:59`,
      total: '85000.00',
      estado: 'Pendiente de Pago',
      cliente: ana,
      articulos: [{ descripcion: 'Plan Hogar 10', total: '85000.00' }],
    },
    {
      id_factura: 8001,
      fecha_emision: day(-60),
      fecha_vencimiento: day(-30),
      fecha_pago: `${day(-31)} 10:00`,
      total: '85000.00',
      estado: 'Pagada',
      cliente: ana,
    },
    // Someone else's: must never show up, even when WispHub ignores the filter.
    {
      id_factura: 7001,
      fecha_emision: day(-5),
      fecha_vencimiento: day(20),
      total: '999999.00',
      estado: 'Pendiente de Pago',
      cliente: { id_servicio: 600, usuario: 'otro@fibra' },
    },
  ];
}

worldPerFile({
  before: async () => {
    wisphub = await startFakeWisphub({ pageSize: 2 });
    return () => wisphub.close();
  },
  env: () => ({
    BILLING_PROVIDER: 'wisphub',
    WISPHUB_API_URL: wisphub.url,
    WISPHUB_API_KEY: wisphub.apiKey,
    WISPHUB_TIMEOUT_MS: '1000',
  }),
  ready: async (started) => {
    world = started;
    await consent(world, ANA);
  },
});
beforeEach(() => {
  wisphub.faults = {};
  wisphub.clients = [
    {
      id_servicio: 501,
      usuario: 'ana.perez@fibra',
      nombre: 'Ana Pérez',
      cedula: '1020304050',
      telefono: '3001112233',
      ip: '100.64.0.10',
      estado: 'Suspendido',
      saldo: '85000.00',
      estado_facturas: 'Pendiente de Pago',
      fecha_corte: day(3),
      ciudad: 'Bogotá',
      plan_internet: { id: 3, nombre: 'Hogar 10' },
    },
    {
      id_servicio: 600,
      usuario: 'otro@fibra',
      nombre: 'Otro',
      cedula: '999',
      telefono: OTHER,
      ip: '100.64.0.11',
      estado: 'Activo',
      saldo: '999999.00',
    },
  ];
  wisphub.invoices = invoices();
  wisphub.plans = [
    { id: 3, nombre: 'Hogar 10', tipo: 'PPPoE', precio: '85000.00', bajada: '10M', subida: '2M' },
    { id: 4, nombre: 'Fibra 50', tipo: 'Simple Queue', precio: '120000.00', bajada: '50M', subida: '10M' },
  ];
  wisphub.requests.length = 0;
});

const said = (to: string, action: () => Promise<void>) => saidTo(world, to, action);

describe('WispHub as the back-office', () => {
  test('deuda: the list’s saldo and fecha_corte, invoices by usuario with a date range, the key sent as Api-Key', async () => {
    const [answer] = await said(ANA, () => text(world, ANA, 'deuda'));
    const body = bodyOf(answer);
    expect(body).toContain('Ana, tu saldo pendiente es $ 85.000.');
    expect(body).toMatch(/Factura 9001: \$ 85\.000, vence el/);
    expect(body).toContain('Tu servicio está suspendido');
    expect(body).not.toContain('999.999');
    const invoiceCalls = wisphub.requests.filter((r) => r.path === '/api/facturas/');
    expect(invoiceCalls.length).toBeGreaterThan(0);
    for (const call of invoiceCalls) {
      expect(call.query.cliente).toBe('ana.perez@fibra');
      expect(call.query.fecha_vencimiento__range_0).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(call.authorization).toBe(`Api-Key ${wisphub.apiKey}`);
    }
  });

  test('filters WispHub ignores and `next` links over http: only Ana’s invoices, fetched on the configured base', async () => {
    wisphub.faults = { ignoreFilters: true, linkOrigin: 'http://api.wisphub.example' };
    const [list] = await said(ANA, () => text(world, ANA, 'facturas'));
    expect(rowsOf(list).map((r) => r.title)).toEqual(['Factura 9001', 'Factura 8001']);
    expect(JSON.stringify(list)).not.toContain('7001');
  });

  test('the statement PDF of a WispHub invoice (no document endpoint is known)', async () => {
    const [list] = await said(ANA, () => text(world, ANA, 'facturas'));
    const [doc] = await said(ANA, () => tap(world, ANA, 'list_reply', rowsOf(list)[0]?.id as string));
    expect(doc?.type).toBe('document');
    expect(world.graph.uploads().at(-1)?.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  test('plans: names from the list, price and speeds from the pppoe/queue details', async () => {
    const [list] = await said(ANA, () => tap(world, ANA, 'list_reply', 'menu.improve_plan', 'Mejorar mi plan'));
    const rows = rowsOf(list);
    expect(rows.map((r) => [r.title, r.description])).toEqual([
      ['Hogar 10 (actual)', '$ 85.000 · ↓10M ↑2M'],
      ['Fibra 50', '$ 120.000 · ↓50M ↑10M'],
    ]);
  });

  test('WispHub down: the customer is told once and can reach a person; the request is retried and answered', async () => {
    wisphub.faults = { status: 503 };
    const before = (await settle(world, ANA)).length;
    await text(world, ANA, 'deuda');
    const told = await waitFor(
      () =>
        received()
          .slice(before)
          .find((m) => bodyOf(m).includes('no podemos consultar el sistema de facturación')),
      15_000,
      'the outage notice',
    );
    expect(bodyOf(told)).toContain('«agente»');
    wisphub.faults = {};
    const answer = await waitFor(
      () =>
        received()
          .slice(before)
          .find((m) => bodyOf(m).includes('tu saldo pendiente es $ 85.000')),
      20_000,
      'the retried answer',
    );
    expect(answer).toBeDefined();
    const notices = received()
      .slice(before)
      .filter((m) => bodyOf(m).includes('no podemos consultar'));
    expect(notices).toHaveLength(1);
  });

  test('a WispHub answer missing fields is an outage to the customer, never a wrong figure', async () => {
    const broken = invoices();
    delete (broken[0] as { total?: string }).total;
    wisphub.invoices = broken;
    const before = (await settle(world, ANA)).length;
    await text(world, ANA, 'facturas');
    await waitFor(
      () =>
        received()
          .slice(before)
          .find((m) => bodyOf(m).includes('no podemos consultar')),
      15_000,
    );
    expect(
      received()
        .slice(before)
        .some((m) => m.type === 'interactive'),
    ).toBe(false);
    wisphub.invoices = invoices();
    await waitFor(
      () =>
        received()
          .slice(before)
          .find((m) => m.type === 'interactive'),
      20_000,
      'the answer once WispHub is whole',
    );
  });

  test('a confirmed receipt registers the payment once through registrar-pago, reactivating the cut service', async () => {
    world.media.media.set('w-1', { bytes: Buffer.from('%PDF-1.4 receipt of ana'), mimeType: 'application/pdf' });
    const [ack] = await said(ANA, () =>
      post(world, ANA, {
        type: 'document',
        document: { id: 'w-1', mime_type: 'application/pdf', filename: 'pago.pdf', caption: 'comprobante de pago' },
      }),
    );
    const number = /n\.º (\d+)/.exec(bodyOf(ack))?.[1];
    const confirm = () =>
      world.accountsApp.inject({
        method: 'POST',
        url: `/api/receipts/${number}/confirm`,
        headers: { authorization: `Bearer ${API_TOKEN}` },
        payload: { amount: '85000', method: 'Transferencia', reference: 'BANCO-7781' },
      });
    const first = await confirm();
    expect(first.statusCode).toBe(200);
    expect(first.json().receipt.result).toMatchObject({
      invoice_id: '9001',
      reactivated: true,
      messages: ['Se agrego correctamente el pago'],
    });
    expect((await confirm()).json()).toMatchObject({ replayed: true });
    expect(wisphub.payments).toEqual([
      expect.objectContaining({
        id_factura: 9001,
        total_cobrado: '85000.00',
        accion: '1',
        forma_pago: '2',
        referencia: 'BANCO-7781',
      }),
    ]);
    expect(wisphub.payments[0]?.fecha_pago).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    const told = (await settle(world, ANA)).filter((m) => bodyOf(m).includes('reactivamos tu servicio'));
    expect(told).toHaveLength(1);
  });

  test('an unknown method names the ones WispHub has (422); nothing is registered', async () => {
    world.media.media.set('w-2', { bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), mimeType: 'image/png' });
    const [ack] = await said(ANA, () =>
      post(world, ANA, { type: 'image', image: { id: 'w-2', mime_type: 'image/png', caption: 'pagué' } }),
    );
    const number = /n\.º (\d+)/.exec(bodyOf(ack))?.[1];
    const res = await world.accountsApp.inject({
      method: 'POST',
      url: `/api/receipts/${number}/confirm`,
      headers: { authorization: `Bearer ${API_TOKEN}` },
      payload: { amount: '1000', method: 'bitcoin', reference: 'x' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toBe('method: expected one of 1 (Efectivo), 2 (Transferencia)');
    expect(wisphub.payments.filter((p) => p.referencia === 'x')).toEqual([]);
  });
});

function received(): GraphSend[] {
  return world.graph
    .messageRequests()
    .filter((r) => r.outcome === 200 && (r.body as GraphSend | undefined)?.to === ANA)
    .map((r) => r.body as GraphSend);
}
