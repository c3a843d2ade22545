import {
  AccountRequest,
  ALL_QUEUES,
  DiagnosticRequest,
  InboundMessage,
  jobIds,
  OutboundMessage,
  QUEUE_NAMES,
  QUEUE_SCHEMAS,
  TicketRequest,
} from '@helpline/contracts';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  minimalAccountRequest,
  minimalDiagnostic,
  minimalInbound,
  minimalOutbound,
  minimalTicket,
} from './support/examples.js';

/** BullMQ's own test for a custom job id it refuses (Job.validateOptions, bullmq 5/6). */
const bullmqRefuses = (id: string): boolean =>
  `${Number.parseInt(id, 10)}` === id || (id.includes(':') && id.split(':').length !== 3);

describe('queues', () => {
  test('queue names are fixed', () => {
    expect(QUEUE_NAMES).toEqual({
      inbound: 'inbound',
      tickets: 'tickets',
      diagnostics: 'diagnostics',
      outbound: 'outbound',
      accounts: 'accounts',
      notices: 'notices',
    });
    expect([...ALL_QUEUES].sort()).toEqual(['accounts', 'diagnostics', 'inbound', 'notices', 'outbound', 'tickets']);
  });

  test('each queue is tied to its payload schema', () => {
    expect(QUEUE_SCHEMAS.inbound).toBe(InboundMessage);
    expect(QUEUE_SCHEMAS.tickets).toBe(TicketRequest);
    expect(QUEUE_SCHEMAS.diagnostics).toBe(DiagnosticRequest);
    expect(QUEUE_SCHEMAS.outbound).toBe(OutboundMessage);
    expect(QUEUE_SCHEMAS.accounts).toBe(AccountRequest);
    expect(Object.keys(QUEUE_SCHEMAS).sort()).toEqual([...ALL_QUEUES].sort());
  });

  test('each schema accepts its own example and refuses the others', () => {
    const examples = {
      inbound: minimalInbound,
      tickets: minimalTicket,
      diagnostics: minimalDiagnostic,
      outbound: minimalOutbound,
      accounts: minimalAccountRequest,
    };
    for (const queue of ALL_QUEUES) {
      for (const [other, example] of Object.entries(examples)) {
        expect(QUEUE_SCHEMAS[queue].safeParse(example).success, `${queue} <- ${other}`).toBe(queue === other);
      }
    }
  });
});

describe('jobIds', () => {
  const wamid = 'wamid.HBgLMzQ2MDAwMDAwMDAVAgASGBQzQUI2RTc3MDhCNTVCMEFFRjAA';

  test('ids follow the documented shapes', () => {
    expect(jobIds.inbound(wamid)).toBe(wamid);
    expect(jobIds.ticket(wamid)).toBe(`ticket-${wamid}`);
    expect(jobIds.diagnostics(wamid)).toBe(`diag-${wamid}`);
    expect(jobIds.outbound(wamid, 'ack')).toBe(`${wamid}-ack`);
    expect(jobIds.accounts(wamid, 'debt')).toBe(`acct-debt-${wamid}`);
  });

  test('a colon (a JID device suffix) is replaced, never passed to BullMQ', () => {
    const id = '34600000000:12@s.whatsapp.net';
    expect(jobIds.inbound(id)).toBe('34600000000_12@s.whatsapp.net');
    expect(jobIds.ticket(id)).toBe('ticket-34600000000_12@s.whatsapp.net');
    expect(jobIds.diagnostics(id)).toBe('diag-34600000000_12@s.whatsapp.net');
    expect(jobIds.outbound(id, 'a:b')).toBe('34600000000_12@s.whatsapp.net-a_b');
  });

  test('an all-digit message id gets a prefix, because BullMQ refuses integer ids', () => {
    expect(jobIds.inbound('12345')).toBe('msg-12345');
    expect(jobIds.inbound('3EB0C767D26A1D8E')).toBe('3EB0C767D26A1D8E');
  });

  test('the same input gives the same id, different stories different ids', () => {
    expect(jobIds.ticket('a')).toBe(jobIds.ticket('a'));
    expect(jobIds.ticket('a')).not.toBe(jobIds.ticket('b'));
    expect(jobIds.outbound('a', 'ack')).not.toBe(jobIds.outbound('a', 'diagnosis'));
  });

  test('for any id, every derived job id is deterministic and one BullMQ accepts', () => {
    // Plain strings rarely hold a colon or only digits, the two cases BullMQ refuses, so
    // strings built from those characters are mixed in.
    const tricky = fc
      .array(fc.constantFrom(':', '0', '1', '9', '-', 'a', '@'), { minLength: 1, maxLength: 12 })
      .map((a) => a.join(''));
    const id = fc.oneof(fc.string({ minLength: 1 }), fc.string({ minLength: 1, unit: 'binary' }), tricky);
    fc.assert(
      fc.property(id, id, (correlationId, purpose) => {
        const derived = [
          jobIds.inbound(correlationId),
          jobIds.ticket(correlationId),
          jobIds.diagnostics(correlationId),
          jobIds.outbound(correlationId, purpose),
          jobIds.accounts(correlationId, purpose),
        ];
        for (const jobId of derived) {
          expect(jobId).not.toContain(':');
          expect(bullmqRefuses(jobId)).toBe(false);
        }
        expect(jobIds.outbound(correlationId, purpose)).toBe(derived[3]);
        expect(jobIds.inbound(correlationId)).toBe(derived[0]);
      }),
      { numRuns: 500 },
    );
  });
});
