import { readFileSync } from 'node:fs';
import { Category, Language, Priority } from '@helpline/contracts';
import { z } from 'zod';
import type { KeywordClassifier } from './keyword-classifier.js';

/** One labelled message of data/eval-set.jsonl. */
export const LabelledMessage = z.object({
  text: z.string(),
  category: Category,
  priority: Priority,
  needsTicket: z.boolean(),
  language: Language,
});
export type LabelledMessage = z.infer<typeof LabelledMessage>;

/**
 * The labelled sets.
 * - `main` was written first and the rules after it; `holdout` was written after the rules
 *   (80% on category then), but rules were later added for its misses. Both are
 *   development sets: the rules were written with them in view.
 * - `blind` (160 messages, 2026-12-01) was written by another author who never saw the
 *   rules nor the other sets, and measured once before it joined the project: 85.6% on
 *   category with the rules as they were, 86.3% after the sentence-fitted terms were
 *   removed (priority 70.0%, needsTicket 77.5%, language 97.5%). It is the set the goal is
 *   checked against. Do not add terms for its misses: grow the development sets instead,
 *   or it stops saying how the rules fare on phrasing they were not written from.
 */
export const EVAL_SETS = {
  main: new URL('../../data/eval-set.jsonl', import.meta.url),
  holdout: new URL('../../data/eval-holdout.jsonl', import.meta.url),
  blind: new URL('../../data/eval-blind.jsonl', import.meta.url),
} as const;
/** The set whose category accuracy must reach the goal. */
export const GOAL_SET = 'blind';
export const DEFAULT_EVAL_SET = EVAL_SETS.main;

export function loadEvalSet(file: URL | string = DEFAULT_EVAL_SET): LabelledMessage[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, index }) => {
      const parsed = LabelledMessage.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`eval set line ${index + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

const FIELDS = ['category', 'priority', 'needsTicket', 'language'] as const;
type Field = (typeof FIELDS)[number];

export interface EvalReport {
  messages: number;
  byLanguage: Record<string, number>;
  accuracy: Record<Field, number>;
  /** Per expected category: how many, and the share classified right. */
  categoryRecall: Record<string, { count: number; recall: number }>;
  /** Expected -> predicted -> count, for category. */
  confusion: Record<string, Record<string, number>>;
  /** Messages whose category was wrong, for improving the rules. */
  categoryMisses: { text: string; expected: string; predicted: string }[];
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/** Runs the classifier over the labelled set and measures each field's accuracy. */
export function evaluate(classifier: KeywordClassifier, set: readonly LabelledMessage[]): EvalReport {
  const right: Record<Field, number> = { category: 0, priority: 0, needsTicket: 0, language: 0 };
  const recall = new Map<string, { count: number; right: number }>();
  const confusion: Record<string, Record<string, number>> = {};
  const byLanguage: Record<string, number> = {};
  const categoryMisses: EvalReport['categoryMisses'] = [];
  for (const item of set) {
    const { classification } = classifier.classify(item.text);
    for (const field of FIELDS) if (classification[field] === item[field]) right[field]++;
    const r = recall.get(item.category) ?? { count: 0, right: 0 };
    r.count++;
    if (classification.category === item.category) r.right++;
    else categoryMisses.push({ text: item.text, expected: item.category, predicted: classification.category });
    recall.set(item.category, r);
    const row = confusion[item.category] ?? {};
    confusion[item.category] = row;
    row[classification.category] = (row[classification.category] ?? 0) + 1;
    byLanguage[item.language] = (byLanguage[item.language] ?? 0) + 1;
  }
  const n = Math.max(1, set.length);
  return {
    messages: set.length,
    byLanguage,
    accuracy: {
      category: round(right.category / n),
      priority: round(right.priority / n),
      needsTicket: round(right.needsTicket / n),
      language: round(right.language / n),
    },
    categoryRecall: Object.fromEntries(
      [...recall].map(([c, r]) => [c, { count: r.count, recall: round(r.right / r.count) }]),
    ),
    confusion,
    categoryMisses,
  };
}

export interface EvalSummary {
  goal: { category: number };
  /** Every set together. */
  combined: EvalReport;
  /** The set the goal is checked against (`GOAL_SET`), or every set when it is not among them. */
  goalSet: string;
  bySet: Record<string, { messages: number; accuracy: EvalReport['accuracy'] }>;
  meetsGoal: boolean;
}

export const CATEGORY_GOAL = 0.85;

/** Evaluates each labelled set and all of them together. */
export function evaluateAll(
  classifier: KeywordClassifier,
  sets: Record<string, URL | string> = EVAL_SETS,
): EvalSummary {
  const loaded = Object.entries(sets).map(([name, file]) => [name, loadEvalSet(file)] as const);
  const combined = evaluate(
    classifier,
    loaded.flatMap(([, items]) => items),
  );
  const bySet = Object.fromEntries(
    loaded.map(([name, items]) => {
      const report = evaluate(classifier, items);
      return [name, { messages: report.messages, accuracy: report.accuracy }];
    }),
  );
  const goalSet = GOAL_SET in bySet ? GOAL_SET : 'combined';
  const goalAccuracy = bySet[GOAL_SET]?.accuracy.category ?? combined.accuracy.category;
  return { goal: { category: CATEGORY_GOAL }, combined, goalSet, bySet, meetsGoal: goalAccuracy >= CATEGORY_GOAL };
}
