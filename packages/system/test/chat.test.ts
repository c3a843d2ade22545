import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { type GraphSend, startGraphStandIn } from '../src/chat/graph-stand-in.js';
import { renderGraphMessage } from '../src/chat/render.js';
import { customerMessage, deliveryStatus, messageOf, signedBody } from '../src/chat/webhook-payloads.js';

const envelope = { phoneNumberId: '100000000000001', customer: { phone: '573000000001', name: 'Ana Peña' } };

describe('chat simulator: what the customer sends', () => {
  test('typed text becomes a Cloud API text message webhook', () => {
    const payload = customerMessage(envelope, 'hola ñandú') as {
      entry: { changes: { value: Record<string, unknown> }[] }[];
    };
    const value = payload.entry[0]?.changes[0]?.value as {
      messages: Record<string, unknown>[];
      contacts: unknown[];
      metadata: unknown;
    };
    expect(value.metadata).toEqual({ display_phone_number: '15550000000', phone_number_id: '100000000000001' });
    expect(value.contacts).toEqual([{ profile: { name: 'Ana Peña' }, wa_id: '573000000001' }]);
    expect(value.messages[0]).toMatchObject({ from: '573000000001', type: 'text', text: { body: 'hola ñandú' } });
    expect(String(value.messages[0]?.id)).toMatch(/^wamid\.local\./);
    expect(String(value.messages[0]?.timestamp)).toMatch(/^\d+$/);
  });

  test('a picked option becomes the interactive reply Meta sends, with its context', () => {
    const payload = customerMessage(envelope, {
      kind: 'list_reply',
      id: 'menu.diagnose',
      title: 'Revisar',
      messageId: 'wamid.bot.1',
    });
    const message = messageOf(payload);
    expect(message).toMatchObject({
      type: 'interactive',
      context: { from: '100000000000001', id: 'wamid.bot.1' },
      interactive: { type: 'list_reply', list_reply: { id: 'menu.diagnose', title: 'Revisar' } },
    });
  });

  test('bodies are signed over the exact bytes sent, with non-ASCII escaped as Meta does', () => {
    const { body, signature } = signedBody({ text: 'Peña ✓' }, 'secret');
    expect(body).toBe('{"text":"Pe\\u00f1a \\u2713"}');
    expect(signature).toBe(`sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`);
    const status = deliveryStatus(envelope, 'wamid.x', 'delivered');
    expect(JSON.stringify(status)).toContain('"statuses":[{"id":"wamid.x","status":"delivered"');
  });
});

describe('chat simulator: what the bot sends', () => {
  test('reply buttons and list rows are numbered options', () => {
    const buttons = renderGraphMessage(
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          header: { type: 'text', text: 'Aviso' },
          body: { text: '¿Autorizas?' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'consent.accept', title: 'Acepto' } },
              { type: 'reply', reply: { id: 'consent.decline', title: 'No acepto' } },
            ],
          },
        },
      },
      'wamid.1',
    );
    expect(buttons.lines).toEqual(['bot: *Aviso*', 'bot: ¿Autorizas?', '   [1] Acepto', '   [2] No acepto']);
    expect(buttons.options.map((o) => [o.kind, o.id, o.messageId])).toEqual([
      ['button_reply', 'consent.accept', 'wamid.1'],
      ['button_reply', 'consent.decline', 'wamid.1'],
    ]);
    const list = renderGraphMessage(
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Menú' },
          action: {
            button: 'Ver',
            sections: [
              {
                title: 'Soporte',
                rows: [
                  { id: 'a', title: 'Uno', description: 'primero' },
                  { id: 'b', title: 'Dos' },
                ],
              },
            ],
          },
        },
      },
      'wamid.2',
    );
    expect(list.lines).toEqual(['bot: Menú', '   (Ver)', '   Soporte', '   [1] Uno - primero', '   [2] Dos']);
    expect(list.options.map((o) => o.id)).toEqual(['a', 'b']);
  });

  test('text, templates and media are shown plainly', () => {
    expect(renderGraphMessage({ type: 'text', text: { body: 'Hola' } }, 'w').lines).toEqual(['bot: Hola']);
    expect(
      renderGraphMessage(
        { type: 'location', location: { latitude: 4.6454, longitude: -74.0637, name: 'Caja', address: 'Cra 13' } },
        'w',
      ).lines,
    ).toEqual(['bot sent a location: Caja, Cra 13 (4.6454, -74.0637)']);
    expect(
      renderGraphMessage({ type: 'template', template: { name: 'reabrir', language: { code: 'es' } } }, 'w').lines,
    ).toEqual(['bot (template reabrir, es)']);
    expect(renderGraphMessage({ type: 'image', image: { link: 'https://x/y.png', caption: 'c' } }, 'w').lines).toEqual([
      'bot sent image: https://x/y.png "c"',
    ]);
  });
});

describe('chat simulator: the Graph API stand-in', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  test('answers sends like Meta, checks the token, and swallows read receipts', async () => {
    const sends: GraphSend[] = [];
    server = await startGraphStandIn(0, 'tok', (s) => sends.push(s));
    const { port } = server.address() as { port: number };
    const url = `http://127.0.0.1:${port}/v26.0/100000000000001/messages`;
    const post = (body: unknown, token = 'tok') =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const sent = await post({
      messaging_product: 'whatsapp',
      to: '573000000001',
      type: 'text',
      text: { body: 'hola' },
    });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '573000000001', wa_id: '573000000001' }],
      messages: [{ id: 'wamid.chat.1' }],
    });
    const read = await post({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.x' });
    expect(await read.json()).toEqual({ success: true });
    const wrongToken = await post({ type: 'text' }, 'nope');
    expect(wrongToken.status).toBe(401);
    expect(((await wrongToken.json()) as { error: { code: number } }).error.code).toBe(190);
    expect(sends.map((s) => s.messageId)).toEqual(['wamid.chat.1']);
  });
});
