import { CodedError, ERRORS } from '@helpline/runtime';
import { z } from 'zod';

const Answer = z.object({ open: z.array(z.string()) });

export interface WindowClient {
  /**
   * The chats inside their 24-hour window now (with `withinHours`, whose customer wrote
   * within that many hours); throws when the gateway cannot say.
   */
  open(chats: readonly string[], withinHours?: number): Promise<Set<string>>;
}

/** The gateway's POST /api/windows, in calls of at most 1,000 chats, with the operator token. */
export function createWindowClient(options: {
  gatewayUrl: string;
  token?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): WindowClient {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.gatewayUrl.replace(/\/+$/, '')}/api/windows`;
  return {
    async open(chats, withinHours) {
      const open = new Set<string>();
      for (let i = 0; i < chats.length; i += 1_000) {
        const res = await doFetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify({
            chats: chats.slice(i, i + 1_000),
            ...(withinHours !== undefined ? { within_hours: withinHours } : {}),
          }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        if (res.status !== 200) {
          await res.arrayBuffer().catch(() => undefined);
          throw new CodedError(ERRORS.gateway_unavailable, `the gateway answered ${res.status} to POST /api/windows`);
        }
        for (const chat of Answer.parse(await res.json()).open) open.add(chat);
      }
      return open;
    },
  };
}
