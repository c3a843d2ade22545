import { CodedError, ERRORS, ErrorBody, type HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';

const KnowledgeSummaryBody = z.object({
  dir: z.string().optional().describe('KNOWLEDGE_DIR; absent when unset'),
  entries: z.number().int(),
  files: z.number().int(),
  problems: z.array(z.object({ file: z.string(), message: z.string() })).describe('files skipped, and why'),
  loadedAt: z.string().optional(),
});

function present(summary: ReturnType<KnowledgeBase['summary']>) {
  return {
    entries: summary.entries,
    files: summary.files,
    problems: summary.problems,
    ...(summary.dir ? { dir: summary.dir } : {}),
    ...(summary.loadedAt ? { loadedAt: summary.loadedAt } : {}),
  };
}

/** GET /api/knowledge (what is loaded) and POST /api/knowledge/reload (read KNOWLEDGE_DIR again now). */
export function registerKnowledgeRoutes(app: HttpApp, knowledge: KnowledgeBase): void {
  app.get(
    '/api/knowledge',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'What the knowledge base holds: entries, files, files skipped',
        tags: ['knowledge'],
        security: [{ bearer: [] }],
        response: { 200: KnowledgeSummaryBody, 401: ErrorBody },
      },
    },
    async () => present(knowledge.summary()),
  );
  app.post(
    '/api/knowledge/reload',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Read KNOWLEDGE_DIR again; answers what was loaded and which files were skipped',
        tags: ['knowledge'],
        security: [{ bearer: [] }],
        response: { 200: KnowledgeSummaryBody, 401: ErrorBody, 409: ErrorBody },
      },
    },
    async () => {
      if (!knowledge.summary().dir) {
        throw new CodedError(ERRORS.no_knowledge_dir, 'KNOWLEDGE_DIR is not set: there is no knowledge base to reload');
      }
      return present(await knowledge.reload());
    },
  );
}
