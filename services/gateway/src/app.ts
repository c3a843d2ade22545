import { createHttpApp, type HealthCheck, type HttpApp, pingRedis } from '@helpline/runtime';
import { registerQueueDashboard } from './admin/queue-dashboard.js';
import { refusedMessageRoutes } from './api/refused-message-routes.js';
import { sendMessageRoutes } from './api/send-message-routes.js';
import { statusRoutes } from './api/status-routes.js';
import { registerWindowRoutes } from './api/window-routes.js';
import { cloudApiConfigured, twilioConfigured } from './config.js';
import type { GatewayContext } from './context.js';
import { SERVICE_NAME } from './context.js';
import { registerConversationRoutes } from './conversation/conversation-routes.js';
import { disabledGroupHealth } from './groups/group-channel.js';
import { registerGroupRoutes } from './groups/group-routes.js';
import { registerMediaRoutes } from './media/media-routes.js';
import { registerPublicDocumentRoutes } from './media/public-document-routes.js';
import { webhookRoutes } from './webhook/webhook-routes.js';
import { twilioWebhookRoutes } from './twilio/twilio-webhook-routes.js';

/** Readiness checks for /health; others add theirs (group session, ...) beside these. */
export function gatewayHealthChecks(context: GatewayContext): Record<string, HealthCheck> {
  return {
    redis: async () =>
      (await pingRedis(context.redis('producer')))
        ? { status: 'ok' }
        : { status: 'down', message: 'Redis does not answer: messages cannot be stored or sent' },
    cloud_api: () =>
      cloudApiConfigured(context.config)
        ? { status: 'ok' }
        : {
            status: 'degraded',
            message: 'Cloud API channel disabled: set WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID',
          },
    webhook: () =>
      context.config.META_APP_SECRET
        ? { status: 'ok' }
        : { status: 'degraded', message: 'POST /webhook answers 503: set META_APP_SECRET to accept Meta webhooks' },
    twilio: () => {
      const sends = twilioConfigured(context.config);
      const receives = Boolean(context.config.TWILIO_AUTH_TOKEN && context.config.TWILIO_WEBHOOK_URL);
      if (sends && receives) return { status: 'ok' };
      if (!sends && !receives) return { status: 'ok', details: { enabled: false } };
      return {
        status: 'degraded',
        message: sends
          ? 'Twilio sends but POST /webhook/twilio answers 503: set TWILIO_WEBHOOK_URL'
          : 'Twilio webhook on but nothing can be sent: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER',
      };
    },
    groups: () => (context.groups ? context.groups.health() : disabledGroupHealth()),
    workers: () => {
      const stopped = context.workers.filter((w) => !w.isRunning()).map((w) => w.name);
      if (stopped.length > 0) return { status: 'down', message: `workers not running: ${stopped.join(', ')}` };
      return { status: 'ok', details: { running: context.workers.map((w) => w.name) } };
    },
  };
}

/** The gateway's HTTP app: runtime's base app plus the gateway's routes. No I/O here. */
export async function buildApp(context: GatewayContext): Promise<HttpApp> {
  const app = await createHttpApp({
    service: SERVICE_NAME,
    description: 'WhatsApp in and out: Cloud API webhook and sender, Baileys groups, the customer conversation',
    logger: context.logger,
    metrics: context.metrics,
    apiToken: context.config.API_TOKEN,
    healthChecks: gatewayHealthChecks(context),
  });
  await webhookRoutes(app, context);
  await twilioWebhookRoutes(
    app,
    {
      authToken: context.config.TWILIO_AUTH_TOKEN,
      accountSid: context.config.TWILIO_ACCOUNT_SID,
      webhookUrl: context.config.TWILIO_WEBHOOK_URL,
    },
    { ...context, metrics: context.gatewayMetrics },
  );
  await sendMessageRoutes(app, context);
  await statusRoutes(app, context);
  await refusedMessageRoutes(app, context);
  registerConversationRoutes(app, context.conversation, context.eraser);
  registerGroupRoutes(app, context.groups);
  registerMediaRoutes(app, context.mediaSources);
  registerPublicDocumentRoutes(app, {
    documents: context.documents,
    ...(context.documentUrls ? { signer: context.documentUrls } : {}),
  });
  registerWindowRoutes(
    app,
    { cloud: context.conversationWindow, twilio: context.twilioWindow },
    context.chatChannels,
    context.clock,
  );
  await registerQueueDashboard(app, { queues: context.dashboardQueues, apiToken: context.config.API_TOKEN });
  return app;
}
