/** What a service answered a DELETE, or why it did not. */
export type CallResult =
  | { reached: true; status: number; body: Record<string, unknown> | undefined }
  | { reached: false; reason: string };

export interface ServiceCaller {
  readonly name: string;
  readonly configured: boolean;
  delete(path: string): Promise<CallResult>;
}

const TIMEOUT_MS = 15_000;

/**
 * Another Helpline service's operator API (bearer API_TOKEN), for the erasure. Never throws:
 * a service that is down, slow or answers nonsense is a result the erasure reports by name.
 */
export function createServiceCaller(options: {
  name: string;
  baseUrl: string | undefined;
  apiToken: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): ServiceCaller {
  const doFetch = options.fetch ?? fetch;
  const configured = Boolean(options.baseUrl && options.apiToken);
  return {
    name: options.name,
    configured,
    async delete(path) {
      if (!options.baseUrl || !options.apiToken) return { reached: false, reason: 'its URL or API_TOKEN is unset' };
      let res: Response;
      try {
        res = await doFetch(new URL(path, options.baseUrl), {
          method: 'DELETE',
          headers: { authorization: `Bearer ${options.apiToken}` },
          signal: AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        return { reached: false, reason: `did not answer (${cause ?? (error as Error).name})` };
      }
      const text = await res.text().catch(() => '');
      let body: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = text ? JSON.parse(text) : undefined;
        body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      return { reached: true, status: res.status, body };
    },
  };
}
