import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OutboundMessage, WhatsAppTemplatesFile } from '@helpline/contracts';
import { describe, expect, it } from 'vitest';
import { parseNoticePreference } from '../src/conversation/notice-preference.js';
import { parseTemplatesFile } from '../src/templates/templates-file.js';
import { graphComponents, windowFallbackFor } from '../src/templates/window-fallback.js';

const SAMPLE = fileURLToPath(new URL('../../../deploy/whatsapp-templates.example.json', import.meta.url));

const notice = (purpose: 'due_reminder' | 'restored', values: Record<string, string>) =>
  OutboundMessage.parse({
    correlationId: 'notice-due_reminder-C-1-F-1-abc',
    purpose,
    channel: 'cloud',
    to: '573001112233',
    content: {
      kind: 'buttons',
      body: 'Hola Ana...',
      buttons: [{ id: 'acct.notices_opt_out', title: 'No más avisos' }],
    },
    meta: { notice: { purpose, id: 'notice-x', values } },
  });

describe('the sample templates file (deploy/whatsapp-templates.example.json)', () => {
  it('validates against the schema the gateway loads at start', () => {
    const json = JSON.parse(readFileSync(SAMPLE, 'utf8'));
    expect(WhatsAppTemplatesFile.safeParse(json).success).toBe(true);
    expect(parseTemplatesFile(json).size).toBeGreaterThanOrEqual(5);
  });

  it("fills a notice's template from meta.notice.values in the order the file names them", () => {
    const book = parseTemplatesFile(JSON.parse(readFileSync(SAMPLE, 'utf8')));
    const fallback = windowFallbackFor(
      notice('due_reminder', {
        customer_name: 'Ana',
        invoice_number: '1001',
        amount: '$ 85.000',
        due_date: '03/04/2026',
      }),
      book,
      { name: 'hello_world', language: 'en_US' },
    );
    expect(fallback).toMatchObject({ name: 'recordatorio_vencimiento', language: 'es', source: 'due_reminder' });
    expect(graphComponents(fallback as NonNullable<typeof fallback>)).toEqual([
      {
        type: 'body',
        parameters: ['Ana', '1001', '$ 85.000', '03/04/2026'].map((text) => ({ type: 'text', text })),
      },
    ]);
  });

  it('falls back to reply_window, then WHATSAPP_WINDOW_TEMPLATE, when a value is missing', () => {
    const book = parseTemplatesFile(JSON.parse(readFileSync(SAMPLE, 'utf8')));
    const partial = windowFallbackFor(notice('due_reminder', { customer_name: 'Ana' }), book, undefined);
    expect(partial?.source).toBe('reply_window');
    const empty = parseTemplatesFile({});
    expect(windowFallbackFor(notice('restored', {}), empty, { name: 'hello_world', language: 'en_US' })).toMatchObject({
      name: 'hello_world',
      source: 'window_template',
      body: [],
    });
  });
});

describe('stop / start words', () => {
  it.each([
    ['No quiero más avisos', 'notices_opt_out'],
    ['no mas avisos!', 'notices_opt_out'],
    ['STOP', 'notices_opt_out'],
    ['unsubscribe', 'notices_opt_out'],
    ['Quiero recibir avisos', 'notices_opt_in'],
    ['start', 'notices_opt_in'],
  ])('%s -> %s', (text, kind) => {
    expect(parseNoticePreference(text)).toBe(kind);
  });

  it('a sentence that merely contains the word is not a request', () => {
    expect(parseNoticePreference('el internet se cae, stop a los cortes')).toBeUndefined();
    expect(parseNoticePreference('avisos')).toBeUndefined();
  });
});
