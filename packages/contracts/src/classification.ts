import { z } from 'zod';
import { Text } from './text.js';
import { Category, ClassificationSource, Language, Priority } from './taxonomy.js';

export const Entities = z.object({
  ips: z.array(z.ipv4()).default([]),
  documentNumbers: z.array(Text).default([]),
  ticketNumbers: z.array(Text).default([]),
});
export type Entities = z.infer<typeof Entities>;

/**
 * One schema for every classifier. The LLM providers are asked for this exact shape and
 * their answers are validated against it; the keyword classifier produces it too.
 */
export const Classification = z.object({
  category: Category,
  priority: Priority,
  needsTicket: z.boolean(),
  /** One line, usable as a ticket subject. */
  summary: Text.trim().min(1).max(200),
  language: Language,
  confidence: z.number().min(0).max(1),
  source: ClassificationSource,
  // A factory, not an object: zod clones a default only one level deep, so one shared
  // object would hand every parse the same arrays, and a push into one result's
  // `entities.ips` would show up in the next classification.
  entities: Entities.default(() => ({ ips: [], documentNumbers: [], ticketNumbers: [] })),
});
export type Classification = z.infer<typeof Classification>;
export type ClassificationInput = z.input<typeof Classification>;
