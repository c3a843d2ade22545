import type { ThinkingConfig } from '@google/genai';

/**
 * Gemini 2.5 Flash and Flash-Lite: the models that accept a thinking budget of 0 (thinking
 * off). 2.5 Pro refuses 0, and Gemini 3 models are tuned with `thinkingLevel` instead.
 */
const THINKING_OFF_BY_DEFAULT = /^(models\/)?gemini-2\.5-flash/;

/**
 * The `thinkingConfig` sent with every Gemini call (the assistant's and transcription).
 * On thinking models the thoughts count against `maxOutputTokens`, so with MAX_TOKENS at
 * 500 a model left to think as it likes can spend the whole budget thinking and answer
 * nothing (finish reason MAX_TOKENS). Classifying, replying from given entries and
 * transcribing need no reasoning, so where the model allows it thinking is off.
 * `budget` (GEMINI_THINKING_BUDGET) overrides: -1 lets the model decide, 0 turns it off, a
 * number caps it. Unset, on any other model, nothing is sent and the model's own default
 * applies (raise MAX_TOKENS for those).
 */
export function geminiThinkingConfig(model: string, budget: number | undefined): ThinkingConfig | undefined {
  if (budget !== undefined) return { thinkingBudget: budget };
  return THINKING_OFF_BY_DEFAULT.test(model) ? { thinkingBudget: 0 } : undefined;
}
