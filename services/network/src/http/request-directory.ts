import { type CustomerDirectory, WisphubError, WisphubRefusedError } from '@helpline/directory';
import { CodedError, ERRORS } from '@helpline/runtime';

/**
 * The directory as an operator's request sees it: WispHub away or refusing is
 * `directory_unavailable` (503, try again later), whatever the worker would make of it.
 * The worker keeps the plain directory: a refusal fails its job at once, an outage retries.
 */
export function directoryForRequests(directory: CustomerDirectory): CustomerDirectory {
  return {
    source: directory.source,
    ...(directory.breaker ? { breaker: directory.breaker } : {}),
    find: (reference) =>
      directory.find(reference).catch((error: unknown) => {
        if (!(error instanceof WisphubError || error instanceof WisphubRefusedError)) throw error;
        throw new CodedError(ERRORS.directory_unavailable, `customer directory unavailable: ${error.message}`, {
          cause: error,
        });
      }),
  };
}
