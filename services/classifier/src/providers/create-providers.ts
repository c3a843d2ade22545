import type { ClassifierConfig } from '../config.js';
import { createAnthropicProvider } from './anthropic-provider.js';
import { createGeminiProvider } from './gemini-provider.js';
import type { ModelSettings } from './model-settings.js';
import { createOpenAiProvider } from './openai-provider.js';
import type { LlmProvider, ProviderName } from './provider.js';

/** A provider in the configured order: built when its key is set, else `undefined` (skipped as `no_key`). */
export interface ConfiguredProvider {
  name: ProviderName;
  provider: LlmProvider | undefined;
}

function settingsFor(name: ProviderName, config: ClassifierConfig): ModelSettings | undefined {
  const common = { temperature: config.MODEL_TEMPERATURE, maxTokens: config.MAX_TOKENS };
  switch (name) {
    case 'openai':
      return config.OPENAI_API_KEY
        ? { ...common, apiKey: config.OPENAI_API_KEY, model: config.OPENAI_MODEL, baseUrl: config.OPENAI_BASE_URL }
        : undefined;
    case 'gemini':
      return config.GOOGLE_API_KEY
        ? {
            ...common,
            apiKey: config.GOOGLE_API_KEY,
            model: config.GEMINI_MODEL,
            baseUrl: config.GEMINI_BASE_URL,
            ...(config.GEMINI_THINKING_BUDGET !== undefined ? { thinkingBudget: config.GEMINI_THINKING_BUDGET } : {}),
          }
        : undefined;
    case 'anthropic':
      return config.ANTHROPIC_API_KEY
        ? {
            ...common,
            apiKey: config.ANTHROPIC_API_KEY,
            model: config.ANTHROPIC_MODEL,
            baseUrl: config.ANTHROPIC_BASE_URL,
          }
        : undefined;
  }
}

const FACTORIES: Record<ProviderName, (settings: ModelSettings) => LlmProvider> = {
  openai: createOpenAiProvider,
  gemini: createGeminiProvider,
  anthropic: createAnthropicProvider,
};

/** The providers of CLASSIFIER_PROVIDERS, in order. */
export function createProviders(config: ClassifierConfig): ConfiguredProvider[] {
  return config.CLASSIFIER_PROVIDERS.map((name) => {
    const settings = settingsFor(name, config);
    return { name, provider: settings ? FACTORIES[name](settings) : undefined };
  });
}
