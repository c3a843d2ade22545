import { GoogleGenAI } from '@google/genai';
import { jsonSchemaFor } from '../answer/llm-reply.js';
import { parseAnswer } from '../answer/parse-answer.js';
import type { Prompt } from '../prompt/build-prompt.js';
import type { ModelSettings } from './model-settings.js';
import type { LlmProvider } from './provider.js';
import { toProviderFailure } from './provider-failure.js';

/**
 * Gemini through @google/genai (the successor of the end-of-life @google/generative-ai):
 * JSON output constrained by `responseJsonSchema`. Retries are off (one attempt).
 */
export function createGeminiProvider(settings: ModelSettings): LlmProvider {
  const client = new GoogleGenAI({
    apiKey: settings.apiKey,
    httpOptions: { ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}), retryOptions: { attempts: 1 } },
  });
  const schemas = { classification: jsonSchemaFor('classification'), assistant: jsonSchemaFor('assistant') };
  return {
    name: 'gemini',
    model: settings.model,
    async classify(prompt: Prompt, signal: AbortSignal) {
      let text: string | undefined;
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
            abortSignal: signal,
          },
        });
        text = response.text;
      } catch (error) {
        throw toProviderFailure('gemini', error, signal);
      }
      return parseAnswer('gemini', text, prompt.kind);
    },
  };
}
