import { HistoryTurn, Language } from '@helpline/contracts';
import { z } from 'zod';
import { SKIP_REASONS } from '../providers/provider-failure.js';
import { PROVIDER_NAMES } from '../providers/provider.js';
import { Classification, ClassificationSource } from '@helpline/contracts';

/** The body existing deployments already send: one message as their bot saw it. */
export const LegacyMessage = z.object({
  id: z.string().optional(),
  text: z.string().max(65_536),
  from_user: z.string().optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  group_id: z.string().nullable().optional(),
  has_media: z.boolean().optional(),
  message_type: z.string().optional(),
});

/** `{"text": ...}` or `{"message": {...}}`; history and a language hint are optional extras. */
export const ClassifyBody = z
  .object({
    text: z.string().max(65_536).optional(),
    message: LegacyMessage.optional(),
    history: z.array(HistoryTurn).max(10).optional(),
    language: Language.optional(),
  })
  .refine((body) => body.text !== undefined || body.message !== undefined, {
    message: 'expected "text" (a string) or "message" (an object with "text")',
    path: ['text'],
  });
export type ClassifyBody = z.infer<typeof ClassifyBody>;

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
});
