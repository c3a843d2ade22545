import {
  baseConfigShape,
  envBoolean,
  envInt,
  envList,
  envNumber,
  envOptionalUrl,
  envPort,
  envRequiredInt,
  envUrl,
} from '@helpline/runtime';
import { z } from 'zod';
import { PROVIDER_NAMES, type ProviderName } from './providers/provider.js';

/** See docs/services/classifier.md, "Bursts": what the pipeline benchmark measured. */
export const BURST_WINDOW_DEFAULT_MS = 0;

const providerList = envList(PROVIDER_NAMES).transform((names, ctx) => {
  const unknown = names.filter((n) => !(PROVIDER_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown provider ${unknown.join(', ')}: expected a comma list of ${PROVIDER_NAMES.join(', ')}`,
    });
    return z.NEVER;
  }
  // A name given twice would ask the same provider twice in one chain.
  return [...new Set(names)] as ProviderName[];
});

/**
 * The classifier's slice of the environment. Keys are optional: a
 * provider without one is skipped, and with none at all the service answers from keywords.
 */
export const classifierConfigShape = {
  ...baseConfigShape,
  CLASSIFIER_PORT: envPort(8001),
  CLASSIFIER_PROVIDERS: providerList,
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_BASE_URL: envOptionalUrl(['http', 'https'], 'https://api.openai.com/v1'),
  GOOGLE_API_KEY: z.string().optional(),
  GEMINI_MODEL: z.string().default('gemini-2.5-flash'),
  GEMINI_BASE_URL: envOptionalUrl(['http', 'https'], 'https://generativelanguage.googleapis.com'),
  /**
   * Gemini's thinking budget in tokens, sent as `thinkingConfig.thinkingBudget` on every
   * Gemini call: -1 the model decides, 0 off (2.5 Flash and Flash-Lite only), else a cap.
   * Thoughts count against MAX_TOKENS. Unset: 0 on gemini-2.5-flash*, nothing sent on other
   * models (see providers/gemini-thinking.ts).
   */
  GEMINI_THINKING_BUDGET: envRequiredInt({ min: -1, max: 32_768 }).optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_MODEL: z.string().default('claude-haiku-4-5'),
  ANTHROPIC_BASE_URL: envOptionalUrl(['http', 'https'], 'https://api.anthropic.com'),
  MODEL_TEMPERATURE: envNumber(0, { min: 0, max: 2 }),
  MAX_TOKENS: envInt(500, { min: 64, max: 8192 }),
  /** Deadline of one provider call. */
  CLASSIFIER_TIMEOUT_MS: envInt(8_000, { min: 50, max: 120_000 }),
  /** Deadline of the whole chain; the keywords answer when it has passed. */
  CLASSIFIER_DEADLINE_MS: envInt(20_000, { min: 50, max: 600_000 }),
  /**
   * Inbound messages classified at once by one process. An LLM answer takes seconds, so a
   * small number caps throughput at a few messages a second; the providers' own rate limits
   * and the breakers bound what goes out.
   */
  CLASSIFIER_CONCURRENCY: envInt(32, { min: 1, max: 512 }),
  /** Customers' billing, account and sales messages go to the accounts service (queue `accounts`); false: a ticket or an acknowledgement as before. */
  ACCOUNTS_ENABLED: envBoolean(true),
  /**
   * The ISP's own answers (markdown, one entry per `## ` heading). Unset: no knowledge, the
   * assistant answers nothing and every message gets the acknowledgements as before.
   */
  KNOWLEDGE_DIR: z.string().optional(),
  /** The assistant's system prompt for this deployment; unset: the shipped default. */
  ASSISTANT_PROMPT_FILE: z.string().optional(),
  /** Where voice notes are downloaded: the gateway's GET /api/media (with API_TOKEN). */
  GATEWAY_URL: envUrl(['http', 'https'], 'http://127.0.0.1:3001').default('http://127.0.0.1:3001'),
  /**
   * Messages of one sender in one chat arriving within this many milliseconds of the first
   * are answered once, as one text; the first waits at most this long. 0: every message
   * is answered alone, as before. The default is chosen from the pipeline benchmark
   * (docs/services/classifier.md, "Bursts").
   */
  BURST_WINDOW_MS: envInt(BURST_WINDOW_DEFAULT_MS, { min: 0, max: 10_000 }),
  /** OpenAI's transcription model for voice notes (Gemini transcribes with GEMINI_MODEL). */
  OPENAI_TRANSCRIBE_MODEL: z.string().default('gpt-4o-mini-transcribe'),
};

export const classifierConfigSchema = z.object(classifierConfigShape);
export type ClassifierConfig = z.infer<typeof classifierConfigSchema>;

/** The config from a plain record of variables (tests; main uses loadConfigOrExit). */
export function parseClassifierConfig(env: Record<string, string | undefined> = {}): ClassifierConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  return classifierConfigSchema.parse(clean);
}
