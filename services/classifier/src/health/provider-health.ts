import { breakerState, type CheckResult } from '@helpline/runtime';
import type { ClassifierChain } from '../chain/classifier-chain.js';
import type { ProviderStatusBoard } from '../chain/provider-status.js';
import { PROVIDER_KEY_VARIABLE } from '../providers/provider.js';

/** The message said at start and in /health when no provider has a key. */
export function keywordsOnlyMessage(chain: ClassifierChain): string | undefined {
  if (chain.providers.some((p) => p.provider)) return undefined;
  const variables = chain.providers.map((p) => PROVIDER_KEY_VARIABLE[p.name]).join(', ');
  return `no LLM provider has a key (${variables || 'CLASSIFIER_PROVIDERS is empty'}): classifying with keywords only`;
}

/**
 * /health's view of the providers: `degraded` (never `down`: keywords still answer) when
 * no key is set, a key was refused (naming the variable to fix) or a breaker is open.
 */
export function providerHealth(chain: ClassifierChain, board: ProviderStatusBoard): CheckResult {
  const details: Record<string, unknown> = {};
  const problems: string[] = [];
  const keywordsOnly = keywordsOnlyMessage(chain);
  if (keywordsOnly) problems.push(keywordsOnly);
  const refusals = board.refusals();
  for (const { name, provider } of chain.providers) {
    const breaker = chain.breakers.get(name);
    const refusal = refusals.get(name);
    details[name] = provider
      ? {
          configured: true,
          model: provider.model,
          breaker: breaker ? breakerState(breaker) : 'none',
          ...(refusal ? { authRefused: refusal.status ?? true } : {}),
        }
      : { configured: false, missing: PROVIDER_KEY_VARIABLE[name] };
    if (refusal) {
      problems.push(
        `${PROVIDER_KEY_VARIABLE[name]} was refused by ${name} (${refusal.status ?? 'auth error'}): check the key and its permissions`,
      );
    }
    if (breaker?.opened) problems.push(`${name} breaker is open: its calls go straight to the next provider`);
  }
  return problems.length > 0
    ? { status: 'degraded', message: problems.join('; '), details }
    : { status: 'ok', details };
}
