// The routers the network service talks to, from MIKROTIK_ROUTERS (a JSON array, or the path
// of a file holding one) or from the single-router variables (MIKROTIK_HOST, ...), with each
// router's CA file read at start, so a missing or broken one stops the start with one line.
import { existsSync, readFileSync } from 'node:fs';
import { envBoolean, envInt } from '@helpline/runtime';
import { z } from 'zod';
import type { RouterEndpoint } from './router-connection.js';

/** The RouterOS variables of the network service (README, configuration table). */
export const routerConfigShape = {
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
};

type RouterVariables = z.infer<z.ZodObject<typeof routerConfigShape>>;

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

/** MIKROTIK_ROUTERS' routers, or undefined once an issue naming what is wrong was added. */
function routersFromList(env: RouterVariables, raw: string, ctx: z.RefinementCtx): RouterEndpoint[] | undefined {
  let text = raw;
  if (!raw.startsWith('[')) {
    if (!existsSync(raw)) {
      ctx.addIssue({
        code: 'custom',
        path: [ROUTERS, 'file'],
        message: 'expected a JSON array of routers or the path of a file holding one',
      });
      return undefined;
    }
    text = readFileSync(raw, 'utf8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', path: [ROUTERS, 'json'], message: 'is not valid JSON' });
    return undefined;
  }
  const list = z.array(RouterEntry).min(1).safeParse(parsed);
  if (!list.success) {
    const first = list.error.issues[0];
    ctx.addIssue({
      code: 'custom',
      path: [ROUTERS, ...(first?.path ?? []).map(String)],
      message: `${first?.message ?? 'invalid'} (expected [{name, host, port?, username, password, tls?, tlsCa?}])`,
    });
    return undefined;
  }
  const names = new Set(list.data.map((r) => r.name));
  if (names.size !== list.data.length) {
    ctx.addIssue({ code: 'custom', path: [ROUTERS, 'name'], message: 'router names must be unique' });
    return undefined;
  }
  const routers: RouterEndpoint[] = [];
  for (const [index, { tlsCa, ...r }] of list.data.entries()) {
    const ca = tlsCa ?? env.MIKROTIK_TLS_CA;
    const read = ca ? readCaFile(ca) : undefined;
    if (read && 'error' in read) {
      ctx.addIssue({ code: 'custom', path: [ROUTERS, String(index), 'tlsCa'], message: read.error });
      return undefined;
    }
    routers.push({ ...r, port: r.port ?? (r.tls ? 8729 : 8728), ...(read ? { ca: read.pem } : {}) });
  }
  return routers;
}

/** The one router of MIKROTIK_HOST, or undefined once an issue was added. */
function singleRouter(env: RouterVariables, host: string, ctx: z.RefinementCtx): RouterEndpoint[] | undefined {
  if (!env.MIKROTIK_USERNAME) {
    ctx.addIssue({ code: 'custom', path: ['MIKROTIK_USERNAME'], message: 'is required when MIKROTIK_HOST is set' });
    return undefined;
  }
  const read = env.MIKROTIK_TLS_CA ? readCaFile(env.MIKROTIK_TLS_CA) : undefined;
  if (read && 'error' in read) {
    ctx.addIssue({ code: 'custom', path: ['MIKROTIK_TLS_CA'], message: read.error });
    return undefined;
  }
  return [
    {
      name: 'default',
      host,
      port: env.MIKROTIK_PORT || (env.MIKROTIK_TLS ? 8729 : 8728),
      username: env.MIKROTIK_USERNAME,
      password: env.MIKROTIK_PASSWORD ?? '',
      tls: env.MIKROTIK_TLS,
      ...(read ? { ca: read.pem } : {}),
    },
  ];
}

/**
 * The configured routers (none when neither way is used), or undefined once an issue was
 * added to `ctx` (the caller returns z.NEVER).
 */
export function routersFromEnv(env: RouterVariables, ctx: z.RefinementCtx): RouterEndpoint[] | undefined {
  if (env.MIKROTIK_ROUTERS) return routersFromList(env, env.MIKROTIK_ROUTERS.trim(), ctx);
  if (env.MIKROTIK_HOST) return singleRouter(env, env.MIKROTIK_HOST, ctx);
  return [];
}
