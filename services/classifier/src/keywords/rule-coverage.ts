import type { Category } from '@helpline/contracts';
import type { LabelledMessage } from './evaluate.js';
import { createKeywordClassifier } from './keyword-classifier.js';
import type { KeywordRules } from './keyword-rules.js';
import { tokenize } from './normalize.js';
import { compileTerm, termOccurs } from './term-matcher.js';

/**
 * How much of the labelled sets each rule term explains. A multi-word term that matches one
 * sentence and nothing else is a fragment of that sentence, not vocabulary of its category:
 * it scores the set without saying anything about messages nobody has seen yet. This module
 * finds such terms and measures the classifier with them taken away from the one message
 * they catch (leave-one-out), which is the figure to expect on new phrasing.
 */

/** Where a term sits in the rules: a category's scoring terms, a priority cue, a ticket cue or a language marker. */
export type TermPlace =
  | `category:${Category}`
  | 'priority:urgent'
  | 'priority:raise'
  | 'priority:lower'
  | `needsTicket:${Category}:yes`
  | `needsTicket:${Category}:no`
  | 'language:es'
  | 'language:en';

export interface RuleTerm {
  place: TermPlace;
  term: string;
}

export interface TermCoverage extends RuleTerm {
  /** Messages matched, per labelled set. */
  matches: Record<string, number>;
  total: number;
  /** Indexes (into the sets joined in order) of the messages matched; for the single-match report. */
  messageIndexes: number[];
}

/** Every term of the rules with its place, in file order. */
export function ruleTerms(rules: KeywordRules): RuleTerm[] {
  const terms: RuleTerm[] = [];
  for (const [category, weights] of Object.entries(rules.categories)) {
    for (const term of Object.keys(weights)) terms.push({ place: `category:${category as Category}`, term });
  }
  for (const cue of ['urgent', 'raise', 'lower'] as const) {
    for (const term of rules.priority[cue]) terms.push({ place: `priority:${cue}`, term });
  }
  for (const [category, rule] of Object.entries(rules.needsTicket)) {
    for (const term of rule.yes ?? []) terms.push({ place: `needsTicket:${category as Category}:yes`, term });
    for (const term of rule.no ?? []) terms.push({ place: `needsTicket:${category as Category}:no`, term });
  }
  for (const language of ['es', 'en'] as const) {
    for (const term of rules.language[language]) terms.push({ place: `language:${language}`, term });
  }
  return terms;
}

export type LabelledSets = Record<string, readonly LabelledMessage[]>;

/** The sets joined in order, each message remembering its set. */
export function joinSets(sets: LabelledSets): { set: string; message: LabelledMessage }[] {
  return Object.entries(sets).flatMap(([set, messages]) => messages.map((message) => ({ set, message })));
}

/** For every rule term, how many messages of each set it matches. */
export function termCoverage(rules: KeywordRules, sets: LabelledSets): TermCoverage[] {
  const joined = joinSets(sets);
  const tokenized = joined.map(({ message }) => tokenize(message.text));
  return ruleTerms(rules).map(({ place, term }) => {
    const compiled = compileTerm(term);
    const matches: Record<string, number> = Object.fromEntries(Object.keys(sets).map((name) => [name, 0]));
    const messageIndexes: number[] = [];
    joined.forEach(({ set }, index) => {
      if (!termOccurs(compiled, tokenized[index] as string[])) return;
      matches[set] = (matches[set] ?? 0) + 1;
      messageIndexes.push(index);
    });
    return { place, term, matches, total: messageIndexes.length, messageIndexes };
  });
}

/** The rules without the given terms (by place and term). */
export function withoutTerms(rules: KeywordRules, drop: readonly RuleTerm[]): KeywordRules {
  const dropped = new Set(drop.map(({ place, term }) => `${place}\u0000${term}`));
  const keep = (place: TermPlace) => (term: string) => !dropped.has(`${place}\u0000${term}`);
  const categories = Object.fromEntries(
    Object.entries(rules.categories).map(([category, weights]) => [
      category,
      Object.fromEntries(Object.entries(weights).filter(([term]) => keep(`category:${category as Category}`)(term))),
    ]),
  ) as KeywordRules['categories'];
  const needsTicket = Object.fromEntries(
    Object.entries(rules.needsTicket).map(([category, rule]) => {
      const c = category as Category;
      return [
        category,
        {
          ...rule,
          ...(rule.yes ? { yes: rule.yes.filter(keep(`needsTicket:${c}:yes`)) } : {}),
          ...(rule.no ? { no: rule.no.filter(keep(`needsTicket:${c}:no`)) } : {}),
        },
      ];
    }),
  ) as KeywordRules['needsTicket'];
  return {
    ...rules,
    categories,
    priority: {
      ...rules.priority,
      urgent: rules.priority.urgent.filter(keep('priority:urgent')),
      raise: rules.priority.raise.filter(keep('priority:raise')),
      lower: rules.priority.lower.filter(keep('priority:lower')),
    },
    needsTicket,
    language: { es: rules.language.es.filter(keep('language:es')), en: rules.language.en.filter(keep('language:en')) },
  };
}

const FIELDS = ['category', 'priority', 'needsTicket', 'language'] as const;
export type FieldAccuracy = Record<(typeof FIELDS)[number], number>;

export interface LeaveOneOutReport {
  /** Accuracy per field with the full rules. */
  full: { combined: FieldAccuracy; bySet: Record<string, FieldAccuracy> };
  /** Accuracy per field, each message scored without the terms that match it alone. */
  leaveOneOut: { combined: FieldAccuracy; bySet: Record<string, FieldAccuracy> };
  /** Messages whose category was right with the full rules and wrong without their own terms. */
  carriedByOwnTerms: { set: string; text: string; terms: string[] }[];
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

function accuracyOf(rows: { right: Record<(typeof FIELDS)[number], boolean> }[]): FieldAccuracy {
  const n = Math.max(1, rows.length);
  return Object.fromEntries(FIELDS.map((f) => [f, round(rows.filter((r) => r.right[f]).length / n)])) as FieldAccuracy;
}

/**
 * Scores every message twice: with the full rules, and with every term that matches that
 * message and no other message of the sets removed (from every place: scoring terms,
 * priority and ticket cues, language markers).
 */
export function leaveOneOut(rules: KeywordRules, sets: LabelledSets): LeaveOneOutReport {
  const joined = joinSets(sets);
  const own = new Map<number, TermCoverage[]>();
  for (const coverage of termCoverage(rules, sets)) {
    if (coverage.total !== 1) continue;
    const index = coverage.messageIndexes[0] as number;
    own.set(index, [...(own.get(index) ?? []), coverage]);
  }
  const full = createKeywordClassifier(rules);
  const fullRows: { set: string; right: Record<(typeof FIELDS)[number], boolean> }[] = [];
  const looRows: typeof fullRows = [];
  const carriedByOwnTerms: LeaveOneOutReport['carriedByOwnTerms'] = [];
  joined.forEach(({ set, message }, index) => {
    const terms = own.get(index) ?? [];
    const withAll = full.classify(message.text).classification;
    const without =
      terms.length > 0
        ? createKeywordClassifier(withoutTerms(rules, terms)).classify(message.text).classification
        : withAll;
    const rightOf = (c: typeof withAll) =>
      Object.fromEntries(FIELDS.map((f) => [f, c[f] === message[f]])) as Record<(typeof FIELDS)[number], boolean>;
    fullRows.push({ set, right: rightOf(withAll) });
    looRows.push({ set, right: rightOf(without) });
    if (withAll.category === message.category && without.category !== message.category) {
      carriedByOwnTerms.push({ set, text: message.text, terms: terms.map((t) => `${t.place} "${t.term}"`) });
    }
  });
  const summarise = (rows: typeof fullRows) => ({
    combined: accuracyOf(rows),
    bySet: Object.fromEntries(Object.keys(sets).map((name) => [name, accuracyOf(rows.filter((r) => r.set === name))])),
  });
  return { full: summarise(fullRows), leaveOneOut: summarise(looRows), carriedByOwnTerms };
}

/** Whether a term is more than one word: a phrase, the usual shape of a sentence fragment. */
export const isPhrase = (term: string): boolean => compileTerm(term).tokens.length > 1;
