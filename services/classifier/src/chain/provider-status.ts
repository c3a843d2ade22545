import type { ProviderName } from '../providers/provider.js';

/**
 * What /health says about each provider's configuration: a refused key (401/403) is not an
 * outage the breaker should handle but a setting an operator must fix, so it is kept here
 * until the provider answers well again.
 */
export interface ProviderStatusBoard {
  authRefused(provider: ProviderName, status: number | undefined): void;
  answered(provider: ProviderName): void;
  refusals(): ReadonlyMap<ProviderName, { status: number | undefined; at: Date }>;
}

export function createProviderStatusBoard(now: () => Date): ProviderStatusBoard {
  const refused = new Map<ProviderName, { status: number | undefined; at: Date }>();
  return {
    authRefused: (provider, status) => {
      refused.set(provider, { status, at: now() });
    },
    answered: (provider) => {
      refused.delete(provider);
    },
    refusals: () => refused,
  };
}
