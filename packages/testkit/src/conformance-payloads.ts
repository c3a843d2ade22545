import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ConformanceKind = 'meta' | 'baileys';

export interface ConformancePayload {
  /** File name, for example `07-image.json`. */
  name: string;
  /** The file's exact text: sign and send this, never a re-serialisation of `json`. */
  raw: string;
  json: unknown;
}

/**
 * Every payload of one kind from the shared conformance corpus, sorted by file name.
 * The corpus sits outside the repository, at `<repo root>/../shared/conformance`;
 * HELPLINE_CONFORMANCE_DIR points elsewhere (it names the folder holding `meta/` and
 * `baileys/`).
 */
export function readConformancePayloads(kind: ConformanceKind): ConformancePayload[] {
  const dir = join(conformanceRoot(), kind);
  if (!existsSync(dir)) {
    throw new Error(`conformance payloads not found at ${dir}; set HELPLINE_CONFORMANCE_DIR`);
  }
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const raw = readFileSync(join(dir, name), 'utf8');
      try {
        return { name, raw, json: JSON.parse(raw) as unknown };
      } catch (error) {
        throw new Error(`conformance payload ${kind}/${name} is not JSON`, { cause: error });
      }
    });
}

function conformanceRoot(): string {
  const override = process.env.HELPLINE_CONFORMANCE_DIR;
  if (override) return resolve(override);
  return join(repositoryRoot(), '..', 'shared', 'conformance');
}

/**
 * The directory of the root package.json (the one declaring workspaces), found by walking
 * up from this module: the same answer from `src/` under vitest and from `dist/` when built.
 */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && declaresWorkspaces(readFileSync(manifest, 'utf8'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('no package.json with "workspaces" above the testkit; set HELPLINE_CONFORMANCE_DIR');
    }
    dir = parent;
  }
}

function declaresWorkspaces(manifest: string): boolean {
  try {
    const parsed: unknown = JSON.parse(manifest);
    return typeof parsed === 'object' && parsed !== null && 'workspaces' in parsed;
  } catch {
    // A broken package.json on the way up is not the root we look for; keep walking.
    return false;
  }
}
