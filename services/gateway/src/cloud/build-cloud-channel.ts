import { type Redis, createSharedRate } from '@helpline/runtime';
import type { GatewayConfig } from '../config.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { TemplateBook } from '../templates/templates-file.js';
import type { ChannelSender } from '../outbound/channel-sender.js';
import { createCloudSender, parseWindowTemplate } from './cloud-sender.js';
import { createServiceDocumentSource } from './document-source.js';
import type { ConversationWindow } from './conversation-window.js';
import { createGraphClient, type GraphClient } from './graph-client.js';
import { createRecipientPacer } from './recipient-pacer.js';
import type { SendErrorLog } from './send-error-log.js';

export interface CloudChannelDeps {
  config: GatewayConfig;
  /** The worker connection: a send waits out a Redis blip rather than failing. */
  redis: Redis;
  keyPrefix: string;
  window: ConversationWindow;
  errorLog: SendErrorLog;
  metrics: GatewayMetrics;
  clock: () => Date;
  /** A Graph client of the test's; made from the config otherwise. */
  graph?: GraphClient;
  /** WHATSAPP_TEMPLATES_FILE: the purpose's template outside the window. */
  templates?: TemplateBook;
}

export interface CloudChannel {
  /** Absent while the Cloud API is not configured. */
  graph?: GraphClient;
  sender?: ChannelSender;
}

/** The Cloud API channel: the Graph client and its sender, when the access token and number id are set. */
export function buildCloudChannel(deps: CloudChannelDeps): CloudChannel {
  const { config, keyPrefix } = deps;
  const graph =
    deps.graph ??
    (config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID
      ? createGraphClient({
          baseUrl: config.GRAPH_API_URL,
          version: config.GRAPH_API_VERSION,
          phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
          accessToken: config.WHATSAPP_ACCESS_TOKEN,
        })
      : undefined);
  if (!graph) return {};
  const sender = createCloudSender({
    graph,
    window: deps.window,
    rateLimiter: createSharedRate(deps.redis, `${keyPrefix}:cloud:rate`, config.WHATSAPP_SEND_RATE),
    pacer: createRecipientPacer(deps.redis, `${keyPrefix}:cloud`),
    errorLog: deps.errorLog,
    metrics: deps.metrics,
    clock: deps.clock,
    windowTemplate: parseWindowTemplate(config.WHATSAPP_WINDOW_TEMPLATE),
    // Statements the accounts service made are fetched there (operator token) and uploaded to Meta.
    documents: createServiceDocumentSource({
      urls: { accounts: config.ACCOUNTS_URL },
      ...(config.API_TOKEN ? { token: config.API_TOKEN } : {}),
    }),
    ...(deps.templates ? { templates: deps.templates } : {}),
  });
  return { graph, sender };
}
