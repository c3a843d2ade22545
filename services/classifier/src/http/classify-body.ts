import { HistoryTurn, Identifier, Language, Text } from '@helpline/contracts';
import { z } from 'zod';
import { SKIP_REASONS } from '../providers/provider-failure.js';
import { PROVIDER_NAMES } from '../providers/provider.js';
import { Classification, ClassificationSource } from '@helpline/contracts';
import type { RoutingFacts } from '../routing/routing-decision.js';

/**
 * The body existing deployments already send: one message as their bot saw it. A media
 * message (`has_media: true`) comes with `text` null or absent when it has no caption; any
 * other message must carry its text.
 */
export const LegacyMessage = z
  .object({
    id: Identifier.optional(),
    text: Text.max(65_536).nullable().optional(),
    from_user: Identifier.optional(),
    timestamp: z.union([Identifier, z.number()]).optional(),
    group_id: Identifier.nullable().optional(),
    has_media: z.boolean().optional(),
    message_type: Identifier.optional(),
  })
  .superRefine((message, ctx) => {
    if (message.text == null && message.has_media !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['text'],
        message: 'expected a string (null or absent only when has_media is true)',
      });
    }
  });
export type LegacyMessage = z.infer<typeof LegacyMessage>;

/** `{"text": ...}` or `{"message": {...}}`; history and a language hint are optional extras. */
export const ClassifyBody = z
  .object({
    text: Text.max(65_536).optional(),
    message: LegacyMessage.optional(),
    history: z.array(HistoryTurn).max(10).optional(),
    language: Language.optional(),
  })
  .refine((body) => body.text !== undefined || body.message !== undefined, {
    message: 'expected "text" (a string) or "message" (an object with "text")',
    path: ['text'],
  });
export type ClassifyBody = z.infer<typeof ClassifyBody>;

/**
 * The text and type the chain is given: a legacy message's text (for media, its caption),
 * else the plain `text`, else nothing (a media message without caption: the LLMs are told
 * its type, the keywords answer `other` with low confidence).
 */
export function classifyInputOf(body: ClassifyBody): { text: string; messageType?: string } {
  const messageType = body.message?.message_type ?? (body.message?.has_media ? 'media' : undefined);
  return { text: body.message?.text ?? body.text ?? '', ...(messageType ? { messageType } : {}) };
}

/**
 * Who POST /classify answers as: a customer writing to the business's number in a one-to-one
 * chat (its phone is the chat, so diagnosable and ticketable), unless the legacy message has a
 * `group_id`: then a group member, with a phone only when `from_user` is one (digits, or a
 * phone JID).
 */
export function senderFactsOf(body: ClassifyBody): RoutingFacts {
  if (body.message?.group_id == null) return { oneToOne: true, hasPhone: true, knownCustomer: true };
  const from = body.message.from_user ?? '';
  return { oneToOne: false, hasPhone: /^\d{7,15}(?:(?::\d+)?@s\.whatsapp\.net)?$/.test(from), knownCustomer: false };
}

export const ClassifyAnswer = z.object({
  classification: Classification,
  provider: ClassificationSource.describe('who answered: an LLM provider or keywords'),
  attempts: z.array(
    z.object({
      provider: z.enum(PROVIDER_NAMES),
      outcome: z.enum(['answered', 'passed_over']),
      reason: z.enum(SKIP_REASONS).optional(),
      durationMs: z.number(),
      detail: z.string().optional(),
    }),
  ),
  durationMs: z.number(),
  answer: z
    .object({
      text: z.string().describe('what the customer would be sent'),
      entries: z.array(z.string()).describe('headings of the knowledge entries the text comes from'),
      source: z
        .enum(['openai', 'gemini', 'anthropic', 'knowledge'])
        .describe('who wrote it; knowledge: an entry as it is'),
      kind: z
        .enum(['answer', 'not_found'])
        .describe('not_found: the entries do not answer it (menu and a person offered)'),
    })
    .optional()
    .describe('absent without KNOWLEDGE_DIR, for account questions and for messages that are not questions'),
  ownAccount: z.boolean().describe("a question about the customer's own account, for the accounts service"),
  reply: z
    .object({
      action: z
        .enum(['accounts', 'handoff', 'diagnostics', 'ticket', 'answer', 'not_found', 'greeting', 'ack_only'])
        .describe('what routing would do (nothing is queued by this route)'),
      text: z
        .string()
        .optional()
        .describe(
          "what the customer would be sent; absent for accounts (that service answers from the customer's data)",
        ),
      includesAnswer: z.boolean().describe('answer.text is in text (as the whole reply, or after the acknowledgement)'),
    })
    .describe("what the customer would get, as routing would decide it for a one-to-one chat (group_id: a group's)"),
});
