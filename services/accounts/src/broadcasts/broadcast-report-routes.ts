import { ErrorBody, type HttpApp, HttpError, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import { Id, ReportView, reportView, SummaryView, summary } from './broadcast-views.js';
import type { Broadcasts } from './broadcasts.js';

const security = [{ bearer: [] }];

/** Broadcasts listed, one broadcast's report, and its cancel. */
export function registerBroadcastReportRoutes(app: HttpApp, broadcasts: Broadcasts): void {
  app.get(
    '/api/broadcasts',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Broadcasts, newest first',
        tags: ['broadcasts'],
        security,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ total: z.number(), items: z.array(SummaryView) }) },
      },
    },
    async (request) => {
      const page = await broadcasts.list(request.query.limit, request.query.offset);
      return { total: page.total, items: page.items.map(summary) };
    },
  );

  app.get(
    '/api/broadcasts/:id',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'A broadcast and its report: recipients by state, failures by code, skipped',
        tags: ['broadcasts'],
        security,
        params: Id,
        response: { 200: ReportView, 404: ErrorBody },
      },
    },
    async (request) => {
      const report = await broadcasts.report(request.params.id);
      if (!report) throw httpErrors.notFound('no such broadcast');
      return reportView(report);
    },
  );

  app.post(
    '/api/broadcasts/:id/cancel',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Stop what is not yet sent; what went stays in the report',
        tags: ['broadcasts'],
        security,
        params: Id,
        response: { 200: ReportView, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { found } = await broadcasts.cancel(request.params.id);
      if (!found) throw httpErrors.notFound('no such broadcast');
      const report = await broadcasts.report(request.params.id);
      if (!report) throw httpErrors.notFound('no such broadcast');
      if (report.broadcast.state === 'done') {
        throw new HttpError(409, 'conflict', 'the broadcast has already handed out every message');
      }
      return reportView(report);
    },
  );
}
