import { type CircuitBreaker, createBreaker, type ServiceMetrics } from '@helpline/runtime';
import type { CrmAdapter } from './crm-adapter.js';
import { CrmUnavailableError } from './crm-errors.js';

export interface BreakerCrmOptions {
  metrics: ServiceMetrics;
  /** Breaker settings; tests shorten them. */
  volumeThreshold?: number;
  errorThresholdPercentage?: number;
  resetTimeoutMs?: number;
}

type Call = () => Promise<unknown>;

/**
 * Every CRM call goes through one breaker named after the provider: while the CRM is down,
 * jobs fail fast (and wait out their backoff) instead of each holding a connection until
 * its deadline. Refusals (PermanentErrors) do not count against the CRM.
 */
export function withBreaker(
  crm: CrmAdapter,
  options: BreakerCrmOptions,
): { crm: CrmAdapter; breaker: CircuitBreaker<[Call], unknown> } {
  const breaker = createBreaker<[Call], unknown>((call) => call(), {
    name: crm.provider,
    metrics: options.metrics,
    volumeThreshold: options.volumeThreshold ?? 5,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    resetTimeout: options.resetTimeoutMs ?? 30_000,
  });

  const through = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return (await breaker.fire(call)) as T;
    } catch (error) {
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        throw new CrmUnavailableError(
          `${crm.provider} circuit breaker is open: the CRM failed repeatedly, calls paused`,
          { cause: error },
        );
      }
      throw error;
    }
  };

  return {
    breaker,
    crm: {
      provider: crm.provider,
      findContactByPhone: (phone) => through(() => crm.findContactByPhone(phone)),
      createContact: (contact) => through(() => crm.createContact(contact)),
      createTicket: (ticket) => through(() => crm.createTicket(ticket)),
      getTicket: (id) => through(() => crm.getTicket(id)),
      listDepartments: () => through(() => crm.listDepartments()),
      findTicketByIdempotencyKey: (key, hint) => through(() => crm.findTicketByIdempotencyKey(key, hint)),
      attachFile: (ticketId, file) => through(() => crm.attachFile(ticketId, file)),
      findAttachment: (ticketId, file) => through(() => crm.findAttachment(ticketId, file)),
    },
  };
}
