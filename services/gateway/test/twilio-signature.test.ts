import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  type FormParam,
  twilioSignature,
  verifyTwilioBodySignature,
  verifyTwilioFormSignature,
} from '../src/twilio/twilio-signature.js';

// The twilio package is the independent judge: the gateway's algorithm must agree with it.

const TOKEN = 'twilio-signature-test-token-0123';
const URL = 'https://helpline.example.com/webhook/twilio?x=1&y=ñ';

/** The twilio package's params shape: a repeated name is an array. */
function asTwilioParams(params: readonly FormParam[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const current = out[name];
    out[name] = current === undefined ? value : [...(Array.isArray(current) ? current : [current]), value];
  }
  return out;
}

describe('the X-Twilio-Signature algorithm', () => {
  it.each<[string, FormParam[]]>([
    ['no parameters', []],
    [
      'a WhatsApp message with accents and emoji',
      [
        ['Body', 'sin señal 📶 desde ayer'],
        ['From', 'whatsapp:+573001234567'],
        ['AccountSid', 'AC1'],
      ],
    ],
    [
      'names that sort by code unit, not locale',
      [
        ['b', '1'],
        ['B', '2'],
        ['a', '3'],
        ['_', '4'],
        ['Z', '5'],
      ],
    ],
    [
      'a name repeated with values out of order and a duplicate',
      [
        ['MediaUrl', 'z'],
        ['MediaUrl', 'a'],
        ['MediaUrl', 'z'],
        ['Body', ''],
      ],
    ],
  ])('agrees with the twilio package: %s', (_name, params) => {
    const ours = twilioSignature(TOKEN, URL, params);
    expect(ours).toBe(twilio.getExpectedTwilioSignature(TOKEN, URL, asTwilioParams(params)));
    expect(verifyTwilioFormSignature(TOKEN, ours, URL, params)).toBe(true);
    expect(twilio.validateRequest(TOKEN, ours, URL, asTwilioParams(params))).toBe(true);
  });

  it('refuses a missing, empty, changed or foreign signature', () => {
    const params: FormParam[] = [['Body', 'hola']];
    const good = twilioSignature(TOKEN, URL, params);
    expect(verifyTwilioFormSignature(TOKEN, undefined, URL, params)).toBe(false);
    expect(verifyTwilioFormSignature(TOKEN, '', URL, params)).toBe(false);
    expect(verifyTwilioFormSignature(TOKEN, good, URL, [['Body', 'hola!']])).toBe(false);
    expect(verifyTwilioFormSignature(TOKEN, good, `${URL}&z=2`, params)).toBe(false);
    expect(verifyTwilioFormSignature('another-token-0000000000', good, URL, params)).toBe(false);
  });

  it('checks a JSON body by its bodySHA256 and the signature over the URL alone', () => {
    const body = Buffer.from('{"MessageSid":"SM1","Body":"hola"}');
    const url = `https://helpline.example.com/webhook/twilio?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const signature = twilio.getExpectedTwilioSignature(TOKEN, url, {});
    expect(verifyTwilioBodySignature(TOKEN, signature, url, body)).toBe(true);
    expect(verifyTwilioBodySignature(TOKEN, signature, url, Buffer.from('{"MessageSid":"SM2"}'))).toBe(false);
    expect(verifyTwilioBodySignature(TOKEN, signature, 'https://helpline.example.com/webhook/twilio', body)).toBe(
      false,
    );
  });
});
