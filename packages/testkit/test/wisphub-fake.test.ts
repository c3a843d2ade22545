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
    const ok = await fetch(`${fake.url}/api/clientes/?cedula=1001`, { headers: { authorization: `Api-Key ${fake.apiKey}` } });
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

  it('fails on request: status and malformed body', async () => {
    fake = await startFakeWisphub({ clients: [ana] });
    fake.faults = { status: 503 };
    expect((await fetch(`${fake.url}/api/clientes/`)).status).toBe(503);
    fake.faults = { malformed: true };
    const r = await fetch(`${fake.url}/api/clientes/`);
    await expect(r.json()).rejects.toThrow();
  });
});
