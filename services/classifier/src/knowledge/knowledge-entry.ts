import type { Language } from '@helpline/contracts';

/** One answer of the ISP's knowledge base: a `## ` heading of a markdown file and what follows it. */
export interface KnowledgeEntry {
  /** `file#n`: stable while the file keeps its order; the heading is what people see. */
  id: string;
  /** The question or topic, as written after `## `. */
  heading: string;
  /** Extra search terms from the optional `keywords:` line. */
  keywords: string[];
  /** The answer, as the customer should read it. */
  body: string;
  language: Language;
  /** The file it came from, relative to the knowledge folder. */
  file: string;
}

/** A file that could not be used, and why (one log line each). */
export interface KnowledgeProblem {
  file: string;
  message: string;
}
