// `node --import tsx packages/system/scripts/cpu-profile-top.ts <file.cpuprofile> [rows]`:
// where a V8 CPU profile (`node --cpu-prof`, or the pipeline bench with BENCH_PROFILE_DIR)
// spent its samples, as self time by function and by package, so that a regression can be
// pinned without opening DevTools. Idle and GC are listed on their own.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpu-profile-top.ts <file.cpuprofile> [rows]\n');
  process.exit(2);
}
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node: each sample's time delta belongs to the node sampled.
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

/** The package a frame's file belongs to (`bullmq`, `ioredis`, `@helpline/gateway`, `node:`...). */
function packageOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const service = /\/(services|packages)\/([^/]+)\//.exec(url);
  return service ? `@helpline/${service[2]}` : url;
}

const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules|services|packages)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const pkg = ['(idle)', '(garbage collector)', '(program)'].includes(functionName) ? functionName : packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
}
const pct = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
const ms = (micros: number) => `${Math.round(micros / 1000)} ms`.padStart(9);
const top = (map: Map<string, number>) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([k, v]) => `${pct(v)} ${ms(v)}  ${k}`)
    .join('\n');
process.stdout.write(
  `${file}: ${Math.round((profile.endTime - profile.startTime) / 1000)} ms profiled\n\nby package\n${top(byPackage)}\n\nby function (self)\n${top(byFunction)}\n`,
);
