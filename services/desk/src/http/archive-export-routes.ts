import { Readable } from 'node:stream';
import type { Database, HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import { exportMessagesCsv } from '../export/csv-export.js';
import { checkRange, IsoInstant, operatorErrors as errors, secured } from './query-fields.js';

/** What operators take out of the archive: the messages of a range as CSV, and the rejected stream entries. */
export function registerArchiveExportRoutes(app: HttpApp, db: Database): void {
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
      return reply.send(Readable.from(exportMessagesCsv(db, { from, to })));
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
      const rows = await db.query<{ stream_id: string; reason: string; raw: string; rejected_at: Date }>(
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
