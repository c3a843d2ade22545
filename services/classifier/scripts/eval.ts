// `npm run eval`: the keyword classifier against the labelled sets. JSON on stdout, a
// one-line summary on stderr; exits 1 when category accuracy is under the goal.
import { evaluateAll } from '../src/keywords/evaluate.js';
import { createKeywordClassifier } from '../src/keywords/keyword-classifier.js';
import { loadKeywordRules } from '../src/keywords/keyword-rules.js';

const summary = evaluateAll(createKeywordClassifier(loadKeywordRules()));
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const a = summary.combined.accuracy;
const sets = Object.entries(summary.bySet)
  .map(([name, s]) => `${name} ${s.messages}: ${pct(s.accuracy.category)}`)
  .join(', ');
process.stderr.write(
  `keywords on ${summary.combined.messages} messages: category ${pct(a.category)} (goal ${pct(summary.goal.category)}; ${sets}), priority ${pct(a.priority)}, needsTicket ${pct(a.needsTicket)}, language ${pct(a.language)}\n`,
);
process.exitCode = summary.meetsGoal ? 0 : 1;
