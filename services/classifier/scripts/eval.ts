// `npm run eval`: the keyword classifier against the labelled sets. JSON on stdout, a
// one-line summary on stderr; exits 1 when category accuracy on the blind set is under the goal.
// The sets are development sets (the rules were written with them in view), so the JSON
// also carries the leave-one-out accuracy: each message scored without the rule terms that
// match it alone, the nearer estimate of what new phrasing will get.
import { EVAL_SETS, evaluateAll, loadEvalSet } from '../src/keywords/evaluate.js';
import { createKeywordClassifier } from '../src/keywords/keyword-classifier.js';
import { loadKeywordRules } from '../src/keywords/keyword-rules.js';
import { leaveOneOut } from '../src/keywords/rule-coverage.js';

const rules = loadKeywordRules();
const summary = evaluateAll(createKeywordClassifier(rules));
const loo = leaveOneOut(rules, {
  main: loadEvalSet(EVAL_SETS.main),
  holdout: loadEvalSet(EVAL_SETS.holdout),
}).leaveOneOut;
process.stdout.write(`${JSON.stringify({ ...summary, leaveOneOut: loo }, null, 2)}\n`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const a = summary.combined.accuracy;
const sets = Object.entries(summary.bySet)
  .map(([name, s]) => `${name} ${s.messages}: ${pct(s.accuracy.category)}`)
  .join(', ');
process.stderr.write(
  `keywords on ${summary.combined.messages} messages: category ${pct(a.category)} (goal ${pct(summary.goal.category)} on ${summary.goalSet}; ${sets}; ` +
    `leave-one-out ${pct(loo.combined.category)}), priority ${pct(a.priority)}, needsTicket ${pct(a.needsTicket)}, language ${pct(a.language)}\n`,
);
process.exitCode = summary.meetsGoal ? 0 : 1;
