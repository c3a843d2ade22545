import { readFileSync } from 'node:fs';
import { type TemplateMapping, type TemplatePurpose, WhatsAppTemplatesFile } from '@helpline/contracts';

/** The templates file could not be used; `lines` names each fault, one per line. */
export class TemplatesFileError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'TemplatesFileError';
  }
}

/** Purpose -> approved template, from `WHATSAPP_TEMPLATES_FILE`. */
export interface TemplateBook {
  get(purpose: TemplatePurpose): TemplateMapping | undefined;
  /** The Twilio Content SID of a template by its WhatsApp name and language. */
  contentSidFor(name: string, language: string): string | undefined;
  readonly size: number;
}

export function createTemplateBook(file: WhatsAppTemplatesFile = {}): TemplateBook {
  const entries = Object.entries(file) as Array<[TemplatePurpose, TemplateMapping]>;
  return {
    get: (purpose) => file[purpose],
    contentSidFor(name, language) {
      return entries.find(([, t]) => t.name === name && t.language === language && t.twilio)?.[1].twilio?.contentSid;
    },
    size: entries.length,
  };
}

/** Validates a parsed file; every fault is one line `WHATSAPP_TEMPLATES_FILE <path>: <what>`. */
export function parseTemplatesFile(json: unknown, source = 'WHATSAPP_TEMPLATES_FILE'): TemplateBook {
  const parsed = WhatsAppTemplatesFile.safeParse(json);
  if (!parsed.success) {
    throw new TemplatesFileError(
      parsed.error.issues.map((i) => `${source} ${i.path.map(String).join('.') || '(root)'}: ${i.message}`),
    );
  }
  return createTemplateBook(parsed.data);
}

/** Reads and validates the file at `path`; an unset path is an empty book. */
export function loadTemplatesFile(path: string | undefined): TemplateBook {
  if (!path) return createTemplateBook();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TemplatesFileError([`WHATSAPP_TEMPLATES_FILE: cannot read ${path} (${code})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TemplatesFileError([`WHATSAPP_TEMPLATES_FILE: ${path} is not valid JSON`]);
  }
  return parseTemplatesFile(json);
}
