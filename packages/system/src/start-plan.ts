import { fileURLToPath } from 'node:url';
import { LOCAL_TWILIO_NUMBER } from './local-settings.js';
import { SERVICES, type ServiceName } from './service-processes.js';

/** What a credential-less start invents (see local-settings.ts); only what the plan needs. */
export interface LocalSecrets {
  apiToken: string;
  appSecret: string;
  accessToken: string;
  phoneNumberId: string;
  graphPort: number;
  /** The stand-in Twilio account (absent: the Twilio channel stays off). */
  twilioAccountSid?: string;
  twilioAuthToken?: string;
  twilioPort?: number;
  /** The gateway's DOCUMENT_URL_SECRET, when the operator set none. */
  documentUrlSecret?: string;
}

export interface StartPlan {
  /** The environment every service process gets. */
  env: Record<string, string>;
  ports: Record<ServiceName, number>;
  /** No Cloud API credentials: the gateway talks to the chat simulator instead of Meta. */
  localChat: boolean;
  /** Lines the start prints once everything is up. */
  notes: string[];
}

/** No Cloud API credential set: the gateway talks to the chat simulator instead of Meta. */
export function usesLocalChat(environment: Readonly<Record<string, string>>): boolean {
  return !environment.WHATSAPP_ACCESS_TOKEN && !environment.META_APP_SECRET;
}

/** No Twilio credential set: the gateway's Twilio channel talks to the chat simulator. */
export function usesLocalTwilio(environment: Readonly<Record<string, string>>): boolean {
  return !environment.TWILIO_ACCOUNT_SID && !environment.TWILIO_AUTH_TOKEN;
}

/** Where each service will listen: its port variable, else its default. */
export function servicePorts(environment: Readonly<Record<string, string>>): Record<ServiceName, number> {
  return Object.fromEntries(
    SERVICES.map(({ name, portVariable, port }) => {
      const value = Number(environment[portVariable] ?? port);
      // A bad value is the service's to refuse, with its one-line config error.
      return [name, Number.isInteger(value) ? value : port];
    }),
  ) as Record<ServiceName, number>;
}

/**
 * Decides, from the environment the services will see (the process environment over
 * `.env`, as `readEnvironment` merges them), what the one-command start gives them: the
 * Redis and the PostgreSQL it found, an operator token when none is set, and the chat simulator in place of
 * Meta when no Cloud API credential is set. Values the operator set are never replaced.
 */
/** The sample knowledge base shipped with the classifier (same depth from src/ and dist/). */
export const SAMPLE_KNOWLEDGE_DIR = fileURLToPath(new URL('../../../services/classifier/knowledge/', import.meta.url));

export function planStart(
  environment: Readonly<Record<string, string>>,
  redisUrl: string,
  local: LocalSecrets,
  databaseUrl?: string,
): StartPlan {
  const env: Record<string, string> = { ...environment, REDIS_URL: redisUrl };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  // The desk asks the gateway for close, resume and erase; on one machine it is next door.
  if (!environment.GATEWAY_URL) env.GATEWAY_URL = `http://127.0.0.1:${servicePorts(environment).gateway}`;
  const notes: string[] = [];
  if (!environment.API_TOKEN) {
    env.API_TOKEN = local.apiToken;
    notes.push(`operator token (API_TOKEN) generated for this machine: ${local.apiToken} (kept in .data/local.json)`);
  }
  const localChat = usesLocalChat(environment);
  if (localChat) {
    Object.assign(env, {
      META_APP_SECRET: local.appSecret,
      WHATSAPP_ACCESS_TOKEN: local.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: local.phoneNumberId,
      GRAPH_API_URL: `http://127.0.0.1:${local.graphPort}`,
    });
    notes.push('no Cloud API credentials: the gateway sends to the chat simulator (npm run chat) instead of Meta');
    // The demo ISP's answers, so the simulator shows the assistant; never with a real
    // channel, whose customers must not be told the demo's prices and hours.
    if (!environment.KNOWLEDGE_DIR) {
      env.KNOWLEDGE_DIR = SAMPLE_KNOWLEDGE_DIR;
      notes.push('no KNOWLEDGE_DIR: the classifier answers from the demo ISP sample in services/classifier/knowledge');
    }
  }
  const ports = servicePorts(environment);
  if (usesLocalTwilio(environment) && local.twilioAccountSid && local.twilioAuthToken && local.twilioPort) {
    Object.assign(env, {
      TWILIO_ACCOUNT_SID: local.twilioAccountSid,
      TWILIO_AUTH_TOKEN: local.twilioAuthToken,
      TWILIO_WHATSAPP_NUMBER: LOCAL_TWILIO_NUMBER,
      TWILIO_API_URL: `http://127.0.0.1:${local.twilioPort}`,
      TWILIO_WEBHOOK_URL: `http://127.0.0.1:${ports.gateway}/webhook/twilio`,
    });
    notes.push(
      'no Twilio credentials: the Twilio channel talks to the chat simulator (npm run chat -- --channel twilio)',
    );
  }
  // The gateway and the accounts service call each other (statements, receipts), and the desk's
  // erasure reaches every service: on the ports this start uses.
  env.ACCOUNTS_URL ??= `http://127.0.0.1:${ports.accounts}`;
  env.GATEWAY_URL ??= `http://127.0.0.1:${ports.gateway}`;
  // Statements to Twilio chats go by a signed URL of the gateway: a secret of this machine's.
  if (local.documentUrlSecret) env.DOCUMENT_URL_SECRET ??= local.documentUrlSecret;
  env.TICKETS_URL ??= `http://127.0.0.1:${ports.tickets}`;
  env.NETWORK_URL ??= `http://127.0.0.1:${ports.network}`;
  return { env, ports, localChat, notes };
}
