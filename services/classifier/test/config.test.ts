import { ConfigError, loadConfig } from '@helpline/runtime';
import { describe, expect, test } from 'vitest';
import { classifierConfigSchema, parseClassifierConfig } from '../src/config.js';
import { createProviders } from '../src/providers/create-providers.js';

describe('classifier config', () => {
  test('defaults: port 8001, the three providers in order, no keys', () => {
    const config = parseClassifierConfig({});
    expect(config.CLASSIFIER_PORT).toBe(8001);
    expect(config.CLASSIFIER_PROVIDERS).toEqual(['openai', 'gemini', 'anthropic']);
    expect(config.OPENAI_API_KEY).toBeUndefined();
    expect(config.CLASSIFIER_TIMEOUT_MS).toBeLessThan(config.CLASSIFIER_DEADLINE_MS);
    expect(createProviders(config).every((p) => p.provider === undefined)).toBe(true);
  });

  test('order, models, base URLs, temperature and tokens are read', () => {
    const config = parseClassifierConfig({
      CLASSIFIER_PROVIDERS: ' anthropic , openai,anthropic',
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_MODEL: 'claude-x',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/',
      MODEL_TEMPERATURE: '0.3',
      MAX_TOKENS: '256',
    });
    expect(config.CLASSIFIER_PROVIDERS).toEqual(['anthropic', 'openai']);
    expect(config).toMatchObject({ ANTHROPIC_MODEL: 'claude-x', MODEL_TEMPERATURE: 0.3, MAX_TOKENS: 256 });
    const providers = createProviders(config);
    expect(providers.map((p) => [p.name, p.provider?.model])).toEqual([
      ['anthropic', 'claude-x'],
      ['openai', undefined],
    ]);
  });

  test('GEMINI_THINKING_BUDGET: unset by default; -1 to 32768; anything else named', () => {
    expect(parseClassifierConfig({}).GEMINI_THINKING_BUDGET).toBeUndefined();
    expect(parseClassifierConfig({ GEMINI_THINKING_BUDGET: '0' }).GEMINI_THINKING_BUDGET).toBe(0);
    expect(parseClassifierConfig({ GEMINI_THINKING_BUDGET: '-1' }).GEMINI_THINKING_BUDGET).toBe(-1);
    for (const bad of ['-2', '40000', 'none', '1.5']) {
      expect(() => parseClassifierConfig({ GEMINI_THINKING_BUDGET: bad })).toThrow();
    }
  });

  test('bad values stop the start with one line per variable; keys are never echoed', () => {
    const error = (() => {
      try {
        loadConfig(classifierConfigSchema, {
          envFile: false,
          env: {
            CLASSIFIER_PROVIDERS: 'openai,mistral',
            OPENAI_BASE_URL: 'not a url',
            CLASSIFIER_TIMEOUT_MS: 'soon',
            OPENAI_API_KEY: 'sk-secret',
          },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).lines;
    expect(lines.find((l) => l.startsWith('CLASSIFIER_PROVIDERS'))).toContain('unknown provider mistral');
    expect(lines.some((l) => l.startsWith('OPENAI_BASE_URL'))).toBe(true);
    expect(lines.some((l) => l.startsWith('CLASSIFIER_TIMEOUT_MS'))).toBe(true);
    expect(lines.join('\n')).not.toContain('sk-secret');
  });
});
