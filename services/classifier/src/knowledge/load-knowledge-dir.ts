import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KnowledgeEntry, KnowledgeProblem } from './knowledge-entry.js';
import { parseKnowledgeFile } from './parse-knowledge-file.js';

export interface LoadedKnowledge {
  entries: KnowledgeEntry[];
  /** Files read, entries or not. */
  files: string[];
  problems: KnowledgeProblem[];
}

/** The demo ISP's knowledge base shipped with the service (what `npm start` uses without KNOWLEDGE_DIR). */
export const SAMPLE_KNOWLEDGE_DIR = fileURLToPath(new URL('../../knowledge/', import.meta.url));

/** The folder's own description of the format, never an entry. */
const IGNORED = new Set(['readme.md']);

/** Every `*.md` file of the folder and its subfolders, in name order, parsed. */
export async function loadKnowledgeDir(dir: string): Promise<LoadedKnowledge> {
  const names = (await readdir(dir, { recursive: true }))
    .map((name) => String(name))
    .filter((name) => name.toLowerCase().endsWith('.md') && !IGNORED.has(name.toLowerCase()))
    .sort();
  const entries: KnowledgeEntry[] = [];
  const problems: KnowledgeProblem[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (error) {
      problems.push({ file: name, message: `cannot be read: ${(error as Error).message}` });
      continue;
    }
    const parsed = parseKnowledgeFile(name, text);
    if (parsed.ok) entries.push(...parsed.entries);
    else problems.push({ file: name, message: parsed.message });
  }
  return { entries, files: names, problems };
}
