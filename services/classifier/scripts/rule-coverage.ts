// Which rule terms the labelled sets actually exercise, and what the keywords score when each
// message loses the terms that match it alone (leave-one-out).
//   node --conditions=@helpline/source --import tsx scripts/rule-coverage.ts [rules.json] [--all]
// JSON on stdout: the leave-one-out report, the terms matching exactly one message (with
// that message), the terms matching only holdout messages, the terms matching nothing, and
// with --all every term's counts. A one-line summary on stderr.
import { EVAL_SETS, loadEvalSet } from '../src/keywords/evaluate.js';
import { DEFAULT_RULES_FILE, loadKeywordRules } from '../src/keywords/keyword-rules.js';
import { isPhrase, joinSets, leaveOneOut, termCoverage } from '../src/keywords/rule-coverage.js';

const args = process.argv.slice(2);
const rulesFile = args.find((a) => !a.startsWith('--')) ?? DEFAULT_RULES_FILE;
const rules = loadKeywordRules(rulesFile);
const sets = { main: loadEvalSet(EVAL_SETS.main), holdout: loadEvalSet(EVAL_SETS.holdout) };
const joined = joinSets(sets);
const coverage = termCoverage(rules, sets);
const describe = ({ place, term, matches }: (typeof coverage)[number]) => ({
  place,
  term,
  phrase: isPhrase(term),
  ...matches,
});

const singleMatch = coverage
  .filter((c) => c.total === 1)
  .map((c) => ({ ...describe(c), message: joined[c.messageIndexes[0] as number]?.message.text }));
const holdoutOnly = coverage.filter((c) => c.total > 0 && c.matches.main === 0).map(describe);
const unmatched = coverage.filter((c) => c.total === 0).map(describe);
const loo = leaveOneOut(rules, sets);

process.stdout.write(
  `${JSON.stringify(
    {
      rules: String(rulesFile),
      terms: coverage.length,
      leaveOneOut: loo,
      singleMatch,
      holdoutOnly,
      unmatched,
      ...(args.includes('--all') ? { all: coverage.map(describe) } : {}),
    },
    null,
    2,
  )}\n`,
);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
process.stderr.write(
  `${coverage.length} terms: ${singleMatch.length} match one message (${singleMatch.filter((t) => t.phrase).length} phrases), ` +
    `${holdoutOnly.length} only holdout messages, ${unmatched.length} nothing; category ${pct(loo.full.combined.category)} ` +
    `(main ${pct(loo.full.bySet.main?.category ?? 0)}, holdout ${pct(loo.full.bySet.holdout?.category ?? 0)}), ` +
    `leave-one-out ${pct(loo.leaveOneOut.combined.category)}\n`,
);
