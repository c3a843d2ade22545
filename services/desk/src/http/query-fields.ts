import { ErrorBody, httpErrors } from '@helpline/runtime';
import { z } from 'zod';

/** Query and path fields shared by the desk's routes: each bad value is a 400 naming it. */
export const Page = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1).describe('1-based page number'),
  per_page: z.coerce.number().int().min(1).max(200).default(20).describe('items per page'),
};

/** The `:chatId` of a route: parsed as the gateway parses it (contracts). */
export { ChatIdParams as ChatParams } from '@helpline/contracts';

export const IsoInstant = z.iso.datetime({ offset: true });

/** "true"/"false" in a query string (z.coerce.boolean would read "false" as true). */
export const QueryBoolean = z.enum(['true', 'false']).transform((value) => value === 'true');

/** An IANA time zone the runtime (and so PostgreSQL, from the same tz database) knows. */
export const TimeZone = z
  .string()
  .max(64)
  .refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected an IANA time zone such as America/Bogota' },
  );

export const ConversationSummaryBody = z.object({
  chatId: z.string(),
  channel: z.string(),
  customerId: z.string().nullable(),
  name: z.string().nullable(),
  state: z.enum(['open', 'handoff', 'closed']),
  conversation: z
    .number()
    .int()
    .describe('1 for the first conversation; a close makes the next message start the next'),
  conversationStartedAt: z.string(),
  firstMessageAt: z.string().nullable(),
  lastMessageAt: z.string().nullable(),
  lastDirection: z.enum(['inbound', 'outbound']).nullable(),
  closedAt: z.string().nullable(),
  messages: z.number().int(),
  hasOpenTicket: z.boolean(),
});

/** A page's place in every paged answer. */
export const PageBody = { total: z.number().int(), page: z.number().int(), per_page: z.number().int() };

/** The operator routes' OpenAPI fields: the bearer token, the conversations tag. */
export const securedConversations = { security: [{ bearer: [] }], tags: ['conversations'] };
/** The answers every operator route may give besides its own. */
export const operatorErrors = { 400: ErrorBody, 401: ErrorBody, 503: ErrorBody };

/** The operator routes' bearer token, for routes that name their own tag. */
export const secured = { security: [{ bearer: [] }] };

/** A range of `from` and `to` the caller gave: empty or backwards is a 400. */
export function checkRange(from: string, to: string): void {
  if (Date.parse(from) >= Date.parse(to)) throw httpErrors.badRequest('querystring.from: must be before to');
}
