import { existsSync, readFileSync } from 'node:fs';
import { baseConfigShape, envBoolean, envInt, envList, envOptionalUrl, envPort, envUrl } from '@helpline/runtime';
import { z } from 'zod';
import type { CustomerRecord } from '@helpline/directory';
import { CustomersFileError, readCustomersFile } from '@helpline/directory';
import type { RouterEndpoint } from './routeros/router-connection.js';
import { type Cidr, parseCidr } from './routeros/safe-commands.js';

/** The network service's variables (README, configuration table). */
export const networkConfigShape = {
  ...baseConfigShape,
  NETWORK_PORT: envPort(8004),
  MIKROTIK_HOST: z.string().optional(),
  /** Default 8728, or 8729 with MIKROTIK_TLS. */
  MIKROTIK_PORT: envInt(0, { min: 0, max: 65_535 }),
  MIKROTIK_USERNAME: z.string().optional(),
  MIKROTIK_PASSWORD: z.string().optional(),
  MIKROTIK_TLS: envBoolean(false),
  /**
   * A PEM file of the certificate(s) the router's api-ssl certificate must chain to: the
   * router's own self-signed certificate pins exactly that router. System CAs when unset.
   */
  MIKROTIK_TLS_CA: z.string().optional(),
  /** Several routers: a JSON array, or the path of a file holding one. */
  MIKROTIK_ROUTERS: z.string().optional(),
  CUSTOMERS_FILE: z.string().optional(),
  WISPHUB_API_URL: envOptionalUrl(['http', 'https'], 'https://api.wisphub.net'),
  WISPHUB_API_KEY: z.string().optional(),
  CUSTOMER_PREFIXES: envList([]),
  DIAGNOSIS_COOLDOWN_MINUTES: envInt(5, { min: 0, max: 1_440 }),
  /**
   * Diagnoses run at once by one process. A diagnosis waits seconds on the router (a ping
   * is count x interval), so this is mostly waiting; each router's own concurrency limit
   * still bounds what reaches it.
   */
  DIAGNOSTICS_CONCURRENCY: envInt(16, { min: 1, max: 256 }),
  /** The accounts service, told of the general outages found (POST /api/outages, with API_TOKEN). */
  ACCOUNTS_URL: envUrl(['http', 'https'], 'http://127.0.0.1:8005').default('http://127.0.0.1:8005'),
  /** Failing diagnoses of different customers on one router within OUTAGE_WINDOW_MINUTES that make a general outage. */
  OUTAGE_DIAGNOSES_THRESHOLD: envInt(5, { min: 2, max: 1_000 }),
  OUTAGE_WINDOW_MINUTES: envInt(10, { min: 1, max: 240 }),
  /**
   * How often the routers of open outages that may end by themselves are probed (0: never;
   * staff resolve every outage). Above the router's connect timeout and a diagnosis' length.
   */
  OUTAGE_PROBE_INTERVAL_MS: envInt(60_000, { min: 0, max: 3_600_000 }),
  /** Good probes in a row that end an outage: one good probe between bad ones is a flap, not an end. */
  OUTAGE_PROBES_TO_RESOLVE: envInt(3, { min: 1, max: 100 }),
};

// MIKROTIK_ROUTERS carries passwords, and the runtime's loader echoes a variable's value in
// its error line unless the name looks secret. Issues are therefore reported on a sub-path
// (`MIKROTIK_ROUTERS.json`, `MIKROTIK_ROUTERS.0.name`), which the loader never echoes.
const ROUTERS = 'MIKROTIK_ROUTERS';

const RouterEntry = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, _ . - (it is a metric label)'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).optional(),
  username: z.string().min(1),
  password: z.string(),
  tls: z.boolean().default(false),
  /** A PEM file, as MIKROTIK_TLS_CA, for this router. */
  tlsCa: z.string().optional(),
});

/** The PEM text of a CA file, or an error line naming what is wrong with it. */
export function readCaFile(path: string): { pem: string } | { error: string } {
  if (!existsSync(path)) return { error: `no such file: ${path}` };
  const pem = readFileSync(path, 'utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { error: `${path} holds no PEM certificate` };
  return { pem };
}

export const networkConfigSchema = z.object(networkConfigShape).transform((env, ctx) => {
  let routers: RouterEndpoint[] = [];
  if (env.MIKROTIK_ROUTERS) {
    const raw = env.MIKROTIK_ROUTERS.trim();
    let text = raw;
    if (!raw.startsWith('[')) {
      if (!existsSync(raw)) {
        ctx.addIssue({
          code: 'custom',
          path: [ROUTERS, 'file'],
          message: 'expected a JSON array of routers or the path of a file holding one',
        });
        return z.NEVER;
      }
      text = readFileSync(raw, 'utf8');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', path: [ROUTERS, 'json'], message: 'is not valid JSON' });
      return z.NEVER;
    }
    const list = z.array(RouterEntry).min(1).safeParse(parsed);
    if (!list.success) {
      const first = list.error.issues[0];
      ctx.addIssue({
        code: 'custom',
        path: [ROUTERS, ...(first?.path ?? []).map(String)],
        message: `${first?.message ?? 'invalid'} (expected [{name, host, port?, username, password, tls?, tlsCa?}])`,
      });
      return z.NEVER;
    }
    const names = new Set(list.data.map((r) => r.name));
    if (names.size !== list.data.length) {
      ctx.addIssue({ code: 'custom', path: [ROUTERS, 'name'], message: 'router names must be unique' });
      return z.NEVER;
    }
    routers = [];
    for (const [index, { tlsCa, ...r }] of list.data.entries()) {
      const ca = tlsCa ?? env.MIKROTIK_TLS_CA;
      const read = ca ? readCaFile(ca) : undefined;
      if (read && 'error' in read) {
        ctx.addIssue({ code: 'custom', path: [ROUTERS, String(index), 'tlsCa'], message: read.error });
        return z.NEVER;
      }
      routers.push({ ...r, port: r.port ?? (r.tls ? 8729 : 8728), ...(read ? { ca: read.pem } : {}) });
    }
  } else if (env.MIKROTIK_HOST) {
    if (!env.MIKROTIK_USERNAME) {
      ctx.addIssue({ code: 'custom', path: ['MIKROTIK_USERNAME'], message: 'is required when MIKROTIK_HOST is set' });
      return z.NEVER;
    }
    const read = env.MIKROTIK_TLS_CA ? readCaFile(env.MIKROTIK_TLS_CA) : undefined;
    if (read && 'error' in read) {
      ctx.addIssue({ code: 'custom', path: ['MIKROTIK_TLS_CA'], message: read.error });
      return z.NEVER;
    }
    routers = [
      {
        name: 'default',
        host: env.MIKROTIK_HOST,
        port: env.MIKROTIK_PORT || (env.MIKROTIK_TLS ? 8729 : 8728),
        username: env.MIKROTIK_USERNAME,
        password: env.MIKROTIK_PASSWORD ?? '',
        tls: env.MIKROTIK_TLS,
        ...(read ? { ca: read.pem } : {}),
      },
    ];
  }
  const prefixes: Cidr[] = [];
  for (const text of env.CUSTOMER_PREFIXES) {
    try {
      prefixes.push(parseCidr(text));
    } catch {
      ctx.addIssue({ code: 'custom', path: ['CUSTOMER_PREFIXES'], message: `not an IPv4 CIDR: ${text}` });
      return z.NEVER;
    }
  }
  if (env.WISPHUB_API_URL && !env.WISPHUB_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['WISPHUB_API_KEY'], message: 'is required when WISPHUB_API_URL is set' });
    return z.NEVER;
  }
  // Read at start, so a missing or broken file stops the start with one line naming it.
  let customers: CustomerRecord[] | undefined;
  if (env.CUSTOMERS_FILE) {
    try {
      customers = readCustomersFile(env.CUSTOMERS_FILE);
    } catch (error) {
      if (!(error instanceof CustomersFileError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['CUSTOMERS_FILE'], message: error.message });
      return z.NEVER;
    }
  }
  return { ...env, routers, prefixes, customers };
});

export type NetworkConfig = z.infer<typeof networkConfigSchema>;
