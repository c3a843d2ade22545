import { type Category, type Classification, type Language, PRIORITIES, type Priority } from '@helpline/contracts';
import { extractEntities } from './entities.js';
import type { KeywordRules } from './keyword-rules.js';
import { normalizeText } from './normalize.js';
import { type CompiledTerm, compileTerm, termOccurs } from './term-matcher.js';

export interface KeywordResult {
  classification: Classification;
  /** Rule terms that matched, by category: for the eval report and for debugging rules. */
  matched: Partial<Record<Category, string[]>>;
}

export interface KeywordClassifier {
  classify(text: string, options?: { languageHint?: Language }): KeywordResult;
}

interface WeightedTerm extends CompiledTerm {
  weight: number;
}

const compileAll = (terms: readonly string[] | undefined): CompiledTerm[] => (terms ?? []).map(compileTerm);
const anyOccurs = (terms: readonly CompiledTerm[], words: readonly string[]): boolean =>
  terms.some((t) => termOccurs(t, words));

const SUMMARY_MAX = 120;

/** `Label: the message's first words`, one line: the keywords cannot paraphrase, so they quote. */
function summaryOf(text: string, label: string, language: Language): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length === 0) return `${label}: ${language === 'es' ? 'mensaje sin texto' : 'message without text'}`;
  const room = SUMMARY_MAX - label.length - 2;
  return `${label}: ${line.length > room ? `${line.slice(0, room - 1)}…` : line}`;
}

/**
 * The last resort that always answers: Spanish and English keyword rules from a data file,
 * matched on whole words in a normalised text (case, accents and emoji do not matter).
 * The category with the highest total weight wins; priority starts from the category's
 * base and moves with cue words; the confidence grows with the winning score and its
 * margin over the runner-up, and stays below what an LLM usually reports.
 */
export function createKeywordClassifier(rules: KeywordRules): KeywordClassifier {
  const categories = Object.entries(rules.categories).map(([category, terms]) => ({
    category: category as Category,
    terms: Object.entries(terms).map(([term, weight]): WeightedTerm => ({ ...compileTerm(term), weight })),
  }));
  const tieRank = new Map(rules.tieBreak.map((c, i) => [c, i]));
  const urgent = compileAll(rules.priority.urgent);
  const raise = compileAll(rules.priority.raise);
  const lower = compileAll(rules.priority.lower);
  const tickets = new Map(
    Object.entries(rules.needsTicket).map(([category, rule]) => [
      category as Category,
      { default: rule.default, yes: compileAll(rule.yes), no: compileAll(rule.no) },
    ]),
  );
  const esWords = new Set(rules.language.es.map(normalizeText));
  const enWords = new Set(rules.language.en.map(normalizeText));

  function detectLanguage(words: readonly string[], hint: Language | undefined): Language {
    let es = 0;
    let en = 0;
    for (const w of words) {
      if (esWords.has(w)) es++;
      if (enWords.has(w)) en++;
    }
    if (es === en) return hint ?? 'es';
    return es > en ? 'es' : 'en';
  }

  function priorityOf(category: Category, words: readonly string[], ticketByCue: boolean): Priority {
    if (category === 'greeting') return 'low';
    if (anyOccurs(urgent, words)) return 'urgent';
    let level = PRIORITIES.indexOf(rules.priority.base[category] ?? 'low');
    const raises = raise.filter((t) => termOccurs(t, words)).length;
    if (raises > 0) level += 1;
    if (anyOccurs(lower, words)) level -= 1;
    // Something to put right (a double charge, a cancellation) is more than a question.
    if (ticketByCue) level = Math.max(level, PRIORITIES.indexOf('medium'));
    // Keywords alone never reach `urgent` by counting: that takes an explicit cue.
    return PRIORITIES[Math.max(0, Math.min(level, PRIORITIES.indexOf('high')))] as Priority;
  }

  /** Whether someone must act, and whether a cue (not the category's default) said so. */
  function needsTicketOf(category: Category, words: readonly string[]): { value: boolean; byCue: boolean } {
    const rule = tickets.get(category);
    if (!rule) return { value: false, byCue: false };
    if (anyOccurs(rule.no, words)) return { value: false, byCue: false };
    if (anyOccurs(rule.yes, words)) return { value: true, byCue: true };
    return { value: rule.default, byCue: false };
  }

  return {
    classify(text, options = {}) {
      const words = normalizeText(text).split(' ').filter(Boolean);
      const matched: Partial<Record<Category, string[]>> = {};
      const scores: { category: Category; score: number }[] = [];
      for (const { category, terms } of categories) {
        let score = 0;
        for (const term of terms) {
          if (termOccurs(term, words)) {
            score += term.weight;
            const list = matched[category] ?? [];
            list.push(term.term);
            matched[category] = list;
          }
        }
        if (score > 0) scores.push({ category, score });
      }
      scores.sort((a, b) => b.score - a.score || (tieRank.get(a.category) ?? 99) - (tieRank.get(b.category) ?? 99));
      const top = scores[0];
      const category: Category = top?.category ?? 'other';
      const second = scores[1]?.score ?? 0;
      const confidence = top
        ? Math.min(0.85, 0.35 + Math.min(top.score, 6) * 0.05 + ((top.score - second) / top.score) * 0.2)
        : 0.2;
      const language = detectLanguage(words, options.languageHint);
      const ticket = needsTicketOf(category, words);
      const classification: Classification = {
        category,
        priority: priorityOf(category, words, ticket.byCue),
        needsTicket: ticket.value,
        summary: summaryOf(text, rules.summaryLabels[language][category] ?? category, language),
        language,
        confidence: Math.round(confidence * 100) / 100,
        source: 'keywords',
        entities: extractEntities(text),
      };
      return { classification, matched };
    },
  };
}
