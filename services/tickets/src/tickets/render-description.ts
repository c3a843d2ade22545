import type { DiagnosticReport, TicketRequest } from '@helpline/contracts';
import { textsFor } from './texts.js';

/** Values of a check's data, as `loss 100, rttMs 12`: measured values only, never personal data. */
function renderData(data: Record<string, string | number | boolean | null> | undefined): string {
  if (!data) return '';
  const parts = Object.entries(data)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${String(v)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function renderFindings(report: DiagnosticReport, language: 'es' | 'en'): string {
  const t = textsFor(language);
  const lines = [
    `— ${t.findingsTitle} —`,
    `${t.findingsStatus}: ${report.status}`,
    `${t.findingsSummary}: ${report.summary[language]}`,
  ];
  if (report.router) lines.push(`${t.findingsRouter}: ${report.router}`);
  lines.push(`${t.findingsWhen}: ${report.startedAt} → ${report.finishedAt}`);
  for (const check of report.checks) {
    lines.push(`• ${check.name}: ${t.results[check.result]} — ${check.finding}${renderData(check.data)}`);
  }
  return lines.join('\n');
}

/**
 * The ticket's description as an agent reads it in the CRM: the customer's words, then
 * where it came from, then the diagnostic findings (one line per check) when there are any.
 */
export function renderDescription(request: TicketRequest): string {
  const language = request.replyTo?.language ?? 'es';
  const t = textsFor(language);
  const parts = [request.description.trim()];
  const who = [request.contact.name, request.contact.phone, request.contact.email].filter(Boolean).join(' · ');
  const origin = [`${t.channel}: ${t.channels[request.channel]}`];
  if (who) origin.push(`${t.contact}: ${who}`);
  parts.push(origin.join('\n'));
  if (request.findings) parts.push(renderFindings(request.findings, language));
  return parts.filter((p) => p.length > 0).join('\n\n');
}
