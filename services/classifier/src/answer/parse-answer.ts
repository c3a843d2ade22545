import { describeIssues } from '@helpline/runtime';
import { ProviderFailure } from '../providers/provider-failure.js';
import type { ProviderName } from '../providers/provider.js';
import { LlmAnswer } from './llm-answer.js';
import { type AnswerKind, LlmAssistantAnswer } from './llm-reply.js';

/**
 * Validates what a provider returned. Text is parsed as JSON first; an answer that is not
 * JSON, or JSON of another shape, is that provider's failure (`invalid_answer`), whatever
 * the message may have asked the model to do. `cutOff` says the provider stopped at the
 * output limit (how, for the message): an answer that then fails to parse is the limit's
 * doing, `output_limit`, not a confusing "not JSON"; one that parses whole is kept.
 */
export function parseAnswer(
  provider: ProviderName,
  raw: unknown,
  kind: AnswerKind = 'classification',
  cutOff?: string,
): LlmAnswer | LlmAssistantAnswer {
  if (cutOff === undefined) return parseWhole(provider, raw, kind);
  try {
    return parseWhole(provider, raw, kind);
  } catch (error) {
    throw new ProviderFailure(provider, 'output_limit', `answer stopped at the output limit (${cutOff})`, {
      cause: error,
    });
  }
}

function parseWhole(provider: ProviderName, raw: unknown, kind: AnswerKind): LlmAnswer | LlmAssistantAnswer {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ProviderFailure(provider, 'invalid_answer', 'answer is not JSON');
    }
  }
  if (value === undefined || value === null) throw new ProviderFailure(provider, 'invalid_answer', 'empty answer');
  const parsed = (kind === 'assistant' ? LlmAssistantAnswer : LlmAnswer).safeParse(value);
  if (!parsed.success) {
    throw new ProviderFailure(
      provider,
      'invalid_answer',
      `answer off the schema: ${describeIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}
