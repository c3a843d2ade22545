import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startTestPostgres, startTestRedis } from '@helpline/testkit';

export { waitFor } from '@helpline/testkit';
import { type FakeLlmServer, startFakeLlmServer } from '@helpline/testkit/llm';
import { type FakeGraphApi, startFakeGraphApi } from '@helpline/testkit/meta-graph';
import { type FakeRouter, type FakeRouterState, startFakeRouter } from '@helpline/testkit/routeros';
import { type FakeTwilio, startFakeTwilio } from '@helpline/testkit/twilio';
import { type FakeZoho, startFakeZoho } from '@helpline/testkit/zoho';
import {
  SERVICES,
  type ServiceName,
  type ServiceProcess,
  startService,
  waitForHealth,
} from '../../src/service-processes.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const APP_SECRET = 'e2e-app-secret-0123456789';
export const ACCESS_TOKEN = 'e2e-graph-token';
export const PHONE_NUMBER_ID = '109876543210';
export const API_TOKEN = 'e2e-operator-token-0123456789';

export { freePort };

export interface Customer {
  customerId: string;
  name: string;
  phones: string[];
  pppoeUser: string;
  serviceIp: string;
  router: string;
}

export interface SystemOptions {
  customers: Customer[];
  routerState: Partial<FakeRouterState>;
  /** Extra variables per service (e.g. quicker retries in the chaos run). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Redis with append-only on, for runs that restart it. */
  appendOnly?: boolean;
  /** TypeScript entry files that replace a service's build (see startService). */
  entries?: Partial<Record<ServiceName, string>>;
  /** A private PostgreSQL (for runs that restart it) instead of the shared test server. */
  privatePostgres?: boolean;
  /** Arguments for Node itself in every service process (the bench's `--cpu-prof`). */
  nodeArgs?: readonly string[];
}

/**
 * The six services as real processes from their builds, on a private Redis, with every
 * outside system replaced by a testkit fake: the Graph API, the LLM providers, Zoho Desk
 * and a RouterOS router. The system is configured exactly as an operator would, through
 * environment variables.
 */
export async function startSystem(options: SystemOptions) {
  const redis = await startTestRedis({ spawn: true, appendOnly: options.appendOnly ?? false });
  const postgres = await startTestPostgres({ spawn: options.privatePostgres ?? false });
  const databaseUrl = await postgres.createDatabase('e2e');
  const graph: FakeGraphApi = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const llm: FakeLlmServer = await startFakeLlmServer();
  const zoho: FakeZoho = await startFakeZoho();
  const router: FakeRouter = await startFakeRouter({ state: options.routerState });
  // The accounts service keeps its built-in back-office and receipts in PostgreSQL; it
  // downloads receipts through the real gateway's media endpoint, which asks the fake Graph API.
  const accountsDatabase = await postgres.createDatabase('e2e_accounts');
  // The second one-to-one channel: customers writing through Twilio.
  const twilio: FakeTwilio = await startFakeTwilio();
  const dir = mkdtempSync(join(tmpdir(), 'helpline-e2e-'));
  const customersFile = join(dir, 'customers.json');
  writeFileSync(customersFile, JSON.stringify(options.customers));

  const ports = Object.fromEntries(
    await Promise.all(SERVICES.map(async (s) => [s.name, await freePort()] as const)),
  ) as Record<ServiceName, number>;
  // Like Meta, the fake reports each message it took to the gateway's webhook, with the
  // message's callback data (the gateway relies on it after a crash mid-send).
  graph.reportStatuses({ url: `http://127.0.0.1:${ports.gateway}/webhook`, appSecret: APP_SECRET });
  const common = {
    PATH: process.env.PATH ?? '',
    REDIS_URL: redis.url,
    API_TOKEN,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    SHUTDOWN_GRACE_MS: '5000',
  };
  const env: Record<ServiceName, Record<string, string>> = {
    gateway: {
      ...common,
      GATEWAY_PORT: String(ports.gateway),
      META_APP_SECRET: APP_SECRET,
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: 'e2e-verify',
      GRAPH_API_URL: graph.url,
      ACCOUNTS_URL: `http://127.0.0.1:${ports.accounts}`,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_WHATSAPP_NUMBER: twilio.whatsappNumber,
      TWILIO_API_URL: twilio.url,
      TWILIO_WEBHOOK_URL: `http://127.0.0.1:${ports.gateway}/webhook/twilio`,
      ...options.env?.gateway,
    },
    classifier: {
      ...common,
      CLASSIFIER_PORT: String(ports.classifier),
      CLASSIFIER_PROVIDERS: 'openai',
      OPENAI_API_KEY: 'sk-e2e',
      OPENAI_BASE_URL: llm.baseUrl('openai'),
      ...options.env?.classifier,
    },
    tickets: {
      ...common,
      TICKETS_PORT: String(ports.tickets),
      CRM_PROVIDER: 'zoho',
      ZOHO_CLIENT_ID: zoho.clientId,
      ZOHO_CLIENT_SECRET: zoho.clientSecret,
      ZOHO_REFRESH_TOKEN: zoho.refreshToken,
      ZOHO_ORG_ID: zoho.orgId,
      ZOHO_DEPARTMENT_ID: zoho.departments[0]?.id ?? '',
      ZOHO_ACCOUNTS_URL: zoho.accountsUrl,
      ZOHO_DESK_URL: zoho.deskUrl,
      ...options.env?.tickets,
    },
    network: {
      ...common,
      NETWORK_PORT: String(ports.network),
      MIKROTIK_HOST: router.host,
      MIKROTIK_PORT: String(router.port),
      MIKROTIK_USERNAME: 'api',
      MIKROTIK_PASSWORD: 'secret',
      CUSTOMERS_FILE: customersFile,
      CUSTOMER_PREFIXES: '100.64.0.0/10',
      ...options.env?.network,
    },
    accounts: {
      ...common,
      ACCOUNTS_PORT: String(ports.accounts),
      DATABASE_URL: accountsDatabase,
      BILLING_PROVIDER: 'local',
      GATEWAY_URL: `http://127.0.0.1:${ports.gateway}`,
      ...options.env?.accounts,
    },
    desk: {
      ...common,
      DESK_PORT: String(ports.desk),
      DATABASE_URL: databaseUrl,
      GATEWAY_URL: `http://127.0.0.1:${ports.gateway}`,
      TICKETS_URL: `http://127.0.0.1:${ports.tickets}`,
      NETWORK_URL: `http://127.0.0.1:${ports.network}`,
      ACCOUNTS_URL: `http://127.0.0.1:${ports.accounts}`,
      ...options.env?.desk,
    },
  };

  const logs: string[] = [];
  const processes = new Map<ServiceName, ServiceProcess>();
  const start = async (name: ServiceName) => {
    const service = startService(
      ROOT,
      name,
      ports[name],
      env[name],
      (n, line) => logs.push(`[${n}] ${line}`),
      options.entries?.[name],
      options.nodeArgs,
    );
    processes.set(name, service);
    // Five processes start at once on a shared machine: a loaded one takes a while.
    await waitForHealth(service, 90_000);
    return service;
  };
  const started = await Promise.allSettled(SERVICES.map((s) => start(s.name)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // One service did not come up: the others, the fakes and the servers are stopped, so
    // that a failed start leaves no process behind to load the machine (and later runs).
    await Promise.allSettled([...processes.values()].map((p) => p.stop('SIGKILL')));
    await Promise.allSettled([graph.close(), twilio.close(), llm.close(), zoho.close(), router.close()]);
    await Promise.allSettled([postgres.stop(), redis.stop()]);
    throw failed.reason;
  }

  return {
    redis,
    postgres,
    databaseUrl,
    graph,
    twilio,
    llm,
    zoho,
    router,
    accountsDatabase,
    ports,
    logs,
    processes,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    /** Restarts one service (after a kill), waiting for its /health. */
    restart: start,
    async stop() {
      await Promise.all([...processes.values()].map((p) => p.stop('SIGTERM')));
      await Promise.all([graph.close(), twilio.close(), llm.close(), zoho.close(), router.close()]);
      await postgres.stop();
      await redis.stop();
    },
  };
}

export type SystemUnderTest = Awaited<ReturnType<typeof startSystem>>;
