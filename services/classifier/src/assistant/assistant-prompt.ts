import { readFileSync } from 'node:fs';

/** The shipped instructions: answer only from the entries, say so when they do not answer. */
export const DEFAULT_ASSISTANT_PROMPT_FILE = new URL('../../data/assistant-prompt.md', import.meta.url);

const MAX_PROMPT_CHARS = 20_000;

/**
 * ASSISTANT_PROMPT_FILE, or the default. Read once at start: a missing, empty or oversized
 * file stops the service with a message naming the variable, rather than answering
 * customers with instructions nobody wrote.
 */
export function loadAssistantPrompt(file: string | URL | undefined): string {
  const path = file ?? DEFAULT_ASSISTANT_PROMPT_FILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`ASSISTANT_PROMPT_FILE ${String(path)} cannot be read: ${(error as Error).message}`);
  }
  if (!text) throw new Error(`ASSISTANT_PROMPT_FILE ${String(path)} is empty`);
  if (text.length > MAX_PROMPT_CHARS)
    throw new Error(`ASSISTANT_PROMPT_FILE ${String(path)} is ${text.length} characters, over ${MAX_PROMPT_CHARS}`);
  return text;
}
