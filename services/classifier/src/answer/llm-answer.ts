import { Category, type Classification, type ClassificationSource, Language, Priority } from '@helpline/contracts';
import { z } from 'zod';

/**
 * The one schema every LLM is asked for: the contract's Classification without `source`
 * (the code knows who answered) and with plain string lists for entities, because each
 * provider's structured-output dialect supports a different subset of formats. Every
 * field is required and no other field is allowed (OpenAI's strict mode demands both).
 */
export const LlmAnswer = z.strictObject({
  category: Category.describe('one category of the taxonomy'),
  priority: Priority.describe('how urgent the problem is for the customer'),
  needsTicket: z.boolean().describe('true when someone must act on it (a fault, a dispute, a change)'),
  summary: z
    .string()
    .min(1)
    .max(200)
    .describe('one line of at most 200 characters, usable as a ticket subject, in the language of the message'),
  language: Language.describe('language of the customer message'),
  confidence: z.number().min(0).max(1).describe('how sure the classification is, 0 to 1'),
  entities: z.strictObject({
    ips: z.array(z.string()).describe('IPv4 addresses written in the message'),
    documentNumbers: z.array(z.string()).describe('identity or tax document numbers written in the message'),
    ticketNumbers: z.array(z.string()).describe('ticket or case numbers written in the message'),
  }),
});
export type LlmAnswer = z.infer<typeof LlmAnswer>;

// Keywords not every provider's structured-output dialect accepts (OpenAI's strict mode
// lists no string lengths among its supported keywords). They are left out of what is
// sent; the zod schema still enforces them on the answer.
const UNPORTABLE_KEYWORDS = new Set(['$schema', 'minLength', 'maxLength']);

function portable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portable);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>)
      .filter(([key]) => !UNPORTABLE_KEYWORDS.has(key))
      .map(([key, value]) => [key, portable(value)]),
  );
}

/** A zod schema as JSON Schema in the subset all three providers accept. */
export function portableJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return portable(z.toJSONSchema(schema, { target: 'draft-7' })) as Record<string, unknown>;
}

/** The answer schema as JSON Schema, derived from the zod schema, in the subset all three providers accept. */
export function answerJsonSchema(): Record<string, unknown> {
  return portableJsonSchema(LlmAnswer);
}

const IPV4 = z.ipv4();

/** A validated answer plus who gave it: the contract's Classification. */
export function toClassification(answer: LlmAnswer, source: ClassificationSource): Classification {
  // Field by field: an assistant answer also carries the reply, which is not a classification's.
  const { category, priority, needsTicket, language, confidence } = answer;
  return {
    category,
    priority,
    needsTicket,
    language,
    confidence,
    summary: answer.summary.trim(),
    source,
    entities: {
      // A model may echo something that only looks like an address; the contract takes IPv4 only.
      ips: answer.entities.ips.filter((ip) => IPV4.safeParse(ip).success),
      documentNumbers: answer.entities.documentNumbers,
      ticketNumbers: answer.entities.ticketNumbers,
    },
  };
}
