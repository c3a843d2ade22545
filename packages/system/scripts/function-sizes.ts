// The largest functions of each service, by lines, for the "one shape" closing note:
// `node --import tsx packages/system/scripts/function-sizes.ts [top]`. The sources are parsed
// by the TypeScript compiler (see function-sizes/parse-sources.ts), so every function form
// counts, however its signature is laid out; see function-sizes/measure-functions.ts for
// what a line count covers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MeasuredFunction, measureFunctions } from './function-sizes/measure-functions.js';
import { withParsedSources } from './function-sizes/parse-sources.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const top = Number(process.argv[2] ?? 3);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const services = readdirSync(join(root, 'services')).sort();
const filesByService = new Map(services.map((s) => [s, sourceFiles(join(root, 'services', s, 'src'))]));
const sources = new Map([...filesByService.values()].flat().map((file) => [file, readFileSync(file, 'utf8')]));

// One compiler process for every service: starting it is most of the cost.
const measured = new Map<string, (MeasuredFunction & { file: string })[]>();
withParsedSources(sources, (file, sourceFile) => {
  measured.set(
    file,
    measureFunctions(sourceFile).map((f) => ({ ...f, file: relative(root, file) })),
  );
});

for (const [service, files] of filesByService) {
  const all = files.flatMap((file) => measured.get(file) ?? []).sort((a, b) => b.lines - a.lines);
  console.log(`${service}:`);
  for (const f of all.slice(0, top)) console.log(`  ${f.lines} lines  ${f.name}  ${f.file}:${f.line}`);
}
