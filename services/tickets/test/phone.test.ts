import { TicketRequest } from '@helpline/contracts';
import { PermanentError } from '@helpline/runtime';
import { describe, expect, test } from 'vitest';
import { normalizePhone, PhoneNumber, withNormalizedPhone } from '../src/contacts/phone.js';
import { ticketRequest } from './support/index.js';

describe('phone numbers', () => {
  test('every way of writing one number becomes its digits, country code first', () => {
    for (const written of [
      '+57 300 123 4567',
      '573001234567',
      '+57 (300) 123-4567',
      '57.300.123.4567',
      ' +573001234567 ',
    ]) {
      expect(normalizePhone(written), written).toBe('573001234567');
      expect(PhoneNumber.parse(written), written).toBe('573001234567');
    }
  });

  test('too short, too long, national (leading 0) or not a number is refused', () => {
    for (const bad of ['+57 300', '1234567890123456', '0300 123 4567', '0057 300 123 4567']) {
      expect(normalizePhone(bad), bad).toBeUndefined();
      expect(PhoneNumber.safeParse(bad).success, bad).toBe(false);
    }
    expect(PhoneNumber.safeParse('call me').success).toBe(false);
  });

  test('a queued request gets the same form; a request whose phone is no number fails permanently, naming the field', () => {
    const request = TicketRequest.parse(ticketRequest({ contact: { phone: '+57 300 123 4567', name: 'Ana' } }));
    expect(withNormalizedPhone(request).contact).toEqual({ phone: '573001234567', name: 'Ana' });
    const digits = TicketRequest.parse(ticketRequest({ contact: { phone: '573001234567' } }));
    expect(withNormalizedPhone(digits)).toBe(digits);
    const byId = TicketRequest.parse(ticketRequest({ contact: { contactId: 'C1' } }));
    expect(withNormalizedPhone(byId)).toBe(byId);
    const bad = TicketRequest.parse(ticketRequest({ contact: { phone: 'unknown' } }));
    expect(() => withNormalizedPhone(bad)).toThrow(PermanentError);
    expect(() => withNormalizedPhone(bad)).toThrow(/^contact\.phone is not a phone number/);
  });
});
