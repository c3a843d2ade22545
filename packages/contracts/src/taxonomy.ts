import { z } from 'zod';

/**
 * The taxonomy every classifier (LLM or keywords) answers in. Renaming a value breaks jobs
 * already in Redis and the dashboards that group by it: add values, never rename them.
 */
export const CATEGORIES = [
  'connectivity',
  'technical',
  'billing',
  'account',
  'sales',
  'human',
  'greeting',
  'other',
] as const;
export const Category = z.enum(CATEGORIES);
export type Category = z.infer<typeof Category>;

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

export const LANGUAGES = ['es', 'en'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

/**
 * `cloud`: the Meta Cloud API (one-to-one customers); `group`: Baileys support groups;
 * `twilio`: one-to-one customers reaching WhatsApp through Twilio's Messages API. Added after
 * the first release: jobs of older versions name only the first two, and still validate.
 */
export const CHANNELS = ['cloud', 'group', 'twilio'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

/**
 * Channels whose chats are one customer each, named by their WhatsApp number (wa_id digits):
 * the customer conversation, phone lookups and diagnoses by phone apply to them alike.
 */
export const ONE_TO_ONE_CHANNELS: readonly Channel[] = ['cloud', 'twilio'];

/** Whether a channel's chats are one customer each (see ONE_TO_ONE_CHANNELS). */
export function isOneToOneChannel(channel: Channel): boolean {
  return ONE_TO_ONE_CHANNELS.includes(channel);
}

export const CLASSIFICATION_SOURCES = ['openai', 'gemini', 'anthropic', 'keywords'] as const;
export const ClassificationSource = z.enum(CLASSIFICATION_SOURCES);
export type ClassificationSource = z.infer<typeof ClassificationSource>;
