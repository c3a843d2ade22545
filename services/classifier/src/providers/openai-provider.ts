import OpenAI from 'openai';
import { jsonSchemaFor } from '../answer/llm-reply.js';
import { parseAnswer } from '../answer/parse-answer.js';
import type { Prompt } from '../prompt/build-prompt.js';
import type { LlmProvider } from './provider.js';
import { ProviderFailure, toProviderFailure } from './provider-failure.js';
import type { ModelSettings } from './model-settings.js';

/**
 * OpenAI chat completions with a strict JSON schema response format. SDK retries are off
 * (the chain and the breaker own retrying); the deadline arrives as an AbortSignal.
 */
export function createOpenAiProvider(settings: ModelSettings): LlmProvider {
  const client = new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseUrl, maxRetries: 0 });
  const schemas = { classification: jsonSchemaFor('classification'), assistant: jsonSchemaFor('assistant') };
  return {
    name: 'openai',
    model: settings.model,
    async classify(prompt: Prompt, signal: AbortSignal) {
      let content: string | null | undefined;
      let cutOff: string | undefined;
      try {
        const completion = await client.chat.completions.create(
          {
            model: settings.model,
            temperature: settings.temperature,
            max_completion_tokens: settings.maxTokens,
            messages: [
              { role: 'system', content: prompt.system },
              { role: 'user', content: prompt.user },
            ],
            response_format: {
              type: 'json_schema',
              json_schema: { name: prompt.kind, strict: true, schema: schemas[prompt.kind] },
            },
          },
          { signal },
        );
        const choice = completion.choices[0];
        const message = choice?.message;
        if (message?.refusal) throw new ProviderFailure('openai', 'invalid_answer', 'the model refused to answer');
        content = message?.content;
        if (choice?.finish_reason === 'length') cutOff = `finish reason length at MAX_TOKENS=${settings.maxTokens}`;
      } catch (error) {
        throw toProviderFailure('openai', error, signal);
      }
      return parseAnswer('openai', content, prompt.kind, cutOff);
    },
  };
}
