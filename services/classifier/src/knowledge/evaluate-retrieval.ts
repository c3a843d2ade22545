import { readFileSync } from 'node:fs';
import { Language } from '@helpline/contracts';
import { z } from 'zod';
import { type ConfidenceBar, confidentHit } from './confident-hit.js';
import type { KnowledgeIndex } from './knowledge-index.js';

/** One question of a retrieval set: the heading of the entry that answers it, or null when none does. */
export const RetrievalQuestion = z.object({
  text: z.string().min(1),
  language: Language,
  expected: z.string().min(1).nullable(),
});
export type RetrievalQuestion = z.infer<typeof RetrievalQuestion>;

/**
 * - `main`: written with the sample entries in view (development set: the bar is chosen on it).
 * - `blind`: written as customers would ask, BEFORE the entries' bodies were written (only
 *   their headings were fixed); the entries' `keywords:` lines were written after it, with
 *   it in view, so it is not fully out of sample for them.
 * - `unseen`: written from the entries' headings only (no bodies, no keyword lines) and
 *   committed before it was ever scored; nothing in the base was tuned with it in view.
 */
export const RETRIEVAL_SETS = {
  main: new URL('../../data/knowledge-eval-set.jsonl', import.meta.url),
  blind: new URL('../../data/knowledge-eval-blind.jsonl', import.meta.url),
  unseen: new URL('../../data/knowledge-eval-unseen.jsonl', import.meta.url),
} as const;

export function loadRetrievalSet(file: URL | string): RetrievalQuestion[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, index }) => {
      const parsed = RetrievalQuestion.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`retrieval set line ${index + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

export interface RetrievalReport {
  /** Questions that have an expected entry (the accuracy figures are over these). */
  answerable: number;
  /** Questions no entry answers. */
  unanswerable: number;
  top1: number;
  top3: number;
  /** What the keyword-only mode would do under the bar. */
  confident: {
    /** Answered with the right entry, over the answerable questions. */
    answeredRight: number;
    /** Answered with a wrong entry, or answered when no entry applies: the count that must stay 0. */
    answeredWrong: number;
  };
  misses: { text: string; expected: string | null; got: string | undefined; confident: boolean }[];
}

export function evaluateRetrieval(
  index: KnowledgeIndex,
  questions: readonly RetrievalQuestion[],
  bar: ConfidenceBar,
): RetrievalReport {
  let top1 = 0;
  let top3 = 0;
  let right = 0;
  let wrong = 0;
  const misses: RetrievalReport['misses'] = [];
  for (const q of questions) {
    const hits = index.search(q.text, { language: q.language, limit: 3 });
    const confident = confidentHit(hits, bar);
    const got = hits[0]?.entry.heading;
    if (q.expected !== null) {
      if (got === q.expected) top1 += 1;
      if (hits.some((h) => h.entry.heading === q.expected)) top3 += 1;
    }
    if (confident) {
      if (confident.entry.heading === q.expected) right += 1;
      else wrong += 1;
    }
    const missed = q.expected === null ? confident !== undefined : got !== q.expected;
    if (missed) misses.push({ text: q.text, expected: q.expected, got, confident: confident !== undefined });
  }
  const answerable = questions.filter((q) => q.expected !== null).length;
  const share = (n: number) => (answerable === 0 ? 0 : Math.round((n / answerable) * 1000) / 1000);
  return {
    answerable,
    unanswerable: questions.length - answerable,
    top1: share(top1),
    top3: share(top3),
    confident: { answeredRight: share(right), answeredWrong: wrong },
    misses,
  };
}

/**
 * The bars tried when choosing the default: the loosest (most questions answered right)
 * with no wrong answer on the development set wins; ties go to the stricter bar.
 * The blind set is never used to choose.
 */
export function chooseBar(index: KnowledgeIndex, questions: readonly RetrievalQuestion[]) {
  const tried: { bar: ConfidenceBar; right: number; wrong: number }[] = [];
  for (const minScore of [5, 10, 15, 20, 30, 40])
    for (const minCoverage of [0.25, 0.5, 0.67, 1])
      for (const minTopicCoverage of [0, 0.25, 0.34, 0.5])
        for (const minLead of [1, 1.25, 1.5, 2, 3]) {
          const bar = { minScore, minCoverage, minTopicCoverage, minLead };
          const r = evaluateRetrieval(index, questions, bar).confident;
          tried.push({ bar, right: r.answeredRight, wrong: r.answeredWrong });
        }
  const safe = tried.filter((t) => t.wrong === 0);
  // Among equals, the strictest: the dev set cannot tell them apart, new phrasing can.
  safe.sort(
    (a, b) =>
      b.right - a.right ||
      b.bar.minScore - a.bar.minScore ||
      b.bar.minCoverage - a.bar.minCoverage ||
      b.bar.minTopicCoverage - a.bar.minTopicCoverage ||
      b.bar.minLead - a.bar.minLead,
  );
  return safe[0];
}
