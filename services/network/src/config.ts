import { baseConfigShape, envInt, envList, envOptionalUrl, envPort, envUrl } from '@helpline/runtime';
import { z } from 'zod';
import type { CustomerRecord } from '@helpline/directory';
import { CustomersFileError, readCustomersFile } from '@helpline/directory';
import { routerConfigShape, routersFromEnv } from './routeros/router-config.js';
import { type Cidr, parseCidr } from './routeros/safe-commands.js';

/** The network service's variables (README, configuration table). */
export const networkConfigShape = {
  ...baseConfigShape,
  NETWORK_PORT: envPort(8004),
  /** RouterOS: MIKROTIK_HOST, ..., or MIKROTIK_ROUTERS (src/routeros/router-config.ts). */
  ...routerConfigShape,
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

export const networkConfigSchema = z.object(networkConfigShape).transform((env, ctx) => {
  const routers = routersFromEnv(env, ctx);
  if (!routers) return z.NEVER;
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
