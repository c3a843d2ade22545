import { loadConfig } from '@helpline/runtime';
import type { FakeRouterState } from '@helpline/testkit/routeros';
import type { WisphubClient } from '@helpline/testkit/wisphub';
import { type NetworkConfig, networkConfigSchema } from '../../src/config.js';
import type { NetworkTuning } from '../../src/context.js';

export const SECRET_VALUES = ['100.64.0.10', '100.64.0.11', 'AA:BB:CC:DD:EE:FF', 'pppoe-pass-1', 'pppoe-pass-2'];

export function routerState(): FakeRouterState {
  return {
    tables: {
      '/ppp/active': [
        {
          name: 'ana@isp',
          service: 'pppoe',
          uptime: '2d3h4m5s',
          address: '100.64.0.10',
          'caller-id': 'AA:BB:CC:DD:EE:FF',
        },
      ],
      '/ppp/secret': [
        {
          name: 'ana@isp',
          service: 'pppoe',
          password: 'pppoe-pass-1',
          profile: '10M',
          disabled: 'false',
          'last-caller-id': 'AA:BB:CC:DD:EE:FF',
        },
        {
          name: 'bob@isp',
          service: 'pppoe',
          password: 'pppoe-pass-2',
          profile: '10M',
          disabled: 'false',
          'last-logged-out': '2026-11-20 10:00:00',
          'last-disconnect-reason': 'peer-not-responding',
        },
      ],
      '/queue/simple': [
        {
          name: '<pppoe-ana@isp>',
          target: '<pppoe-ana@isp>',
          'max-limit': '5M/10M',
          rate: '200000/2000000',
          disabled: 'false',
        },
      ],
    },
    ping: { '100.64.0.10': { times: [2.5, 3, 2] } },
    traffic: {},
  };
}

export function wisphubClients(): WisphubClient[] {
  const base = { saldo: '0.00', estado_facturas: 'Pagadas', plan_internet: { nombre: 'Hogar 10M' } };
  return [
    {
      ...base,
      id_servicio: 101,
      usuario: 'ana@isp',
      nombre: 'Ana Pérez',
      cedula: '1001',
      telefono: '3001234567',
      ip: '100.64.0.10',
      estado: 'Activo',
      password_servicio: 'pppoe-pass-1',
      mac_cpe: 'AA:BB:CC:DD:EE:FF',
      router: { id: 1, nombre: 'default', falla_general: false },
    },
    {
      ...base,
      id_servicio: 102,
      usuario: 'bob@isp',
      nombre: 'Bob',
      cedula: '1002',
      telefono: '3002222222',
      ip: '100.64.0.11',
      estado: 'Activo',
      router: { id: 1, nombre: 'default', falla_general: false },
    },
    {
      ...base,
      id_servicio: 103,
      usuario: 'carla@isp',
      nombre: 'Carla',
      cedula: '1003',
      telefono: '3003333333',
      ip: '100.64.0.12',
      estado: 'Suspendido',
      router: { id: 1, nombre: 'default', falla_general: false },
    },
    {
      ...base,
      id_servicio: 104,
      usuario: 'dan@isp',
      nombre: 'Dan',
      cedula: '1004',
      telefono: '3004444444',
      ip: '100.64.0.13',
      estado: 'Activo',
      router: { id: 2, nombre: 'default', falla_general: true },
    },
    // Two accounts on one phone: the customer is asked which one.
    {
      ...base,
      id_servicio: 105,
      usuario: 'eva1@isp',
      nombre: 'Eva',
      cedula: '1005',
      telefono: '3005555555',
      ip: '100.64.0.14',
      estado: 'Activo',
    },
    {
      ...base,
      id_servicio: 106,
      usuario: 'eva2@isp',
      nombre: 'Eva (oficina)',
      cedula: '1006',
      telefono: '3005555555',
      ip: '100.64.0.15',
      estado: 'Activo',
    },
  ];
}

export function testConfig(env: Record<string, string>): NetworkConfig {
  return loadConfig(networkConfigSchema, {
    env: { CUSTOMER_PREFIXES: '100.64.0.0/10', LOG_LEVEL: 'silent', ...env },
    envFile: false,
  });
}

export const FAST_TUNING: Partial<NetworkTuning> = {
  timeouts: { connectMs: 500, closeMs: 300, idleSocketSeconds: 30, keepalive: false },
  commandTimeoutMs: 1_000,
  pingMarginMs: 500,
  pingCount: 3,
  pingIntervalMs: 20,
  queueTimeoutMs: 2_000,
  wisphubTimeoutMs: 1_000,
};
