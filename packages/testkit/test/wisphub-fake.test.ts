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
