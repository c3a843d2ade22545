import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '@helpline/runtime';
import { createKnowledgeIndex, type KnowledgeIndex } from './knowledge-index.js';
import type { KnowledgeProblem } from './knowledge-entry.js';
import { loadKnowledgeDir } from './load-knowledge-dir.js';

export interface KnowledgeSummary {
  dir: string | undefined;
  entries: number;
  files: number;
  problems: KnowledgeProblem[];
  loadedAt: string | undefined;
}

export interface KnowledgeBase {
  /** The index of the last good load (empty before the first or without KNOWLEDGE_DIR). */
  index(): KnowledgeIndex;
  summary(): KnowledgeSummary;
  /** Reads the folder again; the old index serves until the new one is built. */
  reload(): Promise<KnowledgeSummary>;
  /** Reloads, debounced, whenever a file of the folder changes. */
  watch(debounceMs?: number): void;
  close(): void;
}

const EMPTY = createKnowledgeIndex([]);

/**
 * KNOWLEDGE_DIR, loaded and kept current. A file that cannot be used is logged (one line
 * per file, a warning) and left out; the rest still load. A folder that cannot be read at
 * all keeps the previous index rather than answering nothing.
 */
export function createKnowledgeBase(options: {
  dir: string | undefined;
  logger: Logger;
  now?: () => Date;
}): KnowledgeBase {
  const { dir, logger } = options;
  const now = options.now ?? (() => new Date());
  let index = EMPTY;
  let summary: KnowledgeSummary = { dir, entries: 0, files: 0, problems: [], loadedAt: undefined };
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<KnowledgeSummary> | undefined;
  let again = false;

  async function load(): Promise<KnowledgeSummary> {
    if (!dir) return summary;
    try {
      const loaded = await loadKnowledgeDir(dir);
      for (const problem of loaded.problems)
        logger.warn({ file: problem.file, problem: problem.message }, 'knowledge file skipped');
      index = createKnowledgeIndex(loaded.entries);
      summary = {
        dir,
        entries: loaded.entries.length,
        files: loaded.files.length,
        problems: loaded.problems,
        loadedAt: now().toISOString(),
      };
      logger.info(
        { entries: summary.entries, files: summary.files, skipped: loaded.problems.length },
        'knowledge loaded',
      );
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'KNOWLEDGE_DIR cannot be read: the previous entries stay');
      summary = { ...summary, problems: [{ file: '.', message: `cannot be read: ${(error as Error).message}` }] };
    }
    return summary;
  }

  // One load at a time; a change during a load asks for one more afterwards.
  function reload(): Promise<KnowledgeSummary> {
    if (running) {
      again = true;
      return running;
    }
    running = load().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void reload();
      }
    });
    return running;
  }

  return {
    index: () => index,
    summary: () => summary,
    reload,
    watch(debounceMs = 300) {
      if (!dir || watcher) return;
      try {
        watcher = watch(dir, { recursive: true }, () => {
          clearTimeout(timer);
          timer = setTimeout(() => void reload(), debounceMs);
        });
        watcher.on('error', (error) => logger.warn({ err: error.message }, 'knowledge folder watch stopped'));
      } catch (error) {
        logger.warn(
          { err: (error as Error).message },
          'knowledge folder not watched: reload with POST /api/knowledge/reload',
        );
      }
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
