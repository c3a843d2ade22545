// `npm run eval`: the keyword classifier against the labelled sets. JSON on stdout, a
// one-line summary on stderr; exits 1 when category accuracy on the blind set is under the goal.
// The sets are development sets (the rules were written with them in view), so the JSON
// also carries the leave-one-out accuracy: each message scored without the rule terms that
// match it alone, the nearer estimate of what new phrasing will get.
import { EVAL_SETS, evaluateAll, loadEvalSet } from '../src/keywords/evaluate.js';
import { createKeywordClassifier } from '../src/keywords/keyword-classifier.js';
import { loadKeywordRules } from '../src/keywords/keyword-rules.js';
import { leaveOneOut } from '../src/keywords/rule-coverage.js';
import { DEFAULT_CONFIDENCE_BAR } from '../src/knowledge/confident-hit.js';
import { chooseBar, evaluateRetrieval, loadRetrievalSet, RETRIEVAL_SETS } from '../src/knowledge/evaluate-retrieval.js';
import { createKnowledgeIndex } from '../src/knowledge/knowledge-index.js';
import { loadKnowledgeDir, SAMPLE_KNOWLEDGE_DIR } from '../src/knowledge/load-knowledge-dir.js';

const rules = loadKeywordRules();
const summary = evaluateAll(createKeywordClassifier(rules));
const loo = leaveOneOut(rules, {
  main: loadEvalSet(EVAL_SETS.main),
  holdout: loadEvalSet(EVAL_SETS.holdout),
}).leaveOneOut;

// Retrieval over the shipped sample knowledge base: top-1 / top-3 on the three question sets, and
// what the keyword-only mode would answer under the confidence bar.
const knowledge = await loadKnowledgeDir(SAMPLE_KNOWLEDGE_DIR);
const index = createKnowledgeIndex(knowledge.entries);
const retrievalMain = loadRetrievalSet(RETRIEVAL_SETS.main);
const retrieval = {
  entries: knowledge.entries.length,
  bar: DEFAULT_CONFIDENCE_BAR,
  barChosenOnMain: chooseBar(index, retrievalMain),
  main: evaluateRetrieval(index, retrievalMain, DEFAULT_CONFIDENCE_BAR),
  blind: evaluateRetrieval(index, loadRetrievalSet(RETRIEVAL_SETS.blind), DEFAULT_CONFIDENCE_BAR),
  unseen: evaluateRetrieval(index, loadRetrievalSet(RETRIEVAL_SETS.unseen), DEFAULT_CONFIDENCE_BAR),
};
process.stdout.write(`${JSON.stringify({ ...summary, leaveOneOut: loo, retrieval }, null, 2)}\n`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const a = summary.combined.accuracy;
const sets = Object.entries(summary.bySet)
  .map(([name, s]) => `${name} ${s.messages}: ${pct(s.accuracy.category)}`)
  .join(', ');
process.stderr.write(
  `keywords on ${summary.combined.messages} messages: category ${pct(a.category)} (goal ${pct(summary.goal.category)} on ${summary.goalSet}; ${sets}; ` +
    `leave-one-out ${pct(loo.combined.category)}), priority ${pct(a.priority)}, needsTicket ${pct(a.needsTicket)}, language ${pct(a.language)}\n`,
);
const r = (name: 'main' | 'blind' | 'unseen') => {
  const x = retrieval[name];
  return `${name} ${x.answerable}: top-1 ${pct(x.top1)}, top-3 ${pct(x.top3)}, answered without a model ${pct(x.confident.answeredRight)} right / ${x.confident.answeredWrong} wrong`;
};
process.stderr.write(
  `retrieval over ${retrieval.entries} sample entries: ${r('main')}; ${r('blind')}; ${r('unseen')}\n`,
);
process.exitCode = summary.meetsGoal ? 0 : 1;
