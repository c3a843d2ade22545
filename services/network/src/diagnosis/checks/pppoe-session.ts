import { isRouterError, UnsafeValueError } from '../../routeros/errors.js';
import type { RouterClient } from '../../routeros/router-client.js';
import type { RouterRow } from '../../routeros/router-connection.js';
import { parseDurationSeconds, parseRouterBoolean } from '../../routeros/values.js';
import { type Check, type CheckContext, type Finding, routerFailure } from './check.js';

/**
 * PPPoE session: present (its uptime; its address is left for the ping) or absent (the
 * secret's last disconnect reason explains it). No router for the customer is an error here.
 */
export const pppoeSessionCheck: Check = {
  name: 'pppoe_session',
  async run(context) {
    const { customer, router } = context;
    if (!router) {
      const problem = context.routerProblem ?? {
        finding: 'router not configured for this customer',
        errorKind: 'not_configured',
      };
      return { result: 'error', finding: problem.finding, data: { errorKind: problem.errorKind } };
    }
    if (customer.pppoeUser === undefined) {
      return { result: 'skipped', finding: 'customer has no PPPoE user on record' };
    }
    try {
      const [session] = await router.run({ kind: 'ppp-active', user: customer.pppoeUser });
      if (!session) return await noSession(context, router, customer.pppoeUser);
      context.sessionAddress = session.address;
      const uptime = session.uptime === undefined ? undefined : parseDurationSeconds(session.uptime);
      return {
        result: 'pass',
        finding: 'PPPoE session active',
        data: { uptimeSeconds: uptime === undefined ? null : Math.round(uptime) },
      };
    } catch (error) {
      return routerFailure(error);
    }
  },
};

/**
 * No session is the answer; the secret only explains it. A failed look-up does not change
 * the answer, but the report says it could not be explained, and why.
 */
async function noSession(context: CheckContext, router: RouterClient, user: string): Promise<Finding> {
  let secret: RouterRow | undefined;
  let lookupError: string | undefined;
  try {
    [secret] = await router.run({ kind: 'ppp-secret', user });
  } catch (error) {
    lookupError = error instanceof UnsafeValueError ? 'unsafe_value' : isRouterError(error) ? error.kind : 'error';
    context.logger.warn(
      { customerId: context.customer.customerId, router: router.name, errorKind: lookupError },
      'PPPoE secret look-up failed',
    );
  }
  const reason = secret?.['last-disconnect-reason'];
  const disabled = secret?.disabled === undefined ? undefined : parseRouterBoolean(secret.disabled);
  const finding = disabled
    ? 'no PPPoE session: the PPPoE account is disabled'
    : lookupError
      ? `no PPPoE session; the account's last disconnect could not be read (${lookupError})`
      : `no PPPoE session${reason ? `; last disconnect: ${reason.slice(0, 80)}` : ''}`;
  return {
    result: 'fail',
    finding,
    data: {
      lastDisconnectReason: reason ? reason.slice(0, 80) : null,
      lastLoggedOut: secret?.['last-logged-out'] ?? null,
      disabled: disabled ?? null,
      ...(lookupError ? { secretLookupError: lookupError } : {}),
    },
  };
}
