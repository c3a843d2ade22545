import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { buildSignedWebhookRequest, metaJson, signMetaWebhook } from '../src/index.js';

const SECRET = 'app-secret-for-tests';
const hmac = (bytes: Buffer): string => `sha256=${createHmac('sha256', SECRET).update(bytes).digest('hex')}`;

// Spanish, Arabic and an emoji: multi-byte UTF-8 in every form a customer may write.
const RAW = '{"text":{"body":"¿Sin señal? مرحبا 📡"}}';

describe('signMetaWebhook', () => {
  test('equals an HMAC-SHA256 of the raw bytes computed with node:crypto', () => {
    const bytes = Buffer.from(RAW, 'utf8');
    expect(signMetaWebhook(RAW, SECRET)).toBe(hmac(bytes));
    expect(signMetaWebhook(bytes, SECRET)).toBe(hmac(bytes));
    expect(signMetaWebhook(RAW, SECRET)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  test('changes when one byte of the body changes', () => {
    const bytes = Buffer.from(RAW, 'utf8');
    // Flip the last byte of the emoji's four-byte sequence.
    const emojiEnd = bytes.indexOf(Buffer.from('📡', 'utf8')) + 3;
    const changed = Buffer.from(bytes);
    changed[emojiEnd] = (changed[emojiEnd] ?? 0) ^ 0x01;
    expect(changed.equals(bytes)).toBe(false);
    expect(signMetaWebhook(changed, SECRET)).not.toBe(signMetaWebhook(bytes, SECRET));
  });

  test('the same text escaped differently is a different signature', () => {
    const escaped = '{"text":{"body":"\\u00bfSin se\\u00f1al?"}}';
    const literal = '{"text":{"body":"¿Sin señal?"}}';
    expect(JSON.parse(escaped)).toEqual(JSON.parse(literal));
    expect(signMetaWebhook(escaped, SECRET)).not.toBe(signMetaWebhook(literal, SECRET));
  });

  test('depends on the secret', () => {
    expect(signMetaWebhook(RAW, 'other-secret')).not.toBe(signMetaWebhook(RAW, SECRET));
  });
});

describe('buildSignedWebhookRequest', () => {
  test('a string body is sent byte for byte and signed as sent', () => {
    const request = buildSignedWebhookRequest({ body: RAW, appSecret: SECRET });
    expect(request.payload.equals(Buffer.from(RAW, 'utf8'))).toBe(true);
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      'x-hub-signature-256': hmac(request.payload),
    });
  });

  test('a Buffer body is not re-encoded, even when it is not valid UTF-8', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const request = buildSignedWebhookRequest({ body: bytes, appSecret: SECRET });
    expect(request.payload.equals(bytes)).toBe(true);
    expect(request.headers['x-hub-signature-256']).toBe(hmac(bytes));
  });

  test('an object body is written as Meta writes it: ASCII only, escapes lowercase', () => {
    const body = { entry: [{ text: 'Añadir ✓ 👍', url: 'https://lookaside.fbsbx.com/x' }] };
    const request = buildSignedWebhookRequest({ body, appSecret: SECRET });
    const text = request.payload.toString('utf8');
    expect(text).toBe(
      '{"entry":[{"text":"A\\u00f1adir \\u2713 \\ud83d\\udc4d","url":"https:\\/\\/lookaside.fbsbx.com\\/x"}]}',
    );
    expect(JSON.parse(text)).toEqual(body);
    expect(text).not.toBe(JSON.stringify(body));
    expect(request.headers['x-hub-signature-256']).toBe(hmac(request.payload));
  });

  test('metaJson refuses a value JSON cannot express', () => {
    expect(() => metaJson(undefined)).toThrow(/JSON/);
  });
});
