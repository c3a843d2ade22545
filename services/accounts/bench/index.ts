// `npm run bench -w @helpline/accounts`: each benchmark of this service in turn (one
// process each, so that neither loads the other), one JSON document out.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = { debt: 'debt-requests.ts', broadcast: 'broadcast-throughput.ts' };
const results: Record<string, unknown> = {};
for (const [name, file] of Object.entries(benches)) {
  const run = spawnSync(
    process.execPath,
    ['--conditions=@helpline/source', '--import', 'tsx', fileURLToPath(new URL(file, import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (run.status !== 0) {
    process.stderr.write(`bench ${name} exited with ${run.status}\n`);
    process.exit(1);
  }
  results[name] = JSON.parse(run.stdout);
}
process.stdout.write(`${JSON.stringify(results)}\n`);
