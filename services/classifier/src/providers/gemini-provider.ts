import { FinishReason, type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { jsonSchemaFor } from '../answer/llm-reply.js';
import { parseAnswer } from '../answer/parse-answer.js';
import type { Prompt } from '../prompt/build-prompt.js';
import { geminiThinkingConfig } from './gemini-thinking.js';
import type { ModelSettings } from './model-settings.js';
import type { LlmProvider } from './provider.js';
import { toProviderFailure } from './provider-failure.js';

/**
 * How a Gemini answer stopped at the output limit, for the failure's message; undefined when
 * it did not. Thoughts are counted in the same `maxOutputTokens` as the answer.
 */
export function geminiCutOff(response: GenerateContentResponse, maxTokens: number): string | undefined {
  if (response.candidates?.[0]?.finishReason !== FinishReason.MAX_TOKENS) return undefined;
  const thoughts = response.usageMetadata?.thoughtsTokenCount;
  return `finish reason MAX_TOKENS at MAX_TOKENS=${maxTokens}${thoughts ? `, ${thoughts} of them thinking` : ''}`;
}

/**
 * Gemini through @google/genai (the successor of the end-of-life @google/generative-ai):
 * JSON output constrained by `responseJsonSchema`. Retries are off (one attempt). Thinking
 * as `geminiThinkingConfig` says (off on 2.5 Flash unless GEMINI_THINKING_BUDGET says otherwise).
 */
export function createGeminiProvider(settings: ModelSettings): LlmProvider {
  const client = new GoogleGenAI({
    apiKey: settings.apiKey,
    httpOptions: { ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}), retryOptions: { attempts: 1 } },
  });
  const schemas = { classification: jsonSchemaFor('classification'), assistant: jsonSchemaFor('assistant') };
  const thinkingConfig = geminiThinkingConfig(settings.model, settings.thinkingBudget);
  return {
    name: 'gemini',
    model: settings.model,
    async classify(prompt: Prompt, signal: AbortSignal) {
      let text: string | undefined;
      let cutOff: string | undefined;
      try {
        const response = await client.models.generateContent({
          model: settings.model,
          contents: [{ role: 'user', parts: [{ text: prompt.user }] }],
          config: {
            systemInstruction: prompt.system,
            temperature: settings.temperature,
            maxOutputTokens: settings.maxTokens,
            responseMimeType: 'application/json',
            responseJsonSchema: schemas[prompt.kind],
            ...(thinkingConfig ? { thinkingConfig } : {}),
            abortSignal: signal,
          },
        });
        text = response.text;
        cutOff = geminiCutOff(response, settings.maxTokens);
      } catch (error) {
        throw toProviderFailure('gemini', error, signal);
      }
      return parseAnswer('gemini', text, prompt.kind, cutOff);
    },
  };
}
