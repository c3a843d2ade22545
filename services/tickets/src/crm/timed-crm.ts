import type { Histogram } from 'prom-client';
import type { CrmAdapter, KeyLookupHint, NewAttachment } from './crm-adapter.js';
import { CrmAmbiguousError, CrmRefusedError, CrmUnavailableError } from './crm-errors.js';

function outcomeOf(error: unknown): string {
  if (error instanceof CrmAmbiguousError) return 'ambiguous';
  if (error instanceof CrmUnavailableError) return 'unavailable';
  if (error instanceof CrmRefusedError) return 'refused';
  return 'error';
}

/** Times every CRM operation into `helpline_crm_request_duration_seconds`. */
export function withLatency<T extends CrmAdapter>(
  crm: T,
  latency: Histogram<'provider' | 'operation' | 'outcome'>,
): CrmAdapter {
  const timed =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      const observe = (outcome: string) =>
        latency.observe({ provider: crm.provider, operation, outcome }, (performance.now() - started) / 1000);
      try {
        const result = await call(...args);
        observe('ok');
        return result;
      } catch (error) {
        observe(outcomeOf(error));
        throw error;
      }
    };
  return {
    provider: crm.provider,
    findContactByPhone: timed('find_contact', (phone: string) => crm.findContactByPhone(phone)),
    createContact: timed('create_contact', (contact) => crm.createContact(contact)),
    createTicket: timed('create_ticket', (ticket) => crm.createTicket(ticket)),
    getTicket: timed('get_ticket', (id: string) => crm.getTicket(id)),
    listDepartments: timed('list_departments', () => crm.listDepartments()),
    findTicketByIdempotencyKey: timed('find_ticket_by_key', (key: string, hint?: KeyLookupHint) =>
      crm.findTicketByIdempotencyKey(key, hint),
    ),
    attachFile: timed('attach_file', (ticketId: string, file: NewAttachment) => crm.attachFile(ticketId, file)),
    findAttachment: timed('find_attachment', (ticketId: string, file: Parameters<CrmAdapter['findAttachment']>[1]) =>
      crm.findAttachment(ticketId, file),
    ),
  };
}
