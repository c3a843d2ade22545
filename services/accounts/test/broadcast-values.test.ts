import { describe, expect, test } from 'vitest';
import { resolveAudience, toWaId } from '../src/broadcasts/audience.js';
import {
  newBroadcastId,
  parseRecipientJobId,
  recipientJobId,
  recipientMessage,
} from '../src/broadcasts/broadcast-message.js';
import {
  audienceOfTargetGroup,
  BroadcastBody,
  ContentError,
  contentOf,
  deploymentContent,
} from '../src/broadcasts/broadcast-request.js';
import { failureOf } from '../src/broadcasts/dispatcher.js';

const templates = {
  outage: { name: 'falla_general', language: 'es', header: [], body: ['customer_name', 'router'] },
  broadcast: { name: 'aviso_general', language: 'es', header: [], body: ['text'] },
};

describe('broadcast values', () => {
  test('national numbers get the country code; impossible ones are refused', () => {
    expect(toWaId('+57 300 123 4567', '57')).toBe('573001234567');
    expect(toWaId('300 123 4567', '57')).toBe('573001234567');
    expect(toWaId('0057 300 123 4567', '57')).toBe('573001234567');
    expect(toWaId('12345', '57')).toBeUndefined();
    expect(toWaId('1234567890123456', '57')).toBeUndefined();
  });

  test('an audience sends once per number, whichever customers share it', async () => {
    const source = {
      members: async () => [
        { customerId: 'B', phones: ['3001112233'], active: true, hasDebt: true, router: 'Norte' },
        { customerId: 'A', phones: ['+57 300 111 2233'], active: true, hasDebt: false, router: 'norte' },
        { customerId: 'C', phones: ['12'], active: false, hasDebt: true },
      ],
    };
    expect(await resolveAudience({ kind: 'all' }, source, '57')).toEqual({
      recipients: [{ phone: '573001112233', customerId: 'A' }],
      unusable: 1,
    });
    expect((await resolveAudience({ kind: 'debt' }, source, '57')).recipients.map((r) => r.customerId)).toEqual(['B']);
    expect((await resolveAudience({ kind: 'router', router: 'NORTE' }, source, '57')).recipients).toHaveLength(1);
  });

  test('target groups in the deployment words', () => {
    expect(audienceOfTargetGroup('todos')).toEqual({ kind: 'all' });
    expect(audienceOfTargetGroup('Morosos')).toEqual({ kind: 'debt' });
    expect(audienceOfTargetGroup('plan:Hogar 10')).toEqual({ kind: 'plan', plan: 'Hogar 10' });
    expect(audienceOfTargetGroup('nodo:NORTE')).toEqual({ kind: 'router', router: 'NORTE' });
    expect(audienceOfTargetGroup(['3001112233'])).toEqual({ kind: 'numbers', numbers: ['3001112233'] });
    expect(audienceOfTargetGroup('vecinos')).toBeUndefined();
  });

  test('a template by purpose takes its parameters from the file, by name', () => {
    const body = BroadcastBody.parse({
      template: { purpose: 'outage', values: { router: 'Norte\n\n(sector 2)' } },
      audience: { kind: 'all' },
    });
    expect(contentOf(body, templates)).toEqual({
      kind: 'template',
      name: 'falla_general',
      language: 'es',
      purpose: 'outage',
      header: [],
      body: ['{{customer_name}}', 'Norte · (sector 2)'],
    });
    expect(() => contentOf({ template: { purpose: 'outage' } }, templates)).toThrow(ContentError);
    expect(() => contentOf({ template: { purpose: 'outage' } }, templates)).toThrow('needs the values router');
    expect(deploymentContent('Mantenimiento', templates)).toMatchObject({ kind: 'template', body: ['Mantenimiento'] });
    expect(deploymentContent('Mantenimiento', {})).toEqual({ kind: 'text', body: 'Mantenimiento' });
  });

  test("one recipient's message: a notice with its own job id, the name filled in", () => {
    const id = newBroadcastId(new Date('2026-12-03T10:00:00Z'), () => 0.5);
    expect(id).toMatch(/^b[0-9a-z]+$/);
    const message = recipientMessage(
      id,
      { kind: 'template', name: 'aviso', language: 'es', header: [], body: ['{{customer_name}}'] },
      { broadcastId: id, seq: 7, phone: '573001112233', customerId: 'A', name: 'Ana' },
    );
    expect(message.content).toEqual({
      kind: 'template',
      name: 'aviso',
      language: 'es',
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
    });
    expect(message.meta?.notice).toEqual({ purpose: 'broadcast', id: `bc-${id}-7`, broadcastId: id });
    expect(parseRecipientJobId(recipientJobId(id, 7))).toEqual({ broadcastId: id, seq: 7 });
    expect(parseRecipientJobId(`helpline:${recipientJobId(id, 7)}`)).toEqual({ broadcastId: id, seq: 7 });
    expect(parseRecipientJobId('abc-ack')).toBeUndefined();
  });

  test("a failed job's reason gives Meta's or Twilio's error code", () => {
    // As the gateway's worker writes it: the fixed catalogue code, the provider's number beside it.
    expect(failureOf('graph_refused (131026): Graph API 400 code 131026: Message undeliverable')).toEqual({
      code: '131026',
      title: 'Message undeliverable',
    });
    expect(failureOf('twilio_refused (63007): Twilio 400 code 63007: no such sender')).toEqual({
      code: '63007',
      title: 'no such sender',
    });
    expect(failureOf("recipient_invalid (21211): Twilio 400 code 21211: Invalid 'To' Phone Number")).toEqual({
      code: '21211',
      title: "Invalid 'To' Phone Number",
    });
    expect(failureOf('graph_refused (http_400): Graph API 400: HTTP 400')).toMatchObject({ code: 'http_400' });
    // As an older gateway wrote it (jobs it failed may still be in Redis).
    expect(failureOf('graph_http_400: Graph API 400: HTTP 400')).toMatchObject({ code: 'http_400' });
    expect(failureOf('graph_131026: (#131026) Message undeliverable')).toEqual({
      code: '131026',
      title: '(#131026) Message undeliverable',
    });
    // Twilio's refusals: its own code, whether the sender named it or called the recipient invalid.
    expect(failureOf('twilio_21655: Twilio 400 code 21655: The ContentSid is Invalid')).toEqual({
      code: '21655',
      title: 'The ContentSid is Invalid',
    });
    expect(failureOf("recipient_invalid: Twilio 400 code 21211: Invalid 'To' Phone Number")).toEqual({
      code: '21211',
      title: "Invalid 'To' Phone Number",
    });
    expect(failureOf('window_closed: the 24-hour window is closed')).toMatchObject({ code: 'window_closed' });
    expect(failureOf(undefined)).toEqual({ code: 'unknown' });
  });
});
