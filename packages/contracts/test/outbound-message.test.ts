import { OutboundMessage } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { fullOutbound, minimalOutbound } from './support/examples.js';
import { issuePaths, onlyIssue } from './support/issues.js';

const withContent = (content: unknown) => ({ ...minimalOutbound, content });
const button = (n: number) => ({ id: `b${n}`, title: `Opción ${n}` });
const row = (n: number) => ({ id: `r${n}`, title: `Fila ${n}` });
const list = (sections: unknown[]) => ({
  kind: 'list',
  body: 'Elija una opción',
  buttonText: 'Ver opciones',
  sections,
});

describe('OutboundMessage', () => {
  test('a minimal text message parses with previewUrl off', () => {
    const parsed = OutboundMessage.parse(minimalOutbound);
    expect(parsed.content).toEqual({ kind: 'text', body: 'Recibido, lo revisamos.', previewUrl: false });
  });

  test('a full buttons message, with mentions and meta, parses', () => {
    const parsed = OutboundMessage.parse(fullOutbound);
    expect(parsed.content).toEqual(fullOutbound.content);
    expect(parsed.meta?.handoff).toBe(true);
    expect(parsed.meta?.classification?.entities.ips).toEqual(['192.168.88.1', '10.0.0.254']);
  });

  test('meta may name the customer, and a job without it (written before the field) still parses', () => {
    expect(OutboundMessage.parse({ ...minimalOutbound, meta: { customerId: 'C-1042' } }).meta?.customerId).toBe(
      'C-1042',
    );
    expect(OutboundMessage.parse({ ...minimalOutbound, meta: { handoff: true } }).meta?.customerId).toBeUndefined();
  });

  test('a classification in meta gets its entity defaults', () => {
    const { entities: _dropped, ...classification } = fullOutbound.meta!.classification!;
    const parsed = OutboundMessage.parse({ ...minimalOutbound, meta: { classification } });
    expect(parsed.meta?.classification?.entities).toEqual({ ips: [], documentNumbers: [], ticketNumbers: [] });
  });

  test.each([
    [
      'a list of 10 rows over two sections',
      list([
        { title: 'A', rows: [1, 2, 3, 4, 5].map(row) },
        { title: 'B', rows: [6, 7, 8, 9, 10].map(row) },
      ]),
    ],
    [
      'a template with components',
      { kind: 'template', name: 'ticket_update', language: 'es', components: [{ type: 'body', parameters: [] }] },
    ],
    [
      'media by id',
      { kind: 'media', mediaType: 'document', id: '1234', filename: 'factura.pdf', caption: 'Su factura' },
    ],
    ['media by link', { kind: 'media', mediaType: 'image', link: 'https://example.com/a.jpg' }],
    ['a read mark with typing', { kind: 'mark_read', messageId: 'wamid.x', typing: true }],
  ])('accepts %s', (_name, content) => {
    expect(OutboundMessage.safeParse(withContent(content)).success).toBe(true);
  });

  test('a read mark shows no typing unless asked', () => {
    const parsed = OutboundMessage.parse(withContent({ kind: 'mark_read', messageId: 'wamid.x' }));
    expect(parsed.content).toEqual({ kind: 'mark_read', messageId: 'wamid.x', typing: false });
  });

  test('4 buttons are refused on content.buttons', () => {
    const content = { kind: 'buttons', body: '¿Qué necesita?', buttons: [1, 2, 3, 4].map(button) };
    const issue = onlyIssue(OutboundMessage, withContent(content));
    expect(issue.path).toEqual(['content', 'buttons']);
    expect(issue.code).toBe('too_big');
  });

  test('a button title over 20 characters is refused on that button', () => {
    const content = { kind: 'buttons', body: 'x', buttons: [button(1), { id: 'b2', title: 'Hablar con una persona' }] };
    expect(issuePaths(OutboundMessage, withContent(content))).toEqual([['content', 'buttons', 1, 'title']]);
  });

  test('11 rows in all are refused on content.sections, even spread over sections', () => {
    const oneSection = onlyIssue(
      OutboundMessage,
      withContent(list([{ rows: Array.from({ length: 11 }, (_, i) => row(i)) }])),
    );
    expect(oneSection.path).toEqual(['content', 'sections']);
    expect(oneSection.message).toBe('a list has at most 10 rows in all');
    const spread = onlyIssue(
      OutboundMessage,
      withContent(list([{ rows: [1, 2, 3, 4, 5, 6].map(row) }, { rows: [7, 8, 9, 10, 11].map(row) }])),
    );
    expect(spread.path).toEqual(['content', 'sections']);
  });

  test('media with both id and link, or neither, is refused on content', () => {
    const both = onlyIssue(
      OutboundMessage,
      withContent({ kind: 'media', mediaType: 'image', id: '1', link: 'https://example.com/a.jpg' }),
    );
    expect(both.path).toEqual(['content']);
    expect(both.message).toBe('needs exactly one of id or link');
    const neither = onlyIssue(OutboundMessage, withContent({ kind: 'media', mediaType: 'image' }));
    expect(neither.path).toEqual(['content']);
  });

  test.each([
    ['purpose with uppercase', { purpose: 'Ack' }, ['purpose']],
    ['purpose with a space', { purpose: 'ticket created' }, ['purpose']],
    ['purpose with a colon (it is part of the job id)', { purpose: 'a:b' }, ['purpose']],
    ['purpose over 64 characters', { purpose: 'p'.repeat(65) }, ['purpose']],
    ['an empty recipient', { to: '' }, ['to']],
    ['a blank mention', { mentions: ['34600000000@s.whatsapp.net', ' '] }, ['mentions', 1]],
    ['an unknown channel', { channel: 'sms' }, ['channel']],
    [
      'meta with an invalid classification',
      { meta: { classification: { category: 'x' } } },
      ['meta', 'classification', 'category'],
    ],
    ['meta with a blank customer id', { meta: { customerId: ' ' } }, ['meta', 'customerId']],
  ])('refuses %s and names the field', (_name, patch, path) => {
    expect(issuePaths(OutboundMessage, { ...minimalOutbound, ...patch })[0]).toEqual(path);
  });

  test.each([
    ['an unknown kind', { kind: 'carousel', body: 'x' }, ['content', 'kind']],
    ['text over 4096 characters', { kind: 'text', body: 't'.repeat(4097) }, ['content', 'body']],
    ['a blank text body', { kind: 'text', body: '  ' }, ['content', 'body']],
    ['no buttons', { kind: 'buttons', body: 'x', buttons: [] }, ['content', 'buttons']],
    [
      'a buttons body over 1024 characters',
      { kind: 'buttons', body: 'b'.repeat(1025), buttons: [button(1)] },
      ['content', 'body'],
    ],
    [
      'a list button text over 20 characters',
      { ...list([{ rows: [row(1)] }]), buttonText: 'Ver todas las opciones' },
      ['content', 'buttonText'],
    ],
    ['a list with an empty section', list([{ rows: [] }]), ['content', 'sections', 0, 'rows']],
    [
      'a list row title over 24 characters',
      list([{ rows: [{ id: 'r', title: 'Una fila con título largo' }] }]),
      ['content', 'sections', 0, 'rows', 0, 'title'],
    ],
    ['a media link that is not a URL', { kind: 'media', mediaType: 'image', link: 'not a url' }, ['content', 'link']],
    ['an unknown media type', { kind: 'media', mediaType: 'gif', id: '1' }, ['content', 'mediaType']],
    ['a template without language', { kind: 'template', name: 'hello_world' }, ['content', 'language']],
  ])('refuses content with %s and names the field', (_name, content, path) => {
    expect(issuePaths(OutboundMessage, withContent(content))).toEqual([path]);
  });
});
