import type { KnowledgeHit } from './knowledge-index.js';

/**
 * When the best entry may be sent as it is, with no model to read it: its score, the
 * share of the question's terms it matched (anywhere, and in its heading or keywords), and
 * its lead over the runner-up all clear the bar. The bar is chosen from the evaluation (`npm run eval`): the loosest one under which
 * no question of the development set gets a wrong entry, since a wrong entry said with
 * confidence is worse than the menu.
 */
export interface ConfidenceBar {
  minScore: number;
  minCoverage: number;
  /**
   * Share of the question's terms the entry's heading or keywords match. Body words alone
   * ("mes", "casa") can make an entry look complete for a question about something else.
   */
  minTopicCoverage: number;
  /** Best score over the second best; 1 = no lead needed. */
  minLead: number;
}

/** Chosen from `npm run eval` (see docs/services/classifier.md, "Knowledge"). */
export const DEFAULT_CONFIDENCE_BAR: ConfidenceBar = {
  minScore: 10,
  minCoverage: 0.5,
  minTopicCoverage: 0.25,
  minLead: 1.5,
};

export function confidentHit(hits: readonly KnowledgeHit[], bar: ConfidenceBar = DEFAULT_CONFIDENCE_BAR) {
  const [best, second] = hits;
  if (!best) return undefined;
  if (best.score < bar.minScore || best.coverage < bar.minCoverage) return undefined;
  if (best.topicCoverage < bar.minTopicCoverage) return undefined;
  if (second && best.score < second.score * bar.minLead) return undefined;
  return best;
}
