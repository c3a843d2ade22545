import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboundMessage } from '@helpline/contracts';
import { describe, expect, it } from 'vitest';
import { loadTemplatesFile, parseTemplatesFile, TemplatesFileError } from '../src/templates/templates-file.js';
import {
  graphComponents,
  parameterText,
  twilioContentVariables,
  windowFallbackFor,
} from '../src/templates/window-fallback.js';

const SID = 'HX0123456789abcdef0123456789abcdef';
const book = parseTemplatesFile({
  reply_window: { name: 'respuesta_pendiente', language: 'es', body: ['text'], twilio: { contentSid: SID } },
  ticket_update: { name: 'ticket_actualizado', language: 'es_CO', header: ['purpose'], body: ['text'] },
  due_reminder: { name: 'recordatorio_pago', language: 'es', body: ['customer_name', 'amount'] },
});

const message = (purpose: string, body = 'Tu ticket T-9\n\nquedó   cerrado') =>
  OutboundMessage.parse({
    correlationId: 'wamid.X',
    purpose,
    channel: 'cloud',
    to: '573001234567',
    content: { kind: 'text', body },
  });

function faults(json: unknown): string[] {
  try {
    parseTemplatesFile(json);
    return [];
  } catch (error) {
    if (error instanceof TemplatesFileError) return error.lines;
    throw error;
  }
}

describe('WHATSAPP_TEMPLATES_FILE', () => {
  it('refuses a broken file with one line per fault, each naming the entry', () => {
    const lines = faults({
      reply_window: { name: 'Respuesta Pendiente', language: 'spanish', body: ['text'] },
      cut_off: { name: 'corte', language: 'es', twilio: { contentSid: 'HX1' } },
      outage: { name: 'falla', language: 'es', bdy: ['text'] },
      nonsense: { name: 'x', language: 'es' },
    });
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.some((l) => l.startsWith('WHATSAPP_TEMPLATES_FILE reply_window.name:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('WHATSAPP_TEMPLATES_FILE reply_window.language:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('WHATSAPP_TEMPLATES_FILE cut_off.twilio.contentSid:'))).toBe(true);
    expect(lines.some((l) => l.includes('outage') && l.includes('bdy'))).toBe(true);
    expect(lines.some((l) => l.includes('nonsense'))).toBe(true);
  });

  it('names an unreadable or non-JSON file', () => {
    expect(() => loadTemplatesFile('/nonexistent/templates.json')).toThrow(
      /cannot read \/nonexistent\/templates.json \(ENOENT\)/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    expect(() => loadTemplatesFile(join(dir, 'bad.json'))).toThrow(/is not valid JSON/);
    expect(loadTemplatesFile(undefined).size).toBe(0);
  });

  it('finds a Twilio Content SID by template name and language', () => {
    expect(book.contentSidFor('respuesta_pendiente', 'es')).toBe(SID);
    expect(book.contentSidFor('respuesta_pendiente', 'en')).toBeUndefined();
    expect(book.contentSidFor('ticket_actualizado', 'es_CO')).toBeUndefined();
  });
});

describe('the window fallback', () => {
  it("sends the purpose's own template with its parameters when the file maps the purpose", () => {
    const fallback = windowFallbackFor(message('ticket_update'), book, { name: 'seguimiento', language: 'es' });
    expect(fallback).toMatchObject({
      name: 'ticket_actualizado',
      language: 'es_CO',
      header: ['ticket_update'],
      source: 'ticket_update',
    });
    expect(fallback?.body).toEqual(['Tu ticket T-9 · quedó cerrado']);
    expect(fallback && graphComponents(fallback)).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'ticket_update' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Tu ticket T-9 · quedó cerrado' }] },
    ]);
    expect(fallback && twilioContentVariables(fallback)).toBe(
      JSON.stringify({ 1: 'ticket_update', 2: 'Tu ticket T-9 · quedó cerrado' }),
    );
  });

  it('uses the generic reply_window for other purposes, and for a purpose whose values the message cannot give', () => {
    expect(windowFallbackFor(message('ack'), book, undefined)).toMatchObject({
      name: 'respuesta_pendiente',
      contentSid: SID,
      source: 'reply_window',
    });
    // due_reminder needs customer_name and amount, which a reply does not carry.
    expect(windowFallbackFor(message('due_reminder'), book, undefined)).toMatchObject({ source: 'reply_window' });
  });

  it('falls back to WHATSAPP_WINDOW_TEMPLATE without parameters, then to nothing', () => {
    const empty = parseTemplatesFile({});
    expect(windowFallbackFor(message('ack'), empty, { name: 'seguimiento', language: 'es' })).toEqual({
      name: 'seguimiento',
      language: 'es',
      header: [],
      body: [],
      source: 'window_template',
    });
    expect(windowFallbackFor(message('ack'), empty, undefined)).toBeUndefined();
  });

  it('folds a parameter into one line WhatsApp accepts, and cuts a long one', () => {
    expect(parameterText('a\n\nb\t\tc     d')).toBe('a · b c d');
    expect(parameterText('x'.repeat(2000))).toHaveLength(1024);
  });
});
