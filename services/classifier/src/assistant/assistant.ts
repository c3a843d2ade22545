import type { Classification, HistoryTurn } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { LlmReply } from '../answer/llm-reply.js';
import type { ChainResult, ClassifierChain } from '../chain/classifier-chain.js';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { KeywordClassifier } from '../keywords/keyword-classifier.js';
import { type ConfidenceBar, confidentHit, DEFAULT_CONFIDENCE_BAR } from '../knowledge/confident-hit.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { KnowledgeEntry } from '../knowledge/knowledge-entry.js';
import type { KnowledgeHit, KnowledgeIndex } from '../knowledge/knowledge-index.js';
import type { ClassifyInput } from '../prompt/build-prompt.js';
import type { ProviderName } from '../providers/provider.js';
import type { ReplyTexts } from '../routing/reply-texts.js';
import { isOwnAccountQuestion } from './account-question.js';
import { asksQuestion } from './asks-question.js';
import { boldNamesOf, type GroundingProblem, groundingProblems } from './grounding.js';

/** Who wrote an answer: a provider, or `knowledge` (an entry's own text, no model). */
export type AnswerSource = ProviderName | 'knowledge';

/** What the customer is told from the knowledge base. */
export interface AssistantAnswer {
  /** `answer`: from entries; `not_found`: the entries do not answer it (the canned text offering the menu and a person). */
  kind: 'answer' | 'not_found';
  text: string;
  /** The entries the text is built from (none for `not_found`). */
  entries: KnowledgeEntry[];
  source: AnswerSource;
}

export interface AssistedResult extends ChainResult {
  answer?: AssistantAnswer;
  /** The customer asked about their own account (debt, invoice): for the accounts service, never answered here. */
  ownAccount: boolean;
}

export interface Assistant {
  /** Classification and, when the knowledge base has entries, the answer: one provider call. */
  classify(input: ClassifyInput): Promise<AssistedResult>;
}

export interface AssistantDeps {
  chain: ClassifierChain;
  knowledge: KnowledgeBase;
  keywords: KeywordClassifier;
  /** ASSISTANT_PROMPT_FILE's text. */
  instructions: string;
  replies: ReplyTexts;
  metrics: ClassifierMetrics;
  logger: Logger;
  bar?: ConfidenceBar;
}

/** Entries shown to the model: enough to cover a question the first hit misreads, few enough to stay short. */
const ENTRIES_PER_PROMPT = 3;

/** Whether a classification sends work somewhere (a diagnosis, a ticket, a person): no entry's text stands in for that. */
function asksForWork(classification: Classification): boolean {
  return (
    classification.category === 'human' || classification.category === 'connectivity' || classification.needsTicket
  );
}

/** What the business already said in the chat: a reply may repeat it. The customer's own words are data, not sources. */
function businessTurns(history: readonly HistoryTurn[] | undefined): string[] {
  return (history ?? []).filter((turn) => turn.role !== 'customer').map((turn) => turn.text);
}

/**
 * The grounded assistant. Retrieves the entries for the message, asks the provider chain
 * for the classification and the reply together, and keeps the reply only if it is built
 * from entries it names and states nothing (figure, name, link, promise, date) those
 * entries or the business's earlier turns do not. Otherwise, and when no model answers,
 * the best entry's own text is sent if it clears the confidence bar, else a customer who
 * asked something is told the answers do not cover it and offered the menu and a person.
 */
export function createAssistant(deps: AssistantDeps): Assistant {
  const bar = deps.bar ?? DEFAULT_CONFIDENCE_BAR;
  const m = deps.metrics;

  // Every name the base sets in bold (plans, commands), computed once per loaded index.
  const namesByIndex = new WeakMap<KnowledgeIndex, string[]>();
  function knownNames(index: KnowledgeIndex): string[] {
    let names = namesByIndex.get(index);
    if (!names) {
      names = boldNamesOf(index.entries.map((e) => e.body));
      namesByIndex.set(index, names);
    }
    return names;
  }

  function record(source: string, outcome: string, answer?: AssistantAnswer): void {
    m.assistantAnswers.inc({ source, outcome });
    for (const entry of answer?.entries ?? []) m.entriesUsed.inc({ entry: entry.id });
  }

  function notFound(result: ChainResult, source: AnswerSource): AssistantAnswer {
    return { kind: 'not_found', text: deps.replies[result.classification.language].not_found, entries: [], source };
  }

  /**
   * No model reply to use: an entry's own text when retrieval is sure (whatever the form:
   * "horario de atención" asks too), else "not in our answers" to a message that asks
   * something, else nothing, and the customer gets the plain acknowledgement (a statement,
   * thanks, a photo without a caption).
   */
  function withoutModel(result: ChainResult, hits: readonly KnowledgeHit[], text: string): AssistantAnswer | undefined {
    if (asksForWork(result.classification) || result.classification.category === 'greeting') return undefined;
    const best = confidentHit(hits, bar);
    if (best) return { kind: 'answer', text: best.entry.body, entries: [best.entry], source: 'knowledge' };
    return asksQuestion(text) ? notFound(result, 'knowledge') : undefined;
  }

  function fromModel(
    result: ChainResult,
    reply: LlmReply,
    input: ClassifyInput,
    hits: readonly KnowledgeHit[],
  ): AssistantAnswer | undefined {
    const source = result.source as ProviderName;
    if (reply.status === 'none') return undefined;
    if (reply.status === 'not_in_knowledge') return notFound(result, source);
    const used = [...new Set(reply.entries)].map((label) => result.labels?.get(label));
    const entries = used.filter((e): e is KnowledgeEntry => e !== undefined);
    const text = reply.text.trim();
    let problems: GroundingProblem[] | 'entries';
    if (entries.length === 0 || entries.length !== used.length || !text) problems = 'entries';
    else {
      problems = groundingProblems(
        text,
        [...entries.map((e) => `${e.heading}\n${e.body}`), ...businessTurns(input.history)],
        knownNames(deps.knowledge.index()),
      );
    }
    if (problems !== 'entries' && problems.length === 0) return { kind: 'answer', text, entries, source };
    const kinds = problems === 'entries' ? ['entries'] : [...new Set(problems.map((p) => p.kind))];
    for (const kind of kinds) m.groundingRefusals.inc({ provider: source, kind });
    deps.logger.warn({ provider: source, kinds }, 'model reply not grounded in the entries: fell back');
    if (problems !== 'entries')
      deps.logger.debug({ provider: source, problems }, 'what the reply stated without a source');
    return withoutModel(result, hits, input.text);
  }

  return {
    async classify(input) {
      const index = deps.knowledge.index();
      if (index.size === 0) return { ...(await deps.chain.classify(input)), ownAccount: false };
      const language = input.languageHint ?? deps.keywords.classify(input.text).classification.language;
      const hits = input.text.trim() ? index.search(input.text, { language, limit: ENTRIES_PER_PROMPT }) : [];
      const result = await deps.chain.classify({
        ...input,
        assistant: { entries: hits.map((h) => h.entry), instructions: deps.instructions },
      });
      const ownAccount = result.reply ? result.reply.status === 'account' : isOwnAccountQuestion(input.text);
      if (ownAccount) {
        record(result.source, 'account');
        return { ...result, ownAccount: true };
      }
      const answer = result.reply
        ? fromModel(result, result.reply, input, hits)
        : withoutModel(result, hits, input.text);
      record(
        answer?.source ?? result.source,
        answer ? (answer.kind === 'answer' ? 'answered' : 'not_found') : 'none',
        answer,
      );
      return { ...result, ownAccount: false, ...(answer ? { answer } : {}) };
    },
  };
}
