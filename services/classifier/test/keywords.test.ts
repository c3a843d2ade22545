import { Classification } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { extractEntities } from '../src/keywords/entities.js';
import { CATEGORY_GOAL, evaluateAll, loadEvalSet, EVAL_SETS } from '../src/keywords/evaluate.js';
import { createKeywordClassifier } from '../src/keywords/keyword-classifier.js';
import { KeywordRules, loadKeywordRules } from '../src/keywords/keyword-rules.js';
import { normalizeText } from '../src/keywords/normalize.js';

const rules = loadKeywordRules();
const keywords = createKeywordClassifier(rules);
const classify = (text: string) => keywords.classify(text).classification;

describe('keyword classifier', () => {
  test('normalisation folds case, accents, ñ and emoji', () => {
    expect(normalizeText('¡URGENTE! El internet está CAÍDO 😡😡 señal')).toBe('urgente el internet esta caido senal');
  });

  test('case, accents and emoji do not change the answer', () => {
    const plain = classify('el internet esta caido desde ayer');
    for (const variant of ['EL INTERNET ESTÁ CAÍDO DESDE AYER', 'el internet está caído 😭😭 desde ayer!!', 'El Internet Esta Caido Desde Ayer']) {
      const c = classify(variant);
      expect([c.category, c.priority, c.needsTicket]).toEqual([plain.category, plain.priority, plain.needsTicket]);
    }
    expect(plain).toMatchObject({ category: 'connectivity', priority: 'high', needsTicket: true, source: 'keywords' });
  });

  test('terms match whole words only', () => {
    // "red" (network) must not fire inside "redacción"; "pos" not inside "posible".
    const custom = createKeywordClassifier({
      ...rules,
      categories: { ...rules.categories, connectivity: { red: 3 }, technical: { pos: 3 } },
    });
    expect(custom.classify('una redacción lo más posible').classification.category).toBe('other');
    expect(custom.classify('la red del pos').matched).toEqual({ connectivity: ['red'], technical: ['pos'] });
  });

  test('a trailing * matches words that start so', () => {
    expect(keywords.classify('se desconecta todo el tiempo').matched.connectivity).toContain('desconect*');
  });

  test('priority cues: urgente, no funciona, caído, todos, desde ayer', () => {
    expect(classify('URGENTE sin internet').priority).toBe('urgent');
    expect(classify('el internet no funciona').priority).toBe('high');
    expect(classify('el internet va lento').priority).toBe('medium');
    expect(classify('todos estamos sin servicio').priority).toBe('high');
    expect(classify('la impresora no imprime desde ayer').priority).toBe('high');
    expect(classify('mucha latencia en los juegos').priority).toBe('low');
  });

  test('a greeting beside a request yields to the request', () => {
    expect(classify('hola buenas tardes').category).toBe('greeting');
    expect(classify('hola buenas tardes, me cobraron doble').category).toBe('billing');
  });

  test('language: Spanish and English', () => {
    expect(classify('my internet is not working since yesterday').language).toBe('en');
    expect(classify('no tengo internet desde ayer').language).toBe('es');
    // Nothing to go on: the caller's hint, else Spanish.
    expect(keywords.classify('ok', { languageHint: 'en' }).classification.language).toBe('en');
    expect(classify('ok').language).toBe('es');
  });

  test('no match at all: other, low confidence; the answer always fits the contract', () => {
    const c = classify('xyz 123');
    expect(c).toMatchObject({ category: 'other', confidence: 0.2, needsTicket: false });
    for (const text of ['', '🙂', 'hola', 'x'.repeat(5000)]) expect(Classification.safeParse(classify(text)).success).toBe(true);
  });

  test('the summary is one labelled line in the message language, short enough for a ticket subject', () => {
    expect(classify('me cobraron\n doble este mes').summary).toBe('Facturación: me cobraron doble este mes');
    expect(classify('I was charged twice').summary).toBe('Billing: I was charged twice');
    const long = classify(`sin internet ${'otra vez '.repeat(40)}`).summary;
    expect(long.length).toBeLessThanOrEqual(120);
    expect(long.endsWith('…')).toBe(true);
    expect(classify('').summary).toBe('Consulta: mensaje sin texto');
  });

  test('confidence grows with evidence and margin', () => {
    const weak = classify('internet');
    const strong = classify('sin internet, el modem tiene la luz roja y no navega');
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
    expect(strong.confidence).toBeLessThanOrEqual(0.85);
  });

  test('entities: IPv4, document numbers and ticket numbers', () => {
    expect(extractEntities('mi ip es 10.20.30.45, la puerta 192.168.1.1. y 999.1.1.1 no es ip')).toMatchObject({
      ips: ['10.20.30.45', '192.168.1.1'],
    });
    expect(extractEntities('cédula 1.098.765.432 y NIT 900123456-7, CC: 43567890').documentNumbers).toEqual([
      '1098765432',
      '900123456-7',
      '43567890',
    ]);
    expect(extractEntities('sigo esperando el caso #48213, radicado 2024-00123 y ticket 77120').ticketNumbers).toEqual([
      '48213',
      '2024-00123',
      '77120',
    ]);
    expect(extractEntities('acceso a la cuenta 3 veces')).toEqual({ ips: [], documentNumbers: [], ticketNumbers: [] });
    expect(classify('sin internet, mi ip es 10.1.2.3 cc 1032456789').entities).toEqual({
      ips: ['10.1.2.3'],
      documentNumbers: ['1032456789'],
      ticketNumbers: [],
    });
  });

  test('the rules file is checked: every category needs an entry', () => {
    const { other: _dropped, ...categories } = rules.categories;
    expect(KeywordRules.safeParse({ ...rules, categories }).success).toBe(false);
  });
});

describe('keyword evaluation', () => {
  test(`the labelled sets hold at least 150 messages in both languages and every category`, () => {
    const all = [...loadEvalSet(EVAL_SETS.main), ...loadEvalSet(EVAL_SETS.holdout)];
    expect(all.length).toBeGreaterThanOrEqual(150);
    expect(new Set(all.map((m) => m.category)).size).toBe(8);
    expect(all.filter((m) => m.language === 'en').length).toBeGreaterThanOrEqual(30);
  });

  test(`keywords alone reach ${CATEGORY_GOAL * 100}% on category`, () => {
    const summary = evaluateAll(keywords);
    expect(summary.combined.accuracy.category).toBeGreaterThanOrEqual(CATEGORY_GOAL);
    expect(summary.meetsGoal).toBe(true);
    for (const set of Object.values(summary.bySet)) expect(set.accuracy.category).toBeGreaterThanOrEqual(CATEGORY_GOAL);
    // Every field is measured, not only the one with a goal.
    expect(Object.keys(summary.combined.accuracy)).toEqual(['category', 'priority', 'needsTicket', 'language']);
  });
});
