import type { HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { StatsQuery } from '../queries/stats-query.js';
import { checkRange, IsoInstant, operatorErrors as errors, secured, TimeZone } from './query-fields.js';

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

/** Totals and per-day figures over a range. */
export function registerStatsRoutes(app: HttpApp, stats: StatsQuery, clock: () => Date): void {
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
      const now = clock();
      const to = request.query.to ?? now.toISOString();
      const from = request.query.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
      checkRange(from, to);
      return stats({ from, to, timeZone: request.query.tz });
    },
  );
}
