import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpApp } from '@helpline/runtime';
import {
  type FakeGatewayMedia,
  freePort,
  startFakeGatewayMedia,
  startTestPostgres,
  startTestRedis,
  type TestPostgres,
  type TestRedis,
  uniqueQueueName,
} from '@helpline/testkit';
import { type FakeGraphApi, startFakeGraphApi } from '@helpline/testkit/meta-graph';
import type { FakeTwilio } from '@helpline/testkit/twilio';
// The real gateway, from its sources: the webhook in and the Cloud API sender out.
import { buildApp as buildGatewayApp } from '../../../gateway/src/app.js';
import type { GatewayContext } from '../../../gateway/src/context.js';
import type { TemplateBook } from '../../../gateway/src/templates/templates-file.js';
import { startWorkers } from '../../../gateway/src/workers.js';
import { APP_SECRET, PHONE_NUMBER_ID, testConfig, testContext } from '../../../gateway/test/support/harness.js';
import { messagesChange, signedWebhook } from '../../../gateway/test/support/meta-webhooks.js';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import { accountsConfigSchema } from '../../src/config.js';
import { type AccountsContext, type AccountsContextOverrides, createContext } from '../../src/context.js';
import { startAccountWorker } from '../../src/queue/start-account-worker.js';
import { quietLogger } from './logger.js';

export const API_TOKEN = 'operator-token-0123456789';
const ACCESS_TOKEN = 'graph-test-token';

export interface GraphSend {
  to: string;
  type: string;
  text?: { body: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  document?: { id?: string; link?: string; filename?: string; caption?: string };
  interactive?: {
    type: 'button' | 'list';
    body: { text: string };
    action: {
      buttons?: { reply: { id: string; title: string } }[];
      sections?: { rows: { id: string; title: string; description?: string }[] }[];
    };
  };
}

/**
 * The gateway and the accounts service in one process on a real Redis and PostgreSQL, the
 * fake Graph API as Meta and a stand-in for the gateway's media endpoint: a test posts
 * signed webhooks and reads what reached the fake Graph API.
 */
export interface World {
  graph: FakeGraphApi;
  media: FakeGatewayMedia;
  accounts: AccountsContext;
  accountsApp: HttpApp;
  accountsUrl: string;
  gateway: GatewayContext;
  gatewayApp: HttpApp;
  /** With Twilio: where the gateway listens, its TWILIO_WEBHOOK_URL (the fake posts status callbacks there). */
  twilioWebhookUrl?: string;
  stop(): Promise<void>;
}

/** The gateway's side of a world: its own variables, and a template book instead of WHATSAPP_TEMPLATES_FILE. */
export interface GatewayOptions {
  env?: Record<string, string>;
  templates?: TemplateBook;
  /** Twilio as a second channel beside the Cloud API: the gateway then listens, for its callbacks. */
  twilio?: FakeTwilio;
}

export async function startWorld(
  redis: TestRedis,
  postgres: TestPostgres,
  env: Record<string, string> = {},
  overrides: AccountsContextOverrides = {},
  gatewayOptions: GatewayOptions = {},
): Promise<World> {
  const graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const media = await startFakeGatewayMedia({ token: API_TOKEN, maxBytes: 64 * 1024 * 1024 });
  const prefix = uniqueQueueName('acct');
  const databaseUrl = await postgres.createDatabase('accounts');
  const accounts = createContext(
    accountsConfigSchema.parse({
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl,
      API_TOKEN,
      GATEWAY_URL: media.url,
      RECEIPT_MAX_BYTES: String(10 * 1024 * 1024),
      ...env,
    }),
    { prefix, logger: quietLogger(), issuer: 'Fibra Test', ...overrides },
  );
  await accounts.db.migrate();
  const accountsApp = await buildApp(accounts);
  await accountsApp.listen({ host: '127.0.0.1', port: 0 });
  const address = accountsApp.server.address();
  const accountsUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  startAccountWorker(accounts);

  const twilio = gatewayOptions.twilio;
  const twilioPort = twilio ? await freePort() : 0;
  const twilioWebhookUrl = twilio ? `http://127.0.0.1:${twilioPort}/webhook/twilio` : undefined;
  const gateway = testContext(
    redis.url,
    testConfig({
      ...(twilio
        ? {
            TWILIO_ACCOUNT_SID: twilio.accountSid,
            TWILIO_AUTH_TOKEN: twilio.authToken,
            TWILIO_WHATSAPP_NUMBER: twilio.whatsappNumber,
            TWILIO_API_URL: twilio.url,
            TWILIO_WEBHOOK_URL: twilioWebhookUrl as string,
          }
        : {}),
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      GRAPH_API_URL: graph.url,
      ACCOUNTS_ENABLED: 'true',
      ACCOUNTS_URL: accountsUrl,
      ...gatewayOptions.env,
    }),
    { prefix, consent: true, ...(gatewayOptions.templates ? { templates: gatewayOptions.templates } : {}) },
  );
  const producerRedis = gateway.redis('producer');
  if (producerRedis.status !== 'ready') await once(producerRedis, 'ready');
  const gatewayApp = await buildGatewayApp(gateway);
  if (twilio) await gatewayApp.listen({ host: '127.0.0.1', port: twilioPort });
  startWorkers(gateway);
  return {
    graph,
    media,
    accounts,
    accountsApp,
    accountsUrl,
    gateway,
    gatewayApp,
    ...(twilioWebhookUrl ? { twilioWebhookUrl } : {}),
    async stop() {
      await gatewayApp.close();
      await gateway.close();
      await accountsApp.close();
      await accounts.close();
      await media.close();
      await graph.close();
    },
  };
}

/**
 * One world for a test file, on its own Redis and PostgreSQL: `before` starts what the
 * world talks to (and returns how to stop it), `env` configures the accounts service once
 * that is up, `ready` receives the started world (seed, consent). Everything is stopped
 * after the file's last test, the world first.
 */
export function worldPerFile(options: {
  before?: () => Promise<() => Promise<void>>;
  env?: () => Record<string, string>;
  ready: (world: World) => Promise<void>;
}): void {
  let redis: TestRedis | undefined;
  let postgres: TestPostgres | undefined;
  let world: World | undefined;
  let stopBefore: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    redis = await startTestRedis();
    postgres = await startTestPostgres();
    stopBefore = await options.before?.();
    world = await startWorld(redis, postgres, options.env?.() ?? {});
    await options.ready(world);
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
    await stopBefore?.();
    await postgres?.stop();
    await redis?.stop();
  });
}

/** What `to` was sent while `action` ran (the queues drained before and after). */
export async function said(world: World, to: string, action: () => Promise<void>): Promise<GraphSend[]> {
  const before = (await settle(world, to)).length;
  await action();
  return (await settle(world, to)).slice(before);
}

/** The rows of a list message. */
export const rowsOf = (m: GraphSend | undefined) => m?.interactive?.action.sections?.flatMap((s) => s.rows) ?? [];

let sequence = 0;
export function nextWamid(): string {
  sequence += 1;
  return `wamid.ACCT${Date.now().toString(36)}${sequence}`;
}

/** Posts one customer message as Meta would, signed; the gateway must take it (200). */
export async function post(world: World, from: string, message: Record<string, unknown>): Promise<void> {
  const body = messagesChange({
    contacts: [{ profile: { name: 'Cliente' }, wa_id: from }],
    messages: [{ from, id: nextWamid(), timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
  });
  const res = await world.gatewayApp.inject(signedWebhook(body));
  if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}: ${res.body}`);
}

export const text = (world: World, from: string, body: string) => post(world, from, { type: 'text', text: { body } });
export const tap = (world: World, from: string, kind: 'button_reply' | 'list_reply', id: string, title = 'x') =>
  post(world, from, {
    type: 'interactive',
    interactive: { type: kind, [kind]: { id, title } },
  });

export function received(world: World, to: string): GraphSend[] {
  return world.graph
    .messageRequests()
    .filter((r) => r.outcome === 200 && (r.body as GraphSend | undefined)?.to === to)
    .map((r) => r.body as GraphSend);
}

export const bodyOf = (m: GraphSend | undefined): string =>
  m?.text?.body ?? m?.interactive?.body.text ?? m?.document?.caption ?? '';

/** Waits until the accounts and outbound queues are drained; returns what `to` received. */
export async function settle(world: World, to: string): Promise<GraphSend[]> {
  const deadline = Date.now() + 20_000;
  const queues = [world.accounts.producers.accounts.queue, world.gateway.producers.outbound.queue];
  for (;;) {
    let busy = false;
    for (const queue of queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) busy = true;
    }
    if (!busy) {
      // One more look: a job may have added another between the two reads.
      await sleep(30);
      let still = false;
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(counts).some((n) => n > 0)) still = true;
      }
      if (!still) return received(world, to);
    }
    if (Date.now() > deadline) {
      const stuck = [];
      for (const queue of queues) {
        const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
        stuck.push(...jobs.map((j) => `${queue.name}:${j.id}:${j.attemptsMade}:${j.failedReason ?? ''}`));
      }
      throw new Error(`queues not drained: ${stuck.join(', ')}`);
    }
    await sleep(25);
  }
}

/** Consents (privacy notice, accept) and returns how many messages the chat has received. */
export async function consent(world: World, from: string): Promise<number> {
  await text(world, from, 'hola');
  await settle(world, from);
  await tap(world, from, 'button_reply', 'consent.accept.1', 'Acepto');
  return (await settle(world, from)).length;
}

export { APP_SECRET };
