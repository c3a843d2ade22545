import {
  CATEGORIES,
  CHANNELS,
  isOneToOneChannel,
  CLASSIFICATION_SOURCES,
  Category,
  Channel,
  ClassificationSource,
  LANGUAGES,
  Language,
  PRIORITIES,
  Priority,
} from '@helpline/contracts';
import { describe, expect, test } from 'vitest';

// The enum values are stored in Redis and grouped by in dashboards; these lists pin them so
// that a rename shows up as a failing test instead of as silently orphaned data.
describe('taxonomy', () => {
  test('categories are exactly the design taxonomy', () => {
    expect(CATEGORIES).toEqual([
      'connectivity',
      'technical',
      'billing',
      'account',
      'sales',
      'human',
      'greeting',
      'other',
    ]);
    for (const c of CATEGORIES) expect(Category.parse(c)).toBe(c);
  });

  test('priorities, languages, channels and sources', () => {
    expect(PRIORITIES).toEqual(['low', 'medium', 'high', 'urgent']);
    expect(LANGUAGES).toEqual(['es', 'en']);
    // Appended, never reordered: jobs in Redis name them.
    expect(CHANNELS).toEqual(['cloud', 'group', 'twilio']);
    expect(CLASSIFICATION_SOURCES).toEqual(['openai', 'gemini', 'anthropic', 'keywords']);
  });

  test('one-to-one channels are the Cloud API and Twilio; groups are not', () => {
    expect(CHANNELS.filter(isOneToOneChannel)).toEqual(['cloud', 'twilio']);
  });

  test.each([
    ['category', Category, 'network'],
    ['category (case matters)', Category, 'Billing'],
    ['priority', Priority, 'critical'],
    ['language', Language, 'pt'],
    ['channel', Channel, 'sms'],
    ['source', ClassificationSource, 'mistral'],
  ])('refuses an unknown %s', (_name, schema, value) => {
    const result = schema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('invalid_value');
  });
});
