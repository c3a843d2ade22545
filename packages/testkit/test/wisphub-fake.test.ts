import { afterEach, describe, expect, it } from 'vitest';
import { type FakeWisphub, startFakeWisphub } from '../src/wisphub/index.js';

let fake: FakeWisphub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const ana = {
  id_servicio: 11,
  usuario: 'ana@isp',
  nombre: 'Ana',
  cedula: '1001',
  telefono: '300 123 4567, 3109990000',
  ip: '100.64.0.10',
  estado: 'Activo',
  saldo: '0.00',
};

describe('fake WispHub', () => {
  it('checks the Api-Key header and records requests', async () => {
    fake = await startFakeWisphub({ clients: [ana] });
    const refused = await fetch(`${fake.url}/api/clientes/?cedula=1001`);
    expect(refused.status).toBe(403);
    const ok = await fetch(`${fake.url}/api/clientes/?cedula=1001`, {
      headers: { authorization: `Api-Key ${fake.apiKey}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ count: 1, results: [{ id_servicio: 11 }] });
    expect(fake.requests.map((r) => r.authorization)).toEqual([undefined, `Api-Key ${fake.apiKey}`]);
  });

  it('finds a client by any of its phones, on the last ten digits', async () => {
    fake = await startFakeWisphub({ clients: [ana] });
    const headers = { authorization: `Api-Key ${fake.apiKey}` };
    const r = await fetch(`${fake.url}/api/clientes/?telefono=573109990000`, { headers });
    expect(((await r.json()) as { count: number }).count).toBe(1);
    const none = await fetch(`${fake.url}/api/clientes/?telefono=3000000000`, { headers });
    expect(((await none.json()) as { count: number }).count).toBe(0);
  });

  it('paginates with limit and offset, with absolute next/previous links carrying the query', async () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ ...ana, id_servicio: 100 + i, cedula: '1001' }));
    fake = await startFakeWisphub({ clients: many, pageSize: 2 });
    const headers = { authorization: `Api-Key ${fake.apiKey}` };
    type Page = { count: number; next: string | null; previous: string | null; results: { id_servicio: number }[] };
    const first = (await (await fetch(`${fake.url}/api/clientes/?cedula=1001`, { headers })).json()) as Page;
    expect(first).toMatchObject({ count: 5, previous: null });
    expect(first.results.map((c) => c.id_servicio)).toEqual([100, 101]);
    expect(first.next).toBe(`${fake.url}/api/clientes/?cedula=1001&limit=2&offset=2`);
    const ids: number[] = first.results.map((c) => c.id_servicio);
    let next = first.next;
    while (next) {
      const page = (await (await fetch(next, { headers })).json()) as Page;
      ids.push(...page.results.map((c) => c.id_servicio));
      expect(page.previous).not.toBeNull();
      next = page.next;
    }
    expect(ids).toEqual([100, 101, 102, 103, 104]);
    const big = (await (await fetch(`${fake.url}/api/clientes/?limit=100`, { headers })).json()) as Page;
    expect(big).toMatchObject({ count: 5, next: null });
  });

  it('can ignore the filters and list everybody, and put its links on another origin', async () => {
    const bob = { ...ana, id_servicio: 12, cedula: '2002', telefono: '3002222222' };
    fake = await startFakeWisphub({ clients: [ana, bob], pageSize: 1 });
    const headers = { authorization: `Api-Key ${fake.apiKey}` };
    fake.faults = { ignoreFilters: true, linkOrigin: 'http://proxy.invalid' };
    const page = (await (await fetch(`${fake.url}/api/clientes/?cedula=2002`, { headers })).json()) as {
      count: number;
      next: string;
      results: { id_servicio: number }[];
    };
    expect(page.count).toBe(2);
    expect(page.results.map((c) => c.id_servicio)).toEqual([11]);
    expect(page.next).toBe('http://proxy.invalid/api/clientes/?cedula=2002&limit=1&offset=1');
  });

  it('hangs on request, recording what it received', async () => {
    fake = await startFakeWisphub({ clients: [ana] });
    fake.faults = { hang: true };
    const r = await fetch(`${fake.url}/api/clientes/?cedula=1001`, { signal: AbortSignal.timeout(200) }).catch(
      (e: unknown) => e,
    );
    expect(r).toMatchObject({ name: 'TimeoutError' });
    expect(fake.requests.map((q) => q.query)).toEqual([{ cedula: '1001' }]);
  });

  it('fails on request: status and malformed body', async () => {
    fake = await startFakeWisphub({ clients: [ana] });
    fake.faults = { status: 503 };
    expect((await fetch(`${fake.url}/api/clientes/`)).status).toBe(503);
    fake.faults = { malformed: true };
    const r = await fetch(`${fake.url}/api/clientes/`);
    await expect(r.json()).rejects.toThrow();
  });
});

describe('fake WispHub: invoices, payments and plans', () => {
  const now = new Date('2026-06-15T12:00:00Z');
  const invoice = (
    id: number,
    issued: string,
    due: string,
    estado: 'Pendiente de Pago' | 'Pagada',
    usuario = 'ana@isp',
  ) => ({
    id_factura: id,
    fecha_emision: issued,
    fecha_vencimiento: due,
    total: '85000.00',
    estado,
    cliente: { id_servicio: 11, usuario },
  });
  const get = async (path: string) => {
    const r = await fetch(`${fake?.url}${path}`, { headers: { authorization: `Api-Key ${fake?.apiKey}` } });
    return {
      status: r.status,
      body: (await r.json()) as Record<string, unknown> & { results?: { id_factura: number }[] },
    };
  };

  it('filters invoices by usuario and estado; without a date range only the last 90 days of issue', async () => {
    fake = await startFakeWisphub({
      clients: [ana],
      now: () => now,
      invoices: [
        invoice(1, '2026-06-01', '2026-06-30', 'Pendiente de Pago'),
        invoice(2, '2026-01-05', '2026-02-05', 'Pendiente de Pago'),
        invoice(3, '2026-05-01', '2026-05-30', 'Pagada'),
        invoice(4, '2026-06-01', '2026-06-30', 'Pendiente de Pago', 'otro@isp'),
      ],
    });
    const ids = async (q: string) => ((await get(`/api/facturas/?${q}`)).body.results ?? []).map((f) => f.id_factura);
    expect(await ids('cliente=ana@isp&estado=1')).toEqual([1]);
    expect(
      await ids('cliente=ana@isp&estado=1&fecha_vencimiento__range_0=2025-01-01&fecha_vencimiento__range_1=2027-01-01'),
    ).toEqual([1, 2]);
    expect(await ids('cliente=ana@isp&estado=2')).toEqual([3]);
    // An id where the usuario belongs matches nothing, as WispHub does.
    expect(await ids('cliente=11&estado=1')).toEqual([]);
    fake.faults = { ignoreFilters: true };
    expect(await ids('cliente=ana@isp&estado=1')).toEqual([1, 3, 4]);
  });

  it('registrar-pago validates its form, marks the invoice paid and reactivates with accion=1', async () => {
    fake = await startFakeWisphub({
      clients: [{ ...ana, estado: 'Suspendido' }],
      invoices: [invoice(7, '2026-06-01', '2026-06-30', 'Pendiente de Pago')],
    });
    const pay = (form: Record<string, string>) =>
      fetch(`${fake?.url}/api/facturas/7/registrar-pago/`, {
        method: 'POST',
        headers: { authorization: `Api-Key ${fake?.apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    const bad = await pay({ total_cobrado: '85.000', accion: '2', forma_pago: '9', fecha_pago: '15/06/2026' });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()) as object).sort()).toEqual([
      'accion',
      'fecha_pago',
      'forma_pago',
      'total_cobrado',
    ]);
    const ok = await pay({
      total_cobrado: '85000.00',
      accion: '1',
      forma_pago: '2',
      referencia: 'R-1',
      fecha_pago: '2026-06-15 10:30',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      messages: ['Se agrego correctamente el pago'],
      task_id: expect.any(String),
    });
    expect(fake.invoices[0]?.estado).toBe('Pagada');
    expect(fake.clients[0]?.estado).toBe('Activo');
    expect(fake.payments).toHaveLength(1);
    expect((await pay({})).status).toBe(400);
    const missing = await fetch(`${fake.url}/api/facturas/99/registrar-pago/`, {
      method: 'POST',
      headers: { authorization: `Api-Key ${fake.apiKey}` },
    });
    expect(missing.status).toBe(404);
  });

  it('serves payment methods, the plan list, and each plan’s detail under its type only', async () => {
    fake = await startFakeWisphub({
      plans: [{ id: 3, nombre: 'Hogar 10', tipo: 'PPPoE', precio: '60000.00', bajada: '10M', subida: '2M' }],
    });
    expect((await get('/api/formas-de-pago/')).body).toMatchObject({
      count: 2,
      results: [{ id: 1, nombre: 'Efectivo' }, { id: 2 }],
    });
    expect((await get('/api/plan-internet/')).body.results).toEqual([{ id: 3, nombre: 'Hogar 10', tipo: 'PPPoE' }]);
    expect((await get('/api/plan-internet/pppoe/3/')).body).toMatchObject({ precio: '60000.00', bajada: '10M' });
    expect((await get('/api/plan-internet/queue/3/')).status).toBe(404);
  });
});
