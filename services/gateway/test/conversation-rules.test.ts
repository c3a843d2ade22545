import { type InboundMessage, InboundMessage as InboundSchema, OutboundMessage } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { parseCommand } from '../src/conversation/commands.js';
import { decide, type DecideInput } from '../src/conversation/decide.js';
import { detectLanguage } from '../src/conversation/language-detector.js';
import { createReplies } from '../src/conversation/replies.js';
import { loadTexts, MENU_CHOICES } from '../src/conversation/texts.js';
import en from '../src/conversation/texts/en.json' with { type: 'json' };
import es from '../src/conversation/texts/es.json' with { type: 'json' };

describe('language detector', () => {
  test.each([
    ['Hola, no tengo internet desde ayer', 'es'],
    ['¿Por qué está tan lento?', 'es'],
    ['buenas tardes', 'es'],
    ['la señal se cae', 'es'],
    ['Hello, my internet is not working', 'en'],
    ['hi', 'en'],
    ['help', 'en'],
    ['The connection is very slow today', 'en'],
    ['thanks!', 'en'],
  ] as const)('%s -> %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  test.each(['ok', '123', '👍', '', 'internet', 'menu'])('%j says nothing either way', (text) => {
    expect(detectLanguage(text)).toBeUndefined();
  });
});

describe('commands', () => {
  test.each([
    ['menu', 'menu'],
    ['MENÚ', 'menu'],
    ['  Menu. ', 'menu'],
    ['ayuda', 'help'],
    ['Help!', 'help'],
    ['AGENTE', 'agent'],
    ['agent', 'agent'],
    ['Facturas', 'invoices'],
    ['deuda', 'debt'],
    ['Puntos de Pago', 'payment_points'],
    ['puntos  de  págo', 'payment_points'],
  ] as const)('%j is %s', (text, command) => {
    expect(parseCommand(text)).toBe(command);
  });

  test.each(['mi factura llegó mal', 'quiero un agente ya', 'menus', 'puntos', ''])('%j is no command', (text) => {
    expect(parseCommand(text)).toBeUndefined();
  });
});

describe('texts', () => {
  test('both data files load and every message built from them fits the outbound contract', () => {
    const book = loadTexts();
    const replies = createReplies(book, { noticeVersion: '2025-07', handoffHours: 24 });
    for (const language of ['es', 'en'] as const) {
      const to = { chatId: '573001112233', correlationId: 'wamid.X', language };
      const built = [
        replies.privacyNotice(to),
        replies.menu(to),
        ...(
          [
            'help',
            'invoices',
            'debt',
            'paymentPoints',
            'billing',
            'changePassword',
            'improvePlan',
            'handoff',
            'rateLimited',
          ] as const
        ).map((k) => replies.text(to, 'x', (t) => t[k])),
      ];
      for (const message of built) expect(() => OutboundMessage.parse(message)).not.toThrow();
      const notice = OutboundMessage.parse(replies.privacyNotice(to));
      expect(notice.content.kind === 'buttons' && notice.content.footer).toContain('2025-07');
      expect(notice.content.kind === 'buttons' && notice.content.buttons.map((b) => b.id)).toEqual([
        'consent.accept.2025-07',
        'consent.decline',
      ]);
      const handoff = OutboundMessage.parse(replies.text(to, 'handoff', (t) => t.handoff));
      expect(handoff.content.kind === 'text' && handoff.content.body).toContain('24');
    }
  });

  test('the notice names Ley 1581 de 2012 in Spanish and Law 1581 of 2012 in English', () => {
    expect(es.privacy.body).toContain('Ley 1581 de 2012');
    expect(en.privacy.body).toContain('Law 1581 of 2012');
  });

  test('the languages have the same keys and the menu every choice', () => {
    const keys = (o: object): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v).map((s) => `${k}.${s}`) : [k]));
    expect(keys(en).sort()).toEqual(keys(es).sort());
    expect(Object.keys(es.menu.rows)).toEqual([...MENU_CHOICES]);
  });

  test('a broken text file is refused with the path of the bad entry', () => {
    const broken = { ...es, menu: { ...es.menu, button: 'a label far too long for WhatsApp' } };
    expect(() => loadTexts({ es: broken, en })).toThrow(/\(es\).*menu\.button/);
  });
});

describe('decide', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');
  const message = (over: Partial<InboundMessage> = {}): InboundMessage =>
    InboundSchema.parse({
      id: 'wamid.1',
      correlationId: 'wamid.1',
      channel: 'cloud',
      chatId: '573001112233',
      from: '573001112233',
      text: 'hola',
      type: 'text',
      sentAt: now.toISOString(),
      receivedAt: now.toISOString(),
      ...over,
    });
  const consented = {
    chatId: '573001112233',
    consentVersion: '1',
    consentAt: now.toISOString(),
    language: 'es' as const,
  };
  const input = (over: Partial<DecideInput> = {}): DecideInput => ({
    message: message(),
    chat: consented,
    now,
    noticeVersion: '1',
    countInMinute: 1,
    rateLimit: 50,
    holdsRateNotice: false,
    ...over,
  });

  test('a paused chat stays silent, even over the rate limit', () => {
    const chat = { ...consented, pausedUntil: now.getTime() + 1000 };
    expect(decide(input({ chat, countInMinute: 99, holdsRateNotice: true })).action).toEqual({ kind: 'paused' });
  });

  test('an ended pause is noticed and the message handled normally', () => {
    const plan = decide(input({ chat: { ...consented, pausedUntil: now.getTime() - 1 } }));
    expect(plan).toMatchObject({ pauseExpired: true, action: { kind: 'free_text' } });
  });

  test('the rate limit comes before consent', () => {
    expect(decide(input({ chat: undefined, countInMinute: 51, holdsRateNotice: true })).action).toEqual({
      kind: 'rate_limited',
      notice: true,
    });
  });

  test('consent to an older notice asks again, and so does an old notice accept button', () => {
    expect(decide(input({ chat: { ...consented, consentVersion: '0' } })).action.kind).toBe('privacy_notice');
    const oldButton = message({ type: 'interactive', reply: { kind: 'button_reply', id: 'consent.accept.0' } });
    expect(decide(input({ message: oldButton, noticeVersion: '1' })).action.kind).toBe('privacy_notice');
  });

  test('a command needs consent first', () => {
    expect(decide(input({ chat: undefined, message: message({ text: 'menu' }) })).action.kind).toBe('privacy_notice');
    expect(decide(input({ message: message({ text: 'menu' }) })).action).toEqual({ kind: 'command', command: 'menu' });
  });

  test('language: detected from the text, else the chat keeps its own, else Spanish', () => {
    expect(decide(input({ message: message({ text: 'my internet is down' }) })).language).toBe('en');
    expect(decide(input({ chat: { ...consented, language: 'en' }, message: message({ text: 'ok' }) })).language).toBe(
      'en',
    );
    expect(decide(input({ chat: undefined, message: message({ text: '👍' }) })).language).toBe('es');
  });
});
