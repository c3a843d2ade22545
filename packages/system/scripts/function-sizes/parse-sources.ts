// Parses TypeScript sources with the TypeScript compiler itself. TypeScript 7's compiler is
// the native tsgo binary; its API (`typescript/unstable/sync`) runs it as a child process and
// hands back the syntax tree. The project is a virtual tsconfig that lists exactly the given
// files, with no lib and no module resolution: only parsing is wanted, and loading the
// services' real projects (every dependency's types) took seconds per service.
import { resolve } from 'node:path';
import { API } from 'typescript/unstable/sync';
import type { SourceFile } from 'typescript/unstable/ast';

/**
 * Calls `visit` with the syntax tree of each source (path -> text), in the given order. The
 * trees are read only inside `visit`: the compiler process is closed when this returns.
 */
export function withParsedSources(
  sources: ReadonlyMap<string, string>,
  visit: (path: string, sourceFile: SourceFile) => void,
): void {
  const files = new Map([...sources].map(([path, text]) => [resolve(path), text]));
  // Beside the sources, in a directory no real file lives in, so nothing else is read.
  const config = resolve('/__function-sizes__/tsconfig.json');
  const configText = JSON.stringify({
    compilerOptions: { noLib: true, noResolve: true, types: [], allowJs: false },
    files: [...files.keys()],
  });
  const api = new API({
    fs: {
      readFile: (name) => (name === config ? configText : (files.get(name) ?? undefined)),
      fileExists: (name) => (name === config || files.has(name) ? true : undefined),
    },
  });
  try {
    const snapshot = api.updateSnapshot({ openProjects: [config] });
    const project = snapshot.getProject(config);
    if (!project) throw new Error('the TypeScript API opened no project for the sources');
    for (const [path, absolute] of [...sources.keys()].map((p) => [p, resolve(p)] as const)) {
      const sourceFile = project.program.getSourceFile(absolute);
      if (!sourceFile) throw new Error(`the TypeScript API did not parse ${path}`);
      visit(path, sourceFile);
    }
  } finally {
    api.close();
  }
}
