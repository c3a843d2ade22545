import Anthropic from '@anthropic-ai/sdk';
import { jsonSchemaFor } from '../answer/llm-reply.js';
import { parseAnswer } from '../answer/parse-answer.js';
import type { Prompt } from '../prompt/build-prompt.js';
import type { ModelSettings } from './model-settings.js';
import type { LlmProvider } from './provider.js';
import { ProviderFailure, toProviderFailure } from './provider-failure.js';

export const ANTHROPIC_TOOL_NAME = 'record_classification';

/**
 * Anthropic messages with one tool whose input schema is the answer schema, and
 * `tool_choice` forcing the model to call it: the tool's input is the answer.
 * No `temperature`: the SDK (1.x) sends `anthropic-version: 2026-10-21`, under which the
 * Messages API answers 400 to `temperature`, `top_p` and `top_k` on every model (even at
 * their defaults), and its types have no such fields. MODEL_TEMPERATURE does not apply here.
 */
export function createAnthropicProvider(settings: ModelSettings): LlmProvider {
  const client = new Anthropic({ apiKey: settings.apiKey, baseURL: settings.baseUrl, maxRetries: 0 });
  const schemas = {
    classification: jsonSchemaFor('classification') as Anthropic.Tool.InputSchema,
    assistant: jsonSchemaFor('assistant') as Anthropic.Tool.InputSchema,
  };
  return {
    name: 'anthropic',
    model: settings.model,
    async classify(prompt: Prompt, signal: AbortSignal) {
      let input: unknown;
      let cutOff: string | undefined;
      try {
        const message = await client.messages.create(
          {
            model: settings.model,
            max_tokens: settings.maxTokens,
            system: prompt.system,
            messages: [{ role: 'user', content: prompt.user }],
            tools: [
              {
                name: ANTHROPIC_TOOL_NAME,
                description:
                  prompt.kind === 'assistant'
                    ? 'Record the classification of the customer message and the reply to it.'
                    : 'Record the classification of the customer message.',
                input_schema: schemas[prompt.kind],
              },
            ],
            tool_choice: { type: 'tool', name: ANTHROPIC_TOOL_NAME },
          },
          { signal },
        );
        const call = message.content.find((block) => block.type === 'tool_use' && block.name === ANTHROPIC_TOOL_NAME);
        if (message.stop_reason === 'max_tokens') {
          // Stopped mid-way: whatever tool input there is goes to the parser, which says so.
          cutOff = `stop reason max_tokens at MAX_TOKENS=${settings.maxTokens}`;
        } else if (call?.type !== 'tool_use') {
          throw new ProviderFailure('anthropic', 'invalid_answer', 'the model did not call the classification tool');
        }
        input = call?.type === 'tool_use' ? call.input : undefined;
      } catch (error) {
        throw toProviderFailure('anthropic', error, signal);
      }
      return parseAnswer('anthropic', input, prompt.kind, cutOff);
    },
  };
}
