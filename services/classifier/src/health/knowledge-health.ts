import type { CheckResult } from '@helpline/runtime';
import type { KnowledgeSummary } from '../knowledge/knowledge-base.js';

/**
 * The knowledge base in /health: without KNOWLEDGE_DIR the assistant is simply off (ok);
 * with it, a base that loaded nothing or skipped files is degraded, naming the files, so a
 * typo in one file does not go unnoticed while the rest keeps answering.
 */
export function knowledgeHealth(summary: KnowledgeSummary): CheckResult {
  if (!summary.dir) return { status: 'ok', message: 'KNOWLEDGE_DIR is not set: no answers from knowledge' };
  const details = { entries: summary.entries, files: summary.files, loadedAt: summary.loadedAt ?? null };
  if (summary.entries === 0)
    return { status: 'degraded', message: `no entry loaded from KNOWLEDGE_DIR (${summary.dir})`, details };
  if (summary.problems.length > 0) {
    const files = summary.problems.map((p) => p.file).join(', ');
    return { status: 'degraded', message: `knowledge files skipped: ${files}`, details };
  }
  return { status: 'ok', details };
}
