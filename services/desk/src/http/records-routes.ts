import { Readable } from 'node:stream';
import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { DeskContext } from '../context.js';
import { exportMessagesCsv } from '../export/csv-export.js';
import { ChatParams, IsoInstant, TimeZone } from './query-fields.js';

const DAY_MS = 24 * 3600_000;

const Figures = {
  conversations: z.number(),
  inbound: z.number(),
  outbound: z.number(),
  identified: z.number(),
  unidentified: z.number(),
  answeredByBot: z.number(),
  handedOff: z.number(),
  ticketsOpened: z.number(),
  medianFirstResponseSeconds: z.number().nullable(),
  consentGiven: z.number(),
  consentDeclined: z.number(),
  consentWithdrawn: z.number(),
};

const secured = { security: [{ bearer: [] }] };
const errors = { 400: ErrorBody, 401: ErrorBody, 503: ErrorBody };

function checkRange(from: string, to: string): void {
  if (Date.parse(from) >= Date.parse(to)) throw httpErrors.badRequest('querystring.from: must be before to');
}

/** Stats, consent evidence, the CSV export and the rejected stream entries. */
export function registerRecordsRoutes(app: HttpApp, context: DeskContext): void {
  app.get(
    '/api/stats',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        tags: ['stats'],
        summary: 'Totals and per-day figures over a range (default: the last 30 days)',
        querystring: z.object({
          from: IsoInstant.optional(),
          to: IsoInstant.optional(),
          tz: TimeZone.default('America/Bogota').describe('the zone days are counted in'),
        }),
        response: {
          200: z.object({
            range: z.object({ from: z.string(), to: z.string(), timeZone: z.string() }),
            totals: z.object({ ...Figures, customers: z.number() }),
            days: z.array(z.object({ day: z.string(), ...Figures })),
            now: z.object({ customers: z.number(), activeConversations: z.number() }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const now = context.clock();
      const to = request.query.to ?? now.toISOString();
      const from = request.query.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
      checkRange(from, to);
      return context.stats({ from, to, timeZone: request.query.tz });
    },
  );

  app.get(
    '/api/consents/:chatId',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        tags: ['consents'],
        summary: "A chat's consent evidence (Ley 1581): each answer, the notice shown and its hash, oldest first",
        params: ChatParams,
        response: {
          200: z.object({
            chatId: z.string(),
            current: z.enum(['given', 'declined', 'withdrawn']).nullable(),
            records: z.array(
              z.object({
                decision: z.string(),
                channel: z.string(),
                noticeVersion: z.string(),
                noticeSha256: z.string(),
                noticeText: z.string().nullable(),
                noticeLanguage: z.string().nullable(),
                messageId: z.string(),
                at: z.string(),
                archivedAt: z.string(),
              }),
            ),
          }),
          404: ErrorBody,
          ...errors,
        },
      },
    },
    async (request) => {
      const { chatId } = request.params;
      const records = await context.queries.consents(chatId);
      if (records.length === 0) throw httpErrors.notFound(`no consent record for ${chatId}`);
      const current = records.at(-1)?.decision as 'given' | 'declined' | 'withdrawn';
      return { chatId, current, records };
    },
  );

  app.get(
    '/api/export/messages.csv',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        tags: ['export'],
        summary: 'The messages of a range as CSV, oldest first, streamed',
        querystring: z.object({ from: IsoInstant, to: IsoInstant }),
        // No response schema: the body is a stream (text/csv), which Fastify sends as is.
      },
    },
    async (request, reply) => {
      const { from, to } = request.query;
      checkRange(from, to);
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="messages-${from.slice(0, 10)}-${to.slice(0, 10)}.csv"`);
      return reply.send(Readable.from(exportMessagesCsv(context.db, { from, to })));
    },
  );

  app.get(
    '/api/archive/rejected',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        tags: ['archive'],
        summary: 'Stream entries that were no valid conversation event, newest first (at most 100)',
        response: {
          200: z.object({
            items: z.array(
              z.object({ streamId: z.string(), reason: z.string(), raw: z.string(), rejectedAt: z.string() }),
            ),
          }),
          ...errors,
        },
      },
    },
    async () => {
      const rows = await context.db.query<{ stream_id: string; reason: string; raw: string; rejected_at: Date }>(
        `SELECT stream_id, reason, raw, rejected_at FROM rejected_events ORDER BY rejected_at DESC LIMIT 100`,
        [],
        'rejected_list',
      );
      return {
        items: rows.rows.map((r) => ({
          streamId: r.stream_id,
          reason: r.reason,
          raw: r.raw,
          rejectedAt: r.rejected_at.toISOString(),
        })),
      };
    },
  );
}
