import type { Language } from '@helpline/contracts';
import type { KnowledgeEntry } from './knowledge-entry.js';

const HEADING = /^##\s+(.+?)\s*#*\s*$/;
const KEYWORDS = /^keywords\s*:\s*(.*)$/i;
const LANGUAGE = /^language\s*:\s*(es|en)\s*$/i;

/** Longest answer kept: longer than one WhatsApp text (4096) is a file mistake, not an answer. */
export const MAX_BODY_CHARS = 4_000;

export type ParsedFile = { ok: true; entries: KnowledgeEntry[] } | { ok: false; message: string };

/** `*.en.md` is English; any other file Spanish, unless a `language:` line before the first entry says otherwise. */
function languageOfName(file: string): Language {
  return /\.en\.md$/i.test(file) ? 'en' : 'es';
}

/**
 * One markdown file of the knowledge base: every `## ` heading starts an entry, an optional
 * `keywords:` line right under it adds search terms, the rest until the next `## ` is the
 * answer. Text before the first entry is a preamble (title, notes, `language:`). A file
 * that yields no entry, or an entry without an answer, is refused whole: half a file loaded
 * silently would be worse than the file reported.
 */
export function parseKnowledgeFile(file: string, text: string): ParsedFile {
  let language = languageOfName(file);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const drafts: { heading: string; keywords: string[]; body: string[]; line: number }[] = [];
  let inFence = false;
  lines.forEach((raw, index) => {
    const line = raw.trimEnd();
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    const current = drafts.at(-1);
    if (heading?.[1]) {
      drafts.push({ heading: heading[1].trim(), keywords: [], body: [], line: index + 1 });
      return;
    }
    if (!current) {
      const lang = LANGUAGE.exec(line.trim());
      if (lang?.[1]) language = lang[1].toLowerCase() as Language;
      return;
    }
    const keywords = KEYWORDS.exec(line.trim());
    if (keywords && current.body.every((l) => l.trim() === '') && current.keywords.length === 0) {
      current.keywords = (keywords[1] ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      return;
    }
    current.body.push(line);
  });
  if (drafts.length === 0) return { ok: false, message: 'no entry: an entry starts with a "## " heading' };
  const entries: KnowledgeEntry[] = [];
  for (const [n, draft] of drafts.entries()) {
    const body = draft.body.join('\n').trim();
    if (!body) return { ok: false, message: `line ${draft.line}: "## ${draft.heading}" has no answer under it` };
    if (body.length > MAX_BODY_CHARS) {
      return {
        ok: false,
        message: `line ${draft.line}: "## ${draft.heading}" is ${body.length} characters, over ${MAX_BODY_CHARS}`,
      };
    }
    entries.push({ id: `${file}#${n + 1}`, heading: draft.heading, keywords: draft.keywords, body, language, file });
  }
  return { ok: true, entries };
}
