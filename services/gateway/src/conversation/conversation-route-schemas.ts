// The bodies, queries and shared options of the staff's conversation routes.
import { Classification } from '@helpline/contracts';
import { ErrorBody } from '@helpline/runtime';
import { z } from 'zod';
import { CHAT_STATES } from './chat-records.js';

export const Page = {
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};
export const ListQuery = z.object({
  ...Page,
  number: z
    .string()
    .regex(/^[+\d\s().-]{3,32}$/, 'expected digits of a phone number (spaces, +, -, dots and brackets allowed)')
    .optional()
    .describe('digits the chat id contains'),
  state: z.enum(CHAT_STATES).optional(),
});

export const ChatSummaryBody = z.object({
  chatId: z.string(),
  state: z.enum(CHAT_STATES),
  language: z.string().nullable(),
  name: z.string().nullable(),
  consent: z.object({ version: z.string(), at: z.string() }).nullable(),
  customerId: z.string().nullable(),
  lastActivityAt: z.string().nullable(),
  messages: z.number().int(),
  handoff: z.object({ since: z.string().nullable(), until: z.string(), reason: z.string().nullable() }).nullable(),
});
export const EntryBody = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  type: z.string(),
  text: z.string(),
  at: z.string(),
  status: z.enum(['received', 'sent', 'delivered', 'read', 'played', 'failed']),
  statusAt: z.string().optional(),
  purpose: z.string().optional(),
  providerMessageId: z.string().optional(),
  customerId: z.string().optional(),
  classification: Classification.optional(),
  mediaId: z.string().optional().describe('inbound media: fetch it with GET /api/media/{mediaId}'),
  transcript: z.string().optional().describe('a voice note: what the classifier heard in it'),
  answer: z
    .object({ source: z.string(), entries: z.array(z.string()) })
    .optional()
    .describe("the classifier's assistant wrote this message: who, and from which knowledge entries"),
  skipped: z.enum(['paused', 'rate_limited']).optional(),
  error: z.object({ code: z.number(), title: z.string().optional() }).optional(),
});

export const ErasureBody = z.object({
  messages: z.number(),
  jobs: z.object({
    inbound: z.number(),
    outbound: z.number(),
    diagnostics: z.number(),
    accounts: z.number().optional(),
  }),
  activeJobsLeft: z.number(),
  deliveryRecords: z.number(),
  arrivals: z.number(),
  refusedMessages: z.number(),
  streamEvents: z.number(),
  window: z.boolean(),
  pacing: z.boolean(),
});

export const secured = { security: [{ bearer: [] }], tags: ['conversations'] };
export const errors = { 400: ErrorBody, 401: ErrorBody, 503: ErrorBody };
