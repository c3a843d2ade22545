import {
  CATEGORIES,
  CLASSIFICATION_SOURCES,
  Classification,
  Entities,
  LANGUAGES,
  PRIORITIES,
} from '@helpline/contracts';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fullClassification, minimalClassification } from './support/examples.js';
import { issuePaths, onlyIssue } from './support/issues.js';

describe('Classification', () => {
  test('a minimal classification parses and gets empty entities', () => {
    const parsed = Classification.parse(minimalClassification);
    expect(parsed.entities).toEqual({ ips: [], documentNumbers: [], ticketNumbers: [] });
  });

  test('a full classification parses unchanged', () => {
    expect(Classification.parse(fullClassification)).toEqual(fullClassification);
  });

  test('entities given in part get the missing lists', () => {
    const parsed = Classification.parse({ ...minimalClassification, entities: { ips: ['8.8.8.8'] } });
    expect(parsed.entities).toEqual({ ips: ['8.8.8.8'], documentNumbers: [], ticketNumbers: [] });
    expect(Entities.parse({})).toEqual({ ips: [], documentNumbers: [], ticketNumbers: [] });
  });

  test('the default entities are not shared between parses', () => {
    const first = Classification.parse(minimalClassification);
    first.entities.ips.push('10.0.0.1');
    first.entities.ticketNumbers.push('#1');
    expect(Classification.parse(minimalClassification).entities).toEqual({
      ips: [],
      documentNumbers: [],
      ticketNumbers: [],
    });
  });

  test('the summary is trimmed; confidence 0 and 1 are the bounds', () => {
    expect(Classification.parse({ ...minimalClassification, summary: '  Sin internet  ' }).summary).toBe(
      'Sin internet',
    );
    expect(Classification.parse({ ...minimalClassification, confidence: 0 }).confidence).toBe(0);
    expect(Classification.parse({ ...minimalClassification, confidence: 1 }).confidence).toBe(1);
  });

  test.each([
    ['an unknown category', { category: 'network' }, ['category']],
    ['an unknown priority', { priority: 'p1' }, ['priority']],
    ['confidence 1.5', { confidence: 1.5 }, ['confidence']],
    ['negative confidence', { confidence: -0.1 }, ['confidence']],
    ['confidence as a string', { confidence: '0.9' }, ['confidence']],
    ['a blank summary', { summary: '   ' }, ['summary']],
    ['a summary over 200 characters', { summary: 'a'.repeat(201) }, ['summary']],
    ['language pt', { language: 'pt' }, ['language']],
    ['an unknown source', { source: 'llama' }, ['source']],
    ['needsTicket as a string', { needsTicket: 'yes' }, ['needsTicket']],
  ])('refuses %s and names the field', (_name, patch, path) => {
    expect(issuePaths(Classification, { ...minimalClassification, ...patch })).toEqual([path]);
  });

  test.each(['256.1.1.1', '10.0.0', '::1', '192.168.1.1/24', 'router'])('refuses %s as an IPv4 entity', (ip) => {
    const issue = onlyIssue(Classification, { ...minimalClassification, entities: { ips: ['8.8.8.8', ip] } });
    expect(issue.path).toEqual(['entities', 'ips', 1]);
    expect(issue.code).toBe('invalid_format');
  });

  test('any valid classification survives a trip through JSON (as a job payload does)', () => {
    const classification = fc.record({
      category: fc.constantFrom(...CATEGORIES),
      priority: fc.constantFrom(...PRIORITIES),
      needsTicket: fc.boolean(),
      summary: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0),
      language: fc.constantFrom(...LANGUAGES),
      // `+ 0` turns -0 into 0: JSON has no negative zero, and the trip would change it.
      confidence: fc.double({ min: 0, max: 1, noNaN: true }).map((n) => n + 0),
      source: fc.constantFrom(...CLASSIFICATION_SOURCES),
      entities: fc.option(
        fc.record({
          ips: fc.array(fc.ipV4(), { maxLength: 3 }),
          documentNumbers: fc.array(fc.string(), { maxLength: 3 }),
          ticketNumbers: fc.array(fc.string(), { maxLength: 3 }),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(classification, (input) => {
        const parsed = Classification.parse(input);
        const again = Classification.parse(JSON.parse(JSON.stringify(parsed)));
        expect(again).toEqual(parsed);
      }),
    );
  });
});
