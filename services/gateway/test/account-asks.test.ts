import { accountReplyId } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import type { ChatRecord } from '../src/conversation/chat-records.js';
import { decide } from '../src/conversation/decide.js';
import { cloudReply, cloudText } from './support/conversation-messages.js';

const CHAT = '573001112233';
const NOW = new Date('2025-06-01T12:00:00.000Z');
const consented: ChatRecord = { chatId: CHAT, consentVersion: '1', mode: 'menu' };

function actionOf(message: ReturnType<typeof cloudText>, chat: ChatRecord = consented, accounts = true) {
  return decide({
    message,
    chat,
    now: NOW,
    noticeVersion: '1',
    countInMinute: 1,
    rateLimit: 50,
    holdsRateNotice: false,
    accounts,
  }).action;
}

describe('messages for the accounts service', () => {
  test.each([
    ['menu.billing', { kind: 'billing_menu' }],
    ['menu.change_password', { kind: 'password_change' }],
    ['menu.improve_plan', { kind: 'plans' }],
  ])('the menu row %s asks the accounts service', (id, ask) => {
    expect(actionOf(cloudReply(CHAT, 'list_reply', id, 'x', NOW))).toMatchObject({ kind: 'account', ask });
  });

  test.each([
    ['facturas', 'invoices'],
    ['DEUDA', 'debt'],
    ['Puntos de pago', 'payment_points'],
  ])('the command %j asks for %s', (text, kind) => {
    expect(actionOf(cloudText(CHAT, text, NOW))).toEqual({
      kind: 'account',
      ask: { kind },
      command: { name: kind, via: 'text' },
    });
  });

  test('without the accounts service, the placeholder answers stay', () => {
    expect(actionOf(cloudText(CHAT, 'deuda', NOW), consented, false)).toEqual({ kind: 'command', command: 'debt' });
    expect(actionOf(cloudReply(CHAT, 'list_reply', 'menu.billing', 'x', NOW), consented, false)).toEqual({
      kind: 'menu_choice',
      choice: 'billing',
    });
  });

  test('a reply to the service’s own list goes back to it; a forged one is free text', () => {
    const id = accountReplyId({ kind: 'invoice_document', customerId: '1001', invoiceId: '77' });
    expect(actionOf(cloudReply(CHAT, 'list_reply', id, 'Factura 77', NOW))).toEqual({
      kind: 'account',
      ask: { kind: 'invoice_document', customerId: '1001', invoiceId: '77' },
    });
    expect(actionOf(cloudReply(CHAT, 'list_reply', 'acct.invoice.10/01.7', 'x', NOW)).kind).toBe('free_text');
  });

  test('the awaited document number is an identify request; other chats classify the same text', () => {
    const typed = cloudText(CHAT, '1.020.345.678', NOW);
    expect(actionOf(typed, { ...consented, mode: 'awaiting_account' })).toEqual({
      kind: 'account',
      ask: { kind: 'identify', text: '1.020.345.678' },
    });
    expect(actionOf(typed).kind).toBe('free_text');
  });

  const photo = (caption: string, type: 'image' | 'document' = 'image', mimeType = 'image/jpeg') =>
    cloudText(CHAT, caption, NOW, { type, media: { id: '88123', mimeType, caption } });

  test('an image or PDF is a receipt while one is awaited or when captioned as one', () => {
    const receipt = { kind: 'receipt', media: { mediaId: '88123', mimeType: 'image/jpeg', caption: 'foto' } };
    expect(actionOf(photo('foto'), { ...consented, mode: 'awaiting_receipt' })).toMatchObject({ ask: receipt });
    expect(actionOf(photo('Comprobante de pago de mayo'))).toMatchObject({ kind: 'account', ask: { kind: 'receipt' } });
    expect(actionOf(photo('ya pagué'))).toMatchObject({ ask: { kind: 'receipt' } });
    expect(actionOf(photo('repagos'))).toEqual({ kind: 'free_text' });
    expect(actionOf(photo('pago', 'document', 'application/pdf'))).toMatchObject({ ask: { kind: 'receipt' } });
    expect(actionOf(photo('foto del router'))).toEqual({ kind: 'free_text' });
    expect(actionOf(photo('pago', 'document', 'application/zip'))).toEqual({ kind: 'free_text' });
  });

  test('a shared location asks for the nearest payment points, except as a problem description', () => {
    const shared = cloudText(CHAT, '', NOW, { type: 'location', location: { latitude: 4.65, longitude: -74.05 } });
    expect(actionOf(shared)).toEqual({
      kind: 'account',
      ask: { kind: 'payment_points', location: { latitude: 4.65, longitude: -74.05 } },
    });
    expect(actionOf(shared, { ...consented, mode: 'awaiting_description' })).toEqual({ kind: 'description' });
  });

  test('consent still comes first', () => {
    expect(actionOf(cloudText(CHAT, 'deuda', NOW), { chatId: CHAT })).toEqual({ kind: 'privacy_notice' });
  });
});
