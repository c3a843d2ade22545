import { tokenize } from './normalize.js';

/**
 * A rule term compiled to tokens. Matching is by whole words: `red` matches "sin red" but
 * not "reduce"; a token ending in `*` matches any word it starts (`desconect*`).
 */
export interface CompiledTerm {
  term: string;
  tokens: readonly string[];
}

export function compileTerm(term: string): CompiledTerm {
  const star = term.trim().endsWith('*');
  const tokens = tokenize(term);
  if (tokens.length === 0) throw new Error(`keyword rule term "${term}" has no letters or digits`);
  if (star) tokens[tokens.length - 1] = `${tokens[tokens.length - 1]}*`;
  return { term, tokens };
}

function tokenMatches(pattern: string, word: string): boolean {
  return pattern.endsWith('*') ? word.startsWith(pattern.slice(0, -1)) : pattern === word;
}

/** Whether the term occurs in the (already tokenized) message. */
export function termOccurs(term: CompiledTerm, words: readonly string[]): boolean {
  const n = term.tokens.length;
  for (let start = 0; start + n <= words.length; start++) {
    let all = true;
    for (let i = 0; i < n; i++) {
      if (!tokenMatches(term.tokens[i] as string, words[start + i] as string)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}
