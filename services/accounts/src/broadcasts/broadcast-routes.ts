import { ErrorBody, type HttpApp, HttpError, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import {
  audienceOfTargetGroup,
  BroadcastBody,
  contentOf,
  DeploymentBroadcastBody,
  deploymentContent,
  TARGET_GROUPS_HELP,
} from './broadcast-request.js';
import { RECIPIENT_STATES, type BroadcastReport, type BroadcastRow } from './broadcast-store.js';
import type { BroadcastPlan, Broadcasts } from './broadcasts.js';
import type { WhatsAppTemplatesFile } from '@helpline/contracts';

const Id = z.object({ id: z.string().regex(/^b[0-9a-z]{1,40}$/, 'expected a broadcast id such as b19c2f3a4k7x2q1') });

const PlanView = z.object({
  id: z.string().optional(),
  dry_run: z.boolean(),
  state: z.string(),
  kind: z.enum(['template', 'text']),
  recipients: z.number().describe('numbers it goes to, one per customer, never two to one number'),
  unusable: z.number().describe('numbers in the audience that cannot be WhatsApp numbers'),
  reachable_now: z
    .number()
    .optional()
    .describe('free text only: recipients inside their 24-hour window now; the others are skipped'),
  start_at: z.string(),
  sample: z
    .array(z.object({ phone: z.string(), customerId: z.string().optional(), name: z.string().optional() }))
    .optional(),
});

const SummaryView = z.object({
  id: z.string(),
  state: z.string(),
  kind: z.string(),
  source: z.string(),
  total: z.number(),
  created_at: z.string(),
  start_at: z.string(),
  cancelled_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

const ReportView = SummaryView.extend({
  content: z.unknown(),
  audience: z.unknown(),
  /** Each recipient counted once, in the state it is in now. */
  counts: z.object(
    Object.fromEntries(RECIPIENT_STATES.map((s) => [s, z.number()])) as Record<
      (typeof RECIPIENT_STATES)[number],
      z.ZodNumber
    >,
  ),
  /** How far messages got: sent includes those delivered and read since, delivered includes read. */
  reached: z.object({ sent: z.number(), delivered: z.number(), read: z.number() }),
  failed: z.number(),
  /** Each failure reason (Meta's error code, or Helpline's own) and how many recipients it hit. */
  failures: z.array(z.object({ code: z.string(), title: z.string().nullable(), count: z.number() })),
  skipped: z.object({ opted_out: z.number(), no_consent: z.number(), window_closed: z.number() }),
});

const summary = (b: BroadcastRow) => ({
  id: b.id,
  state: b.state,
  kind: b.kind,
  source: b.source,
  total: b.total,
  created_at: b.createdAt,
  start_at: b.startAt,
  cancelled_at: b.cancelledAt,
  finished_at: b.finishedAt,
});

export function reportView(r: BroadcastReport): z.infer<typeof ReportView> {
  const c = r.counts;
  return {
    ...summary(r.broadcast),
    content: r.broadcast.content,
    audience: r.broadcast.audience,
    counts: c,
    reached: { sent: c.sent + c.delivered + c.read, delivered: c.delivered + c.read, read: c.read },
    failed: c.failed,
    failures: r.failures,
    skipped: { opted_out: c.skipped_opted_out, no_consent: c.skipped_no_consent, window_closed: c.skipped_window },
  };
}

const planView = (p: BroadcastPlan): z.infer<typeof PlanView> => ({
  ...(p.id ? { id: p.id } : {}),
  dry_run: p.dryRun,
  state: p.state,
  kind: p.kind,
  recipients: p.recipients,
  unusable: p.unusable,
  ...(p.reachableNow !== undefined ? { reachable_now: p.reachableNow } : {}),
  start_at: p.startAt,
  ...(p.sample ? { sample: p.sample } : {}),
});

/** The audience reached no one: nothing to store. */
function refuseEmpty(plan: BroadcastPlan): void {
  if (!plan.dryRun && plan.recipients === 0) {
    throw httpErrors.unprocessable('the audience has no customer with a WhatsApp number: nothing was stored');
  }
}

export function registerBroadcastRoutes(app: HttpApp, broadcasts: Broadcasts, templates: WhatsAppTemplatesFile): void {
  const security = [{ bearer: [] }];

  app.post(
    '/api/broadcasts',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Send a template (or free text) to an audience, paced, now or at start_at; dry_run answers who',
        description:
          'Audience: all, active, debt, plan, router or numbers. Free text reaches only chats inside their 24-hour window (reachable_now says how many now). Consent and opt-out are checked by the gateway at send time; the report counts who was skipped.',
        tags: ['broadcasts'],
        security,
        body: BroadcastBody,
        response: { 200: PlanView, 201: PlanView, 400: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const content = contentOf(body, templates);
      const plan = await broadcasts.create({
        content,
        audience: body.audience,
        ...(body.start_at ? { startAt: new Date(body.start_at) } : {}),
        dryRun: body.dry_run,
        source: 'api',
      });
      refuseEmpty(plan);
      return reply.status(plan.dryRun ? 200 : 201).send(planView(plan));
    },
  );

  app.post(
    '/broadcast',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: "The deployment's broadcast: message and target_group",
        description: `target_group: ${TARGET_GROUPS_HELP}. The message goes as the broadcast purpose's template when WHATSAPP_TEMPLATES_FILE maps one taking only text (and customer_name), else as free text (chats inside their window only).`,
        tags: ['broadcasts'],
        security,
        body: DeploymentBroadcastBody,
        response: { 200: PlanView, 202: PlanView, 400: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      const audience = audienceOfTargetGroup(request.body.target_group);
      if (!audience) throw httpErrors.badRequest(`target_group: ${TARGET_GROUPS_HELP}`);
      const plan = await broadcasts.create({
        content: deploymentContent(request.body.message, templates),
        audience,
        dryRun: request.body.dry_run,
        source: 'deployment',
      });
      refuseEmpty(plan);
      return reply.status(plan.dryRun ? 200 : 202).send(planView(plan));
    },
  );

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
