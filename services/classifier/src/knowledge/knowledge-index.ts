import type { Language } from '@helpline/contracts';
import MiniSearch, { type SearchOptions, type SearchResult } from 'minisearch';
import type { KnowledgeEntry } from './knowledge-entry.js';
import { searchTerm, splitWords } from './search-terms.js';

export interface KnowledgeHit {
  entry: KnowledgeEntry;
  /** MiniSearch's BM25+ score with the field boosts. */
  score: number;
  /** Share of the question's search terms that the entry matched (0 to 1). */
  coverage: number;
  /**
   * Share of the question's search terms matched in the entry's heading or `keywords:` line,
   * what the entry is ABOUT, rather than words its answer happens to use ("mes" in "vence el
   * día 15 de cada mes").
   */
  topicCoverage: number;
}

export interface KnowledgeIndex {
  readonly size: number;
  readonly entries: readonly KnowledgeEntry[];
  /** Best entries first, in the customer's language when the base has entries in it. */
  search(question: string, options?: { language?: Language; limit?: number }): KnowledgeHit[];
}

/** Heading over keywords over body: the heading is the question the entry answers. */
export const FIELD_BOOST = { heading: 3, keywords: 2, body: 1 } as const;

/** The fields that say what an entry is about (for `topicCoverage`). */
const TOPIC_FIELDS = ['heading', 'keywords'];

/**
 * The entries in MiniSearch. Terms are folded, stop words dropped and stemmed the same way
 * at indexing and at search; a search term also matches longer terms (prefix, from 4
 * letters) and close misspellings (fuzzy, from 5 letters: "intalacion", "contrasena").
 */
export function createKnowledgeIndex(entries: readonly KnowledgeEntry[]): KnowledgeIndex {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const languages = new Set(entries.map((e) => e.language));
  const search = new MiniSearch<{ id: string; heading: string; keywords: string; body: string; language: Language }>({
    fields: ['heading', 'keywords', 'body'],
    storeFields: ['language'],
    tokenize: splitWords,
    processTerm: searchTerm,
  });
  search.addAll(entries.map((e) => ({ ...e, keywords: e.keywords.join(' ') })));

  return {
    size: entries.length,
    entries,
    search(question, options = {}) {
      const queryTerms = [
        ...new Set(
          splitWords(question)
            .map(searchTerm)
            .filter((t): t is string => t !== null),
        ),
      ];
      if (queryTerms.length === 0) return [];
      const language = options.language && languages.has(options.language) ? options.language : undefined;
      const inLanguage = (r: SearchResult) => language === undefined || r.language === language;
      const searchOptions: SearchOptions = {
        boost: { ...FIELD_BOOST },
        prefix: (term) => term.length >= 4,
        fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
        combineWith: 'OR',
        filter: inLanguage,
      };
      const results = search.search(question, searchOptions).slice(0, options.limit ?? 3);
      if (results.length === 0) return [];
      // The same search over the topic fields only, for the hits kept: which question terms
      // each entry's heading or keywords match.
      const kept = new Set(results.map((r) => r.id));
      const topicTerms = new Map(
        search
          .search(question, { ...searchOptions, fields: TOPIC_FIELDS, filter: (r) => kept.has(r.id) })
          .map((r) => [r.id, new Set(r.queryTerms)]),
      );
      const share = (matched: ReadonlySet<string> | undefined) =>
        matched ? queryTerms.filter((t) => matched.has(t)).length / queryTerms.length : 0;
      return results.flatMap((r) => {
        const entry = byId.get(String(r.id));
        if (!entry) return [];
        return [
          { entry, score: r.score, coverage: share(new Set(r.queryTerms)), topicCoverage: share(topicTerms.get(r.id)) },
        ];
      });
    },
  };
}
