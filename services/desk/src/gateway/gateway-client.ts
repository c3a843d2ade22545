import { httpErrors } from '@helpline/runtime';

export type GatewayAction = 'resume' | 'close' | 'erase';

export interface GatewayClient {
  readonly configured: boolean;
  /**
   * Asks the gateway to change a chat's live state in Redis. Resolves with the gateway's
   * JSON answer, or `undefined` when the gateway knows no such chat (404).
   */
  act(action: GatewayAction, chatId: string): Promise<Record<string, unknown> | undefined>;
}

const TIMEOUT_MS = 15_000;

/**
 * The gateway's staff actions over HTTP with the operator token: only the gateway holds a
 * chat's live state (consent, handoff pause, menu), so the desk asks it rather than
 * writing the gateway's keys itself.
 */
export function createGatewayClient(options: {
  baseUrl: string | undefined;
  apiToken: string | undefined;
  fetch?: typeof fetch;
}): GatewayClient {
  const doFetch = options.fetch ?? fetch;
  const configured = Boolean(options.baseUrl && options.apiToken);
  return {
    configured,
    async act(action, chatId) {
      if (!options.baseUrl || !options.apiToken) {
        throw httpErrors.unavailable('GATEWAY_URL and API_TOKEN must be set for the desk to change a chat');
      }
      const path = `/api/conversations/${encodeURIComponent(chatId)}${action === 'erase' ? '' : `/${action}`}`;
      let res: Response;
      try {
        res = await doFetch(new URL(path, options.baseUrl), {
          method: action === 'erase' ? 'DELETE' : 'POST',
          headers: { authorization: `Bearer ${options.apiToken}` },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        throw httpErrors.unavailable(`the gateway did not answer (${(error as Error).name}); try again later`);
      }
      if (res.status === 404) return undefined;
      if (!res.ok) {
        throw httpErrors.unavailable(`the gateway answered ${res.status}; try again later`);
      }
      return (await res.json()) as Record<string, unknown>;
    },
  };
}
