// How the network service ends an outage: the accounts service owns outages and tells the
// customers once, so the probe asks it to resolve one.
import { CodedError, ERRORS } from '@helpline/runtime';

/** The accounts service's POST /api/outages/:id/resolve, with the operator token. */
export function accountsOutageResolve(options: { accountsUrl: string; token?: string; fetch?: typeof fetch }) {
  const doFetch = options.fetch ?? fetch;
  const base = `${options.accountsUrl.replace(/\/+$/, '')}/api/outages`;
  return async (outageId: string): Promise<boolean> => {
    const res = await doFetch(`${base}/${encodeURIComponent(outageId)}/resolve`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ by: 'network-probe' }),
      signal: AbortSignal.timeout(10_000),
    });
    // 404: gone from the record; nothing left to end.
    if (res.status === 404) {
      await res.arrayBuffer().catch(() => undefined);
      return false;
    }
    if (res.status !== 200) {
      await res.arrayBuffer().catch(() => undefined);
      throw new CodedError(ERRORS.accounts_unavailable, `the accounts service answered ${res.status}`);
    }
    const body = (await res.json().catch(() => ({}))) as { changed?: unknown };
    return body.changed === true;
  };
}
