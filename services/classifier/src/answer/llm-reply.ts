import { z } from 'zod';
import { LlmAnswer, portableJsonSchema } from './llm-answer.js';

/** WhatsApp's limit on one text message's body. */
export const WHATSAPP_TEXT_MAX = 4_096;

/**
 * The customer-facing half of an assistant answer, asked for in the same call as the
 * classification:
 * - `answered`: `text` answers from the entries listed in `entries` (their labels, K1...);
 * - `not_in_knowledge`: a question the entries do not answer (the code says so, canned);
 * - `account`: about the customer's own account (their debt, invoice, payments): for the
 *   accounts service, never answered by the model;
 * - `none`: nothing to answer from knowledge (a fault report, a greeting, a request for a person).
 */
export const LlmReply = z.strictObject({
  status: z.enum(['answered', 'not_in_knowledge', 'account', 'none']).describe('what kind of reply this is'),
  text: z
    .string()
    .max(WHATSAPP_TEXT_MAX)
    .describe('the reply to the customer when status is answered, in their language, at most 1000 characters; else ""'),
  entries: z.array(z.string()).describe('labels (K1, K2...) of the knowledge entries the text is based on'),
});
export type LlmReply = z.infer<typeof LlmReply>;

/** Classification and reply in one object: what the assistant asks every provider for. */
export const LlmAssistantAnswer = LlmAnswer.extend({ reply: LlmReply });
export type LlmAssistantAnswer = z.infer<typeof LlmAssistantAnswer>;

/** Which of the two answer schemas a prompt asks for. */
export type AnswerKind = 'classification' | 'assistant';

/** The JSON Schema a prompt of this kind asks for. */
export function jsonSchemaFor(kind: AnswerKind): Record<string, unknown> {
  return portableJsonSchema(kind === 'assistant' ? LlmAssistantAnswer : LlmAnswer);
}
