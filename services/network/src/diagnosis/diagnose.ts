import {
  outageTicketKey,
  type CustomerReference,
  type DiagnosticReport,
  type DiagnosticRequest,
  isOneToOneChannel,
  jobIds,
  type OutboundMessageInput,
  type TicketRequestInput,
} from '@helpline/contracts';
import type { Producer } from '@helpline/runtime';
import type { Logger } from 'pino';
import type { CustomerDirectory, CustomerRecord } from '@helpline/directory';
import type { NetworkMetrics } from '../metrics.js';
import type { OutageWatch } from '../outages/outage-watch.js';
import type { RouterClient } from '../routeros/router-client.js';
import type { LastReportStore } from './last-report-store.js';
import { oncePerCustomer } from './once-per-customer.js';
import { type RouterRegistry, UnknownRouterError } from './router-registry.js';
import { type CheckSettings, notConfiguredReport, notFoundReport, runChecks } from './run-checks.js';
import { reportText } from './summary.js';

export interface DiagnoseDeps {
  directory: CustomerDirectory;
  routers: RouterRegistry;
  lastReports: LastReportStore;
  settings: CheckSettings;
  networkMetrics: NetworkMetrics;
  logger: Logger;
  clock: () => Date;
  /** How long a request waits for a diagnosis of the same customer already running, and how often it looks. */
  claimWait?: { waitMs: number; pollMs: number };
  /** General outages: found from diagnoses, and answered instead of diagnosing again. */
  outages?: OutageWatch;
}

export type DiagnoseOutcome =
  | { kind: 'report'; report: DiagnosticReport; fromCache: boolean; customer?: CustomerRecord }
  | { kind: 'ambiguous'; candidates: CustomerRecord[] }
  | { kind: 'outage'; outageId: string; router: string; customer: CustomerRecord };

/** The configured router that serves the customer, when there is one. */
function routerNameOf(customer: CustomerRecord, routers: RouterRegistry): string | undefined {
  if (!routers.configured) return undefined;
  try {
    return routers.forCustomer(customer).name;
  } catch (error) {
    if (error instanceof UnknownRouterError) return undefined;
    throw error;
  }
}

/** A finished diagnosis is looked at for a general outage; a failure here never fails the diagnosis. */
async function watchForOutage(customer: CustomerRecord, report: DiagnosticReport, deps: DiagnoseDeps): Promise<void> {
  if (!deps.outages || !report.router) return;
  try {
    await deps.outages.observe(report.router, customer.customerId, report);
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not look at the diagnosis for a general outage');
  }
}

const DEFAULT_CLAIM_WAIT = { waitMs: 60_000, pollMs: 100 };

/** Runs the checks for one customer on their router (or says why there is none). */
async function runFor(customer: CustomerRecord, correlationId: string, deps: DiagnoseDeps): Promise<DiagnosticReport> {
  if (!deps.routers.configured) return notConfiguredReport(correlationId, customer.customerId, deps.clock);
  let router: RouterClient | undefined;
  let routerProblem: { finding: string; errorKind: string } | undefined;
  try {
    router = deps.routers.forCustomer(customer);
  } catch (error) {
    if (!(error instanceof UnknownRouterError)) throw error;
    routerProblem = { finding: error.message, errorKind: error.reason };
    deps.logger.warn(
      { customerId: customer.customerId, reason: error.reason },
      'no configured router for this customer',
    );
  }
  return runChecks({
    correlationId,
    customer,
    router,
    ...(routerProblem ? { routerProblem } : {}),
    settings: deps.settings,
    logger: deps.logger,
    clock: deps.clock,
  });
}

/**
 * Finds the customer and runs (or recalls) the diagnosis. Several matching accounts are
 * returned as such: the caller asks which one, never picks the first. One diagnosis runs
 * per customer at a time and per cooldown (see once-per-customer.ts).
 */
export async function diagnose(
  reference: CustomerReference,
  correlationId: string,
  deps: DiagnoseDeps,
  options: { force?: boolean; answerOutages?: boolean } = {},
): Promise<DiagnoseOutcome> {
  const matches = await deps.directory.find(reference);
  if (matches.length > 1) {
    deps.networkMetrics.diagnoses.inc({ result: 'ambiguous' });
    return { kind: 'ambiguous', candidates: matches };
  }
  const [customer] = matches;
  if (!customer) {
    deps.networkMetrics.diagnoses.inc({ result: 'not_found' });
    return { kind: 'report', report: notFoundReport(correlationId, deps.clock), fromCache: false };
  }
  if (options.answerOutages && deps.outages) {
    // A complaint from a router with a general outage is answered with it: no diagnosis
    // that would only wait on a router known to be down.
    const router = routerNameOf(customer, deps.routers);
    const outageId = router ? await deps.outages.openOutage(router) : undefined;
    if (router && outageId) {
      deps.networkMetrics.diagnoses.inc({ result: 'outage' });
      return { kind: 'outage', outageId, router, customer };
    }
  }
  const { report, fromCache } = await oncePerCustomer(
    deps.lastReports,
    customer.customerId,
    async () => {
      const fresh = await runFor(customer, correlationId, deps);
      deps.networkMetrics.diagnoses.inc({ result: fresh.status });
      // Logged by status and check results only: no address, MAC or password is in a report.
      deps.logger.info(
        { customerId: customer.customerId, status: fresh.status, router: fresh.router },
        'diagnosis finished',
      );
      await watchForOutage(customer, fresh, deps);
      return fresh;
    },
    { ...(deps.claimWait ?? DEFAULT_CLAIM_WAIT), force: options.force ?? false },
  );
  if (fromCache) deps.networkMetrics.diagnoses.inc({ result: 'cached' });
  return { kind: 'report', report, fromCache, customer };
}

export interface DiagnosticJobDeps extends DiagnoseDeps {
  producers: { outbound: Producer<'outbound'>; tickets: Producer<'tickets'> };
}

function accountChoice(request: DiagnosticRequest, candidates: CustomerRecord[]): OutboundMessageInput {
  const es = request.replyTo.language === 'es';
  const body = es
    ? 'Encontramos varias cuentas con tus datos. ¿Cuál quieres que revisemos?'
    : 'We found several accounts with your details. Which one should we check?';
  const rows = candidates.slice(0, 10).map((c) => ({
    id: `diagnose:${c.customerId}`.slice(0, 200),
    title: (c.plan ?? c.name ?? (es ? 'Cuenta' : 'Account')).slice(0, 24),
    description: `${es ? 'Cliente' : 'Customer'} ${c.customerId}`.slice(0, 72),
  }));
  const base = {
    correlationId: request.correlationId,
    purpose: 'diagnosis_account',
    channel: request.replyTo.channel,
    to: request.replyTo.chatId,
    ...(request.replyTo.replyToMessageId ? { replyTo: request.replyTo.replyToMessageId } : {}),
    ...(request.replyTo.mention ? { mentions: [request.replyTo.mention] } : {}),
  };
  return {
    ...base,
    content: { kind: 'list', body, buttonText: es ? 'Elegir cuenta' : 'Choose account', sections: [{ rows }] },
  };
}

/** A phone to reach the person who complained: a wa_id chat, or a group member's phone JID. */
function chatPhone(replyTo: DiagnosticRequest['replyTo']): string | undefined {
  if (isOneToOneChannel(replyTo.channel) && /^\d{7,15}$/.test(replyTo.chatId)) return replyTo.chatId;
  const member = replyTo.mention ? /^(\d{7,15})@s\.whatsapp\.net$/.exec(replyTo.mention) : null;
  return member?.[1];
}

function ticketContact(
  request: DiagnosticRequest,
  customer: CustomerRecord | undefined,
): TicketRequestInput['contact'] | undefined {
  const phone = customer?.phones[0] ?? request.customer.phone ?? chatPhone(request.replyTo);
  const known = {
    ...(customer?.name ? { name: customer.name } : {}),
    ...(customer ? { customerId: customer.customerId } : {}),
  };
  if (phone) return { phone, ...known };
  return customer ? { contactId: `customer-${customer.customerId}`, ...known } : undefined;
}

/** What the customer gave to be found by, for staff when the directory found nobody. */
function referenceLine(reference: CustomerReference): string {
  const parts = [
    reference.phone ? `phone ${reference.phone}` : undefined,
    reference.customerId ? `customer id ${reference.customerId}` : undefined,
    reference.pppoeUser ? `PPPoE user ${reference.pppoeUser}` : undefined,
    reference.documentNumber ? `document ${reference.documentNumber}` : undefined,
  ].filter(Boolean);
  return `Looked up by: ${parts.join(', ')}`;
}

function ticketSubject(report: DiagnosticReport, customer: CustomerRecord | undefined, billing: boolean): string {
  if (!customer) return 'Connectivity: not diagnosed — customer not found in the directory';
  if (report.status === 'unknown') return `Connectivity: not diagnosed — customer ${customer.customerId}`;
  return `${billing ? 'Account' : 'Connectivity'}: ${report.status} — customer ${customer.customerId}`;
}

function ticketFor(
  request: DiagnosticRequest,
  report: DiagnosticReport,
  customer: CustomerRecord | undefined,
  contact: TicketRequestInput['contact'],
): TicketRequestInput {
  const billing = report.checks.some((c) => c.name === 'account' && c.result === 'fail');
  const lines = report.checks
    .filter((c) => c.result !== 'skipped')
    .map((c) => `- ${c.name}: ${c.result}: ${c.finding}`);
  const description = [
    request.reportedText ? `Customer wrote: ${request.reportedText}` : undefined,
    report.status === 'unknown'
      ? 'Automatic diagnosis could not tell whether the service works; the findings say why.'
      : `Automatic diagnosis: ${report.status}${report.router ? ` (router ${report.router})` : ''}`,
    customer ? undefined : referenceLine(request.customer),
    ...lines,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    idempotencyKey: `diagnosis-${request.correlationId}`,
    correlationId: request.correlationId,
    subject: ticketSubject(report, customer, billing).slice(0, 255),
    description: description.slice(0, 32_000),
    priority: report.status === 'down' ? 'high' : 'medium',
    category: billing ? 'billing' : 'connectivity',
    contact,
    channel: request.replyTo.channel,
    replyTo: request.replyTo,
    findings: report,
  };
}

/**
 * The `diagnostics` job: diagnose, answer in the chat the request came from, and, when the
 * request asks for it, open a ticket with the findings unless the service was found
 * working: a fault (`down`, `degraded`) and a diagnosis that could not tell (`unknown`:
 * customer not found, no router, router unreachable) both reach staff. No ticket for a
 * repeat answered from the cooldown (the first one opened it) nor for a question about
 * which account (the customer answers it). Job ids come from the correlation id, so a
 * retried job adds no second message or ticket.
 */
export async function handleDiagnosticRequest(
  request: DiagnosticRequest,
  deps: DiagnosticJobDeps,
): Promise<DiagnoseOutcome> {
  const outcome = await diagnose(request.customer, request.correlationId, deps, { answerOutages: true });
  if (outcome.kind === 'outage') {
    await answerWithOutage(request, outcome, deps);
    return outcome;
  }
  if (outcome.kind === 'ambiguous') {
    await deps.producers.outbound.add(accountChoice(request, outcome.candidates), {
      jobId: jobIds.outbound(request.correlationId, 'diagnosis_account'),
    });
    return outcome;
  }
  const { report, fromCache, customer } = outcome;
  const message: OutboundMessageInput = {
    correlationId: request.correlationId,
    purpose: 'diagnosis',
    channel: request.replyTo.channel,
    to: request.replyTo.chatId,
    content: { kind: 'text', body: reportText(report, request.replyTo.language, fromCache) },
    ...(request.replyTo.replyToMessageId ? { replyTo: request.replyTo.replyToMessageId } : {}),
    ...(request.replyTo.mention ? { mentions: [request.replyTo.mention] } : {}),
    // The gateway records the customer's id on the chat, so staff see who it is.
    ...(customer ? { meta: { customerId: customer.customerId } } : {}),
  };
  await deps.producers.outbound.add(message, { jobId: jobIds.outbound(request.correlationId, 'diagnosis') });
  if (request.openTicketOnFailure && report.status !== 'ok' && !fromCache) {
    const contact = ticketContact(request, customer);
    // This very diagnosis may have found the outage: its ticket is then the outage's one.
    const outageId = report.router ? await deps.outages?.openOutage(report.router) : undefined;
    const phone = chatPhone(request.replyTo);
    if (outageId && phone) await deps.outages?.addComplainer(outageId, phone);
    if (contact) {
      const ticket = ticketFor(request, report, customer, contact);
      await deps.producers.tickets.add(
        outageId
          ? {
              ...ticket,
              idempotencyKey: outageTicketKey(outageId),
              subject: `General outage on router ${report.router}`.slice(0, 255),
              priority: 'high',
            }
          : ticket,
        { jobId: jobIds.ticket(request.correlationId) },
      );
    } else {
      deps.logger.warn(
        { status: report.status },
        'ticket not opened: no phone or customer record to reach the customer by',
      );
    }
  }
  return outcome;
}

function outageText(router: string, language: string): string {
  return language === 'en'
    ? `We know there is a general service outage in your area (node ${router}). Our team is already working on it; we will tell you here when it is fixed. You do not need to report it again.`
    : `Sabemos que hay una falla general del servicio en tu zona (nodo ${router}). Nuestro equipo ya está trabajando para resolverla; te avisaremos aquí cuando esté solucionada. No necesitas reportarla de nuevo.`;
}

/**
 * A complaint during an outage: the outage's answer, and the complaint joins the outage's
 * one incident ticket (one idempotency key per outage: the tickets service creates it once
 * and answers every later complaint with the same ticket). The complainer is told when it ends.
 */
async function answerWithOutage(
  request: DiagnosticRequest,
  outcome: Extract<DiagnoseOutcome, { kind: 'outage' }>,
  deps: DiagnosticJobDeps,
): Promise<void> {
  const { customer, router, outageId } = outcome;
  await deps.producers.outbound.add(
    {
      correlationId: request.correlationId,
      purpose: 'diagnosis',
      channel: request.replyTo.channel,
      to: request.replyTo.chatId,
      content: { kind: 'text', body: outageText(router, request.replyTo.language) },
      ...(request.replyTo.replyToMessageId ? { replyTo: request.replyTo.replyToMessageId } : {}),
      ...(request.replyTo.mention ? { mentions: [request.replyTo.mention] } : {}),
      meta: { customerId: customer.customerId },
    },
    { jobId: jobIds.outbound(request.correlationId, 'diagnosis') },
  );
  const phone = chatPhone(request.replyTo);
  if (phone) await deps.outages?.addComplainer(outageId, phone);
  if (!request.openTicketOnFailure) return;
  const contact = ticketContact(request, customer);
  if (!contact) return;
  await deps.producers.tickets.add(
    {
      idempotencyKey: outageTicketKey(outageId),
      correlationId: request.correlationId,
      subject: `General outage on router ${router}`.slice(0, 255),
      description: [
        `General outage ${outageId} on router ${router}: every complaint from this router joins this ticket.`,
        `First complaint: customer ${customer.customerId}`,
        request.reportedText ? `Customer wrote: ${request.reportedText}` : undefined,
      ]
        .filter(Boolean)
        .join('\n')
        .slice(0, 32_000),
      priority: 'high',
      category: 'connectivity',
      contact,
      channel: request.replyTo.channel,
      replyTo: request.replyTo,
    },
    { jobId: jobIds.ticket(request.correlationId) },
  );
}
