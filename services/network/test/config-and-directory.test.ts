import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@helpline/runtime';
import { describe, expect, it } from 'vitest';
import { networkConfigSchema } from '../src/config.js';
import { loadFileDirectory, parseCustomersFile } from '@helpline/directory';
import { accountState } from '@helpline/directory';

const load = (env: Record<string, string>) => loadConfig(networkConfigSchema, { env, envFile: false });

function lines(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.lines];
    throw error;
  }
  return [];
}

describe('network config', () => {
  it('defaults: port 8004, cooldown 5 minutes, no router', () => {
    const c = load({});
    expect(c.NETWORK_PORT).toBe(8004);
    expect(c.DIAGNOSIS_COOLDOWN_MINUTES).toBe(5);
    expect(c.routers).toEqual([]);
  });

  it('one router from MIKROTIK_HOST..., 8729 with TLS', () => {
    const c = load({
      MIKROTIK_HOST: '10.0.0.1',
      MIKROTIK_USERNAME: 'api',
      MIKROTIK_PASSWORD: 'pw',
      MIKROTIK_TLS: 'true',
    });
    expect(c.routers).toEqual([
      { name: 'default', host: '10.0.0.1', port: 8729, username: 'api', password: 'pw', tls: true },
    ]);
  });

  it('several routers from MIKROTIK_ROUTERS as JSON or a file', () => {
    const list = [
      { name: 'north', host: '10.0.0.1', username: 'api', password: 'a' },
      { name: 'south', host: '10.0.0.2', port: 9000, username: 'api', password: 'b', tls: true },
    ];
    expect(load({ MIKROTIK_ROUTERS: JSON.stringify(list) }).routers.map((r) => [r.name, r.port])).toEqual([
      ['north', 8728],
      ['south', 9000],
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'routers-'));
    const file = join(dir, 'routers.json');
    writeFileSync(file, JSON.stringify(list));
    expect(load({ MIKROTIK_ROUTERS: file }).routers).toHaveLength(2);
  });

  it('names the wrong variable, never echoing a password', () => {
    expect(
      lines({ MIKROTIK_ROUTERS: '[{"name":"a b","host":"x","username":"u","password":"hunter2"}]' }).join(),
    ).toMatch(/^MIKROTIK_ROUTERS\.0\.name: letters/);
    expect(
      lines({ MIKROTIK_ROUTERS: '[{"name":"a b","host":"x","username":"u","password":"hunter2"}]' }).join(),
    ).not.toContain('hunter2');
    expect(lines({ MIKROTIK_ROUTERS: '/no/such/file' })[0]).toMatch(/^MIKROTIK_ROUTERS\.file:/);
    expect(lines({ MIKROTIK_ROUTERS: '[{"password":"hunter2",' }).join()).toBe(
      'MIKROTIK_ROUTERS.json: is not valid JSON',
    );
    expect(lines({ MIKROTIK_HOST: '10.0.0.1' })[0]).toMatch(/^MIKROTIK_USERNAME: is required/);
    expect(lines({ CUSTOMER_PREFIXES: '10.0.0.0/8,nonsense' })[0]).toMatch(
      /^CUSTOMER_PREFIXES: not an IPv4 CIDR: nonsense/,
    );
    expect(lines({ DIAGNOSIS_COOLDOWN_MINUTES: 'soon' })[0]).toMatch(/^DIAGNOSIS_COOLDOWN_MINUTES:/);
    expect(lines({ WISPHUB_API_URL: 'https://api.wisphub.net' })[0]).toMatch(/^WISPHUB_API_KEY: is required/);
  });
});

describe('CUSTOMERS_FILE at start: one line naming it, never a stack trace or customer data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'customers-config-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('loads a good file into the config', () => {
    const path = file('ok.json', JSON.stringify([{ customerId: 1, phones: ['3001234567'] }]));
    expect(load({ CUSTOMERS_FILE: path }).customers).toEqual([{ customerId: '1', phones: ['3001234567'] }]);
    expect(load({}).customers).toBeUndefined();
  });

  it('names what is wrong', () => {
    const missing = join(dir, 'missing.json');
    expect(lines({ CUSTOMERS_FILE: missing })).toEqual([`CUSTOMERS_FILE: file not found (got "${missing}")`]);
    expect(lines({ CUSTOMERS_FILE: dir })).toEqual([`CUSTOMERS_FILE: is a directory, not a file (got "${dir}")`]);
    const notJson = file('broken.json', '[{"customerId": 1, "phones": ["3001234567"], "serviceIp": "100.64.0.10",');
    const broken = lines({ CUSTOMERS_FILE: notJson });
    expect(broken).toEqual([
      `CUSTOMERS_FILE: is not valid JSON (expected a JSON array of customers, or a .csv file) (got "${notJson}")`,
    ]);
    expect(broken.join()).not.toMatch(/3001234567|100\.64/);
    expect(lines({ CUSTOMERS_FILE: file('object.json', '{"customers": []}') })[0]).toMatch(
      /^CUSTOMERS_FILE: expected a JSON array of customers/,
    );
    expect(
      lines({
        CUSTOMERS_FILE: file('entry.json', '[{"customerId": 1}, {"name": "Ana", "phones": ["3001234567"]}]'),
      })[0],
    ).toMatch(/^CUSTOMERS_FILE: entry 2: customerId: /);
    expect(lines({ CUSTOMERS_FILE: file('header.csv', 'id,name\n1,Ana\n') })[0]).toMatch(
      /^CUSTOMERS_FILE: CSV header has no customer_id column/,
    );
  });
});

describe('customers file', () => {
  it('reads CSV with quoted fields and several phones', () => {
    const csv =
      'customer_id,name,phones,pppoe_user,service_ip,router\n7,"Pérez, Ana",300 123 4567|3109990000,ana@isp,100.64.0.10,north\n8,Bob,3002222222,,,\n';
    const records = parseCustomersFile(csv, 'csv');
    expect(records[0]).toEqual({
      customerId: '7',
      name: 'Pérez, Ana',
      phones: ['300 123 4567', '3109990000'],
      pppoeUser: 'ana@isp',
      serviceIp: '100.64.0.10',
      router: 'north',
    });
    expect(records[1]).toEqual({ customerId: '8', name: 'Bob', phones: ['3002222222'] });
  });

  it('reads JSON and finds by phone, id, PPPoE user; several matches are all returned', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'customers-'));
    const file = join(dir, 'customers.json');
    writeFileSync(
      file,
      JSON.stringify([
        { customerId: 1, phones: ['3001234567'], pppoeUser: 'ana@isp' },
        { customerId: 2, phones: '3001234567', pppoeUser: 'ana2@isp' },
      ]),
    );
    const directory = loadFileDirectory(file);
    expect((await directory.find({ phone: '+57 300 123 4567' })).map((c) => c.customerId)).toEqual(['1', '2']);
    expect((await directory.find({ pppoeUser: 'ana2@isp' })).map((c) => c.customerId)).toEqual(['2']);
    expect(await directory.find({ customerId: '3' })).toEqual([]);
  });

  it('names the bad entry', () => {
    expect(() => parseCustomersFile('[{"name":"x"}]', 'json')).toThrow(/entry 1: customerId/);
  });
});

describe('WispHub account state', () => {
  it('maps estado and saldo', () => {
    expect(accountState({ estado: 'Activo', saldo: '0' })).toBe('active');
    expect(accountState({ estado: 'Suspendido', saldo: '0' })).toBe('suspended');
    expect(accountState({ estado: 'Cancelado', saldo: '0' })).toBe('cancelled');
    expect(accountState({ estado: 'Activo', saldo: '25000', estado_facturas: 'Vencidas' })).toBe('arrears');
    expect(accountState({ estado: 'Moroso', saldo: '1' })).toBe('arrears');
    expect(accountState({ estado: '???', saldo: null })).toBe('unknown');
  });
});
