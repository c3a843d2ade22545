import type { LlmAnswer } from '../answer/llm-answer.js';
import type { LlmAssistantAnswer } from '../answer/llm-reply.js';
import type { Prompt } from '../prompt/build-prompt.js';

export const PROVIDER_NAMES = ['openai', 'gemini', 'anthropic'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** The variable holding each provider's key: named in /health and in the start message. */
export const PROVIDER_KEY_VARIABLE: Record<ProviderName, string> = {
  openai: 'OPENAI_API_KEY',
  gemini: 'GOOGLE_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
};

/**
 * One LLM behind its SDK. `classify` returns an answer already validated against the one
 * answer schema, or throws a ProviderFailure saying why not.
 */
export interface LlmProvider {
  readonly name: ProviderName;
  readonly model: string;
  /** The classification, with the assistant's reply when the prompt asks for one (`prompt.kind`). */
  classify(prompt: Prompt, signal: AbortSignal): Promise<LlmAnswer | LlmAssistantAnswer>;
}
