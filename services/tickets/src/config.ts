import { baseConfigShape, envDatabaseUrl, envInt, envList, envNumber, envPort, envUrl } from '@helpline/runtime';
import { z } from 'zod';

const optionalText = () => z.string().trim().min(1).optional();

export const ZOHO_VARIABLES = [
  'ZOHO_CLIENT_ID',
  'ZOHO_CLIENT_SECRET',
  'ZOHO_REFRESH_TOKEN',
  'ZOHO_ORG_ID',
  'ZOHO_DEPARTMENT_ID',
] as const;

/**
 * The tickets service's slice of the environment, parsed only in main.
 * Zoho credentials are optional: without them the service runs on the local ticket store.
 */
export const ticketsConfigSchema = z
  .object({
    ...baseConfigShape,
    TICKETS_PORT: envPort(8003),
    /** `zoho` or `local`; when unset, zoho if every Zoho variable is set, local otherwise. */
    CRM_PROVIDER: z.enum(['zoho', 'local'], { error: 'expected zoho or local' }).optional(),
    ZOHO_CLIENT_ID: optionalText(),
    ZOHO_CLIENT_SECRET: optionalText(),
    ZOHO_REFRESH_TOKEN: optionalText(),
    ZOHO_ORG_ID: optionalText(),
    ZOHO_DEPARTMENT_ID: optionalText(),
    ZOHO_ACCOUNTS_URL: envUrl(['https', 'http'], 'https://accounts.zoho.com').default('https://accounts.zoho.com'),
    ZOHO_DESK_URL: envUrl(['https', 'http'], 'https://desk.zoho.com').default('https://desk.zoho.com'),
    /** API name of the ticket custom field holding the idempotency key (create it in Desk first). */
    ZOHO_IDEMPOTENCY_FIELD: z
      .string()
      .regex(/^cf_[A-Za-z0-9_]+$/, 'expected the API name of a ticket custom field, such as cf_idempotency_key')
      .default('cf_idempotency_key'),
    /** How long a ticket keeps being retried through a CRM outage before it lands in the failed set. */
    TICKETS_RETRY_HORIZON_HOURS: envNumber(6, { min: 0.01, max: 168 }),
    /** Ticket requests handled at once by one process; each waits on the CRM's answer. */
    TICKETS_CONCURRENCY: envInt(8, { min: 1, max: 256 }),
    /** Local store departments: `id:Name` entries (or just `Name`), comma separated. */
    LOCAL_TICKET_DEPARTMENTS: envList(['support:Soporte técnico', 'billing:Facturación', 'sales:Ventas']),
    /** Local store statuses; the first is the status of a new ticket. */
    LOCAL_TICKET_STATUSES: envList(['Open', 'In Progress', 'On Hold', 'Closed']),
    /** The gateway, whose GET /api/media/:mediaId gives the bytes of a document or photo to attach (with API_TOKEN). */
    GATEWAY_URL: envUrl(['http', 'https'], 'http://127.0.0.1:3001').default('http://127.0.0.1:3001'),
    /** Largest document or photo attached to a ticket (Zoho Desk takes 20 MB a file). */
    TICKETS_ATTACHMENT_MAX_BYTES: envInt(20 * 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    /** PostgreSQL of the local store (schema `tickets`); `npm start` provides one when unset. */
    DATABASE_URL: envDatabaseUrl(),
  })
  .superRefine((config, ctx) => {
    // The local store lives in PostgreSQL: without a database it has nowhere to keep tickets.
    const missingZoho = ZOHO_VARIABLES.some((name) => !config[name]);
    const local = config.CRM_PROVIDER === 'local' || (config.CRM_PROVIDER === undefined && missingZoho);
    if (local && !config.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required for the local ticket store (CRM_PROVIDER=local, or Zoho not configured)',
      });
    }
    // An operator who asks for Zoho by name gets a start error, not a silent local store.
    if (config.CRM_PROVIDER !== 'zoho') return;
    for (const name of ZOHO_VARIABLES) {
      if (!config[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when CRM_PROVIDER=zoho' });
    }
  });
export type TicketsConfig = z.infer<typeof ticketsConfigSchema>;

export interface ZohoSettings {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  orgId: string;
  departmentId: string;
  accountsUrl: string;
  deskUrl: string;
  idempotencyField: string;
}

export type CrmSettings =
  | { provider: 'zoho'; zoho: ZohoSettings }
  /** `notice`: why the local store is used although Zoho was wanted or half configured. */
  | { provider: 'local'; notice?: string };

/**
 * Which CRM runs. An explicit CRM_PROVIDER=zoho with a variable missing is a start error
 * (the operator asked for Zoho); with CRM_PROVIDER unset, a half-configured Zoho falls back
 * to the local store and says which variables are missing.
 */
export function resolveCrmSettings(config: TicketsConfig): CrmSettings {
  const missing = ZOHO_VARIABLES.filter((name) => !config[name]);
  const wanted = config.CRM_PROVIDER ?? (missing.length === 0 ? 'zoho' : 'local');
  if (wanted === 'local') {
    if (config.CRM_PROVIDER === 'local') return { provider: 'local' };
    const notice =
      missing.length === ZOHO_VARIABLES.length
        ? `Zoho Desk not configured (set ${ZOHO_VARIABLES.join(', ')}): tickets are kept in the local store`
        : `Zoho Desk half configured (missing ${missing.join(', ')}): tickets are kept in the local store`;
    return { provider: 'local', notice };
  }
  if (missing.length > 0) {
    throw new Error(`CRM_PROVIDER=zoho needs ${missing.join(', ')}`);
  }
  return {
    provider: 'zoho',
    zoho: {
      clientId: config.ZOHO_CLIENT_ID!,
      clientSecret: config.ZOHO_CLIENT_SECRET!,
      refreshToken: config.ZOHO_REFRESH_TOKEN!,
      orgId: config.ZOHO_ORG_ID!,
      departmentId: config.ZOHO_DEPARTMENT_ID!,
      accountsUrl: config.ZOHO_ACCOUNTS_URL.replace(/\/+$/, ''),
      deskUrl: config.ZOHO_DESK_URL.replace(/\/+$/, ''),
      idempotencyField: config.ZOHO_IDEMPOTENCY_FIELD,
    },
  };
}
