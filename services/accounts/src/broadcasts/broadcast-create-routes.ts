import type { WhatsAppTemplatesFile } from '@helpline/contracts';
import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import {
  audienceOfTargetGroup,
  BroadcastBody,
  contentOf,
  DeploymentBroadcastBody,
  deploymentContent,
  TARGET_GROUPS_HELP,
} from './broadcast-request.js';
import { PlanView, planView } from './broadcast-views.js';
import type { BroadcastPlan, Broadcasts } from './broadcasts.js';

const security = [{ bearer: [] }];

/** The audience reached no one: nothing to store. */
function refuseEmpty(plan: BroadcastPlan): void {
  if (!plan.dryRun && plan.recipients === 0) {
    throw httpErrors.unprocessable('the audience has no customer with a WhatsApp number: nothing was stored');
  }
}

/** A broadcast started: the API's own body, and the deployment's words (`POST /broadcast`). */
export function registerBroadcastCreateRoutes(
  app: HttpApp,
  broadcasts: Broadcasts,
  templates: WhatsAppTemplatesFile,
): void {
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
}
