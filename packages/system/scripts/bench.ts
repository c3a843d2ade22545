// `npm run bench` at the top: every workspace's benchmark (its own `bench` script), one
// after another so they do not load the two cores at once, assembled into one JSON
// document, printed on stdout and written to bench-results.json (npm prints its own header
// on stdout too; `npm run --silent bench` leaves the JSON alone). Progress goes to stderr.
// Exits 1 if a benchmark fails.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const workspaces = ['packages', 'services'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .map((name) => join(root, dir, name))
    .filter((path) => {
      const manifest = join(path, 'package.json');
      return (
        existsSync(manifest) &&
        Boolean((JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: { bench?: string } }).scripts?.bench)
      );
    }),
);

function runBench(cwd: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (code !== 0) return reject(new Error(`the benchmark in ${cwd} exited with code ${code}`));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Error(`the benchmark in ${cwd} printed no JSON: ${text.slice(0, 200)}`));
      }
    });
  });
}

const results: Record<string, unknown> = {};
for (const path of workspaces) {
  const name = (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { name: string }).name;
  process.stderr.write(`bench: ${name}\n`);
  try {
    results[name] = await runBench(path);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
const document = `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`;
writeFileSync(join(root, 'bench-results.json'), document);
process.stdout.write(document);
process.stderr.write('bench: written to bench-results.json\n');
