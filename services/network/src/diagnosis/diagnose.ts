import {
  type CustomerReference,
  type DiagnosticReport,
  type DiagnosticRequest,
  jobIds,
  type OutboundMessageInput,
  type TicketRequestInput,
} from '@helpline/contracts';
import type { Producer } from '@helpline/runtime';
import type { Logger } from 'pino';
import type { CustomerDirectory, CustomerRecord } from '../customers/customer-directory.js';
import type { NetworkMetrics } from '../metrics.js';
import type { LastReportStore } from './last-report-store.js';
import type { RouterRegistry } from './router-registry.js';
import { type CheckSettings, notConfiguredReport, notFoundReport, runChecks } from './run-checks.js';
import { reportText } from './summary.js';

export interface DiagnoseDeps {
  directory: CustomerDirectory;
  routers: RouterRegistry;
  lastReports: LastReportStore;
  settings: CheckSettings;
  metrics: NetworkMetrics;
  logger: Logger;
  now: () => Date;
}

export type DiagnoseOutcome =
  | { kind: 'report'; report: DiagnosticReport; fromCache: boolean; customer?: CustomerRecord }
  | { kind: 'ambiguous'; candidates: CustomerRecord[] };

/**
 * Finds the customer and runs (or recalls) the diagnosis. Several matching accounts are
 * returned as such: the caller asks which one, never picks the first.
 */
export async function diagnose(
  reference: CustomerReference,
  correlationId: string,
  deps: DiagnoseDeps,
  options: { force?: boolean } = {},
): Promise<DiagnoseOutcome> {
  const matches = await deps.directory.find(reference);
  if (matches.length > 1) {
    deps.metrics.diagnoses.inc({ result: 'ambiguous' });
    return { kind: 'ambiguous', candidates: matches };
  }
  const [customer] = matches;
  if (!customer) {
    deps.metrics.diagnoses.inc({ result: 'not_found' });
    return { kind: 'report', report: notFoundReport(correlationId, deps.now), fromCache: false };
  }
  if (!options.force) {
    const last = await deps.lastReports.get(customer.customerId);
    if (last) {
      deps.metrics.diagnoses.inc({ result: 'cached' });
      return { kind: 'report', report: last, fromCache: true, customer };
    }
  }
  const report = deps.routers.configured
    ? await runChecks({
        correlationId,
        customer,
        router: deps.routers.forCustomer(customer),
        settings: deps.settings,
        logger: deps.logger,
        now: deps.now,
      })
    : notConfiguredReport(correlationId, customer.customerId, deps.now);
  deps.metrics.diagnoses.inc({ result: report.status });
  // Logged by status and check results only: no address, MAC or password is in a report.
  deps.logger.info({ customerId: customer.customerId, status: report.status, router: report.router }, 'diagnosis finished');
  await deps.lastReports.put(customer.customerId, report);
  return { kind: 'report', report, fromCache: false, customer };
}

export interface DiagnosticJobDeps extends DiagnoseDeps {
  outbound: Producer<'outbound'>;
  tickets: Producer<'tickets'>;
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

function ticketFor(request: DiagnosticRequest, report: DiagnosticReport, customer: CustomerRecord): TicketRequestInput {
  const billing = report.checks.some((c) => c.name === 'account' && c.result === 'fail');
  const lines = report.checks.filter((c) => c.result !== 'skipped').map((c) => `- ${c.name}: ${c.result}: ${c.finding}`);
  const description = [
    request.reportedText ? `Customer wrote: ${request.reportedText}` : undefined,
    `Automatic diagnosis: ${report.status}${report.router ? ` (router ${report.router})` : ''}`,
    ...lines,
  ]
    .filter(Boolean)
    .join('\n');
  const phone = customer.phones[0];
  return {
    idempotencyKey: `diagnosis-${request.correlationId}`,
    correlationId: request.correlationId,
    subject: `${billing ? 'Account' : 'Connectivity'}: ${report.status} — customer ${customer.customerId}`.slice(0, 255),
    description: description.slice(0, 32_000),
    priority: report.status === 'down' ? 'high' : 'medium',
    category: billing ? 'billing' : 'connectivity',
    contact: {
      ...(phone ? { phone } : { contactId: `customer-${customer.customerId}` }),
      ...(customer.name ? { name: customer.name } : {}),
      customerId: customer.customerId,
    },
    channel: request.replyTo.channel,
    replyTo: request.replyTo,
    findings: report,
  };
}

/**
 * The `diagnostics` job: diagnose, answer in the chat the request came from, and open a
 * ticket with the findings when asked and a fault was found. Job ids come from the
 * correlation id, so a retried job adds no second message or ticket.
 */
export async function handleDiagnosticRequest(request: DiagnosticRequest, deps: DiagnosticJobDeps): Promise<DiagnoseOutcome> {
  const outcome = await diagnose(request.customer, request.correlationId, deps);
  if (outcome.kind === 'ambiguous') {
    await deps.outbound.add(accountChoice(request, outcome.candidates), {
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
  await deps.outbound.add(message, { jobId: jobIds.outbound(request.correlationId, 'diagnosis') });
  const fault = report.status === 'down' || report.status === 'degraded';
  if (request.openTicketOnFailure && fault && !fromCache && customer) {
    await deps.tickets.add(ticketFor(request, report, customer), { jobId: jobIds.ticket(request.correlationId) });
  }
  return outcome;
}
