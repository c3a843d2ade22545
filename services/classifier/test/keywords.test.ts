import { Classification } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { extractEntities } from '../src/keywords/entities.js';
import { CATEGORY_GOAL, evaluateAll, loadEvalSet, EVAL_SETS } from '../src/keywords/evaluate.js';
import { createKeywordClassifier } from '../src/keywords/keyword-classifier.js';
import { KeywordRules, loadKeywordRules } from '../src/keywords/keyword-rules.js';
import { normalizeText } from '../src/keywords/normalize.js';
import { isPhrase, leaveOneOut, termCoverage } from '../src/keywords/rule-coverage.js';

const rules = loadKeywordRules();
const keywords = createKeywordClassifier(rules);
const classify = (text: string) => keywords.classify(text).classification;

/**
 * Phrases that may match exactly one labelled message: fixed expressions of the trade,
 * matched once only because the sets are small. Keep this short; a phrase earns a place
 * here by being what customers say, never by the message it catches.
 */
const SINGLE_MATCH_ALLOWED = new Map<string, string>([
  ['sin conexion', 'the usual Spanish for "the line is down"'],
  ['sin senal', 'the usual Spanish for "no signal" (wireless customers)'],
  ['no internet', 'the usual English for the line being down'],
  ['paz y salvo', 'the name of the no-debt certificate in Colombia'],
  ['hoja de vida', 'the Colombian name of a CV'],
  ['signing up', 'the -ing form of "sign up", which is also a rule term'],
  ['no podemos vender', 'a shop that cannot sell: the definition of urgent for this customer base'],
  ['not showing', 'a payment not showing: the commonest English billing dispute'],
  ['de mas', '"me cobraron de más": the commonest Spanish overcharge complaint'],
]);

describe('keyword classifier', () => {
  test('normalisation folds case, accents, ñ and emoji', () => {
    expect(normalizeText('¡URGENTE! El internet está CAÍDO 😡😡 señal')).toBe('urgente el internet esta caido senal');
  });

  test('case, accents and emoji do not change the answer', () => {
    const plain = classify('el internet esta caido desde ayer');
    for (const variant of [
      'EL INTERNET ESTÁ CAÍDO DESDE AYER',
      'el internet está caído 😭😭 desde ayer!!',
      'El Internet Esta Caido Desde Ayer',
    ]) {
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
    for (const text of ['', '🙂', 'hola', 'x'.repeat(5000)])
      expect(Classification.safeParse(classify(text)).success).toBe(true);
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
  test.each([
    ['development sets', [EVAL_SETS.main, EVAL_SETS.holdout]],
    ['blind set', [EVAL_SETS.blind]],
  ])('the %s hold at least 150 messages in both languages and every category', (_name, files) => {
    const all = files.flatMap((file) => loadEvalSet(file));
    expect(all.length).toBeGreaterThanOrEqual(150);
    expect(new Set(all.map((m) => m.category)).size).toBe(8);
    expect(all.filter((m) => m.language === 'en').length).toBeGreaterThanOrEqual(30);
  });

  test(`keywords alone reach ${CATEGORY_GOAL * 100}% on category on the blind set, written without sight of the rules`, () => {
    const summary = evaluateAll(keywords);
    expect(summary.goalSet).toBe('blind');
    expect(summary.bySet.blind?.messages).toBe(160);
    expect(summary.bySet.blind?.accuracy.category).toBeGreaterThanOrEqual(CATEGORY_GOAL);
    expect(summary.meetsGoal).toBe(true);
  });

  const sets = { main: loadEvalSet(EVAL_SETS.main), holdout: loadEvalSet(EVAL_SETS.holdout) };

  test(`keywords alone reach ${CATEGORY_GOAL * 100}% on category on the main set`, () => {
    const summary = evaluateAll(keywords);
    expect(summary.bySet.main?.accuracy.category).toBeGreaterThanOrEqual(CATEGORY_GOAL);
    // Every field is measured, not only the one with a goal.
    expect(Object.keys(summary.combined.accuracy)).toEqual(['category', 'priority', 'needsTicket', 'language']);
  });

  // The sets are development sets: the rules were written with them in view, so the plain
  // figures flatter. Leave-one-out takes from each message the terms that match it alone.
  // Measured 83.0% on category (under the 85% goal), priority 67.9%, needsTicket 83.0%;
  // the floor is that, minus a small margin. The gaps are the other half: a term added to
  // catch one message raises the plain figure and not the leave-one-out one, so the gap
  // grows (measured 13.7, 10.4 and 11.3 points). If a genuine word trips it, add labelled
  // messages, do not raise the limit.
  test('leave-one-out accuracy stays at its measured level and close to the plain one', () => {
    const { full, leaveOneOut: loo } = leaveOneOut(rules, sets);
    expect(loo.combined.category).toBeGreaterThanOrEqual(0.8);
    expect(full.combined.category - loo.combined.category).toBeLessThanOrEqual(0.15);
    expect(full.combined.priority - loo.combined.priority).toBeLessThanOrEqual(0.12);
    expect(full.combined.needsTicket - loo.combined.needsTicket).toBeLessThanOrEqual(0.13);
  });

  /** Phrases of the rules that match exactly one labelled message and are not allowed to. */
  const fragmentsIn = (r: KeywordRules): string[] =>
    termCoverage(r, sets)
      .filter((c) => isPhrase(c.term) && c.total === 1 && !SINGLE_MATCH_ALLOWED.has(c.term))
      .map((c) => `${c.place} "${c.term}"`);

  test('no phrase in the rules exists only to catch one labelled message', () => {
    expect(fragmentsIn(rules)).toEqual([]);
  });

  test('the allow-list names only phrases the rules hold', () => {
    const phrases = new Set(
      termCoverage(rules, sets)
        .filter((c) => isPhrase(c.term))
        .map((c) => c.term),
    );
    for (const term of SINGLE_MATCH_ALLOWED.keys()) expect(phrases, term).toContain(term);
  });

  test('the single-match check finds a phrase fitted to one message', () => {
    // One of the phrases the rules used to carry: it catches exactly one message and means nothing else.
    const fitted = { ...rules, priority: { ...rules.priority, urgent: [...rules.priority.urgent, 'hay fila'] } };
    expect(fragmentsIn(fitted)).toEqual(['priority:urgent "hay fila"']);
  });
});
