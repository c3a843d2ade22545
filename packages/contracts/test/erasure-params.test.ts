import { describe, expect, test } from 'vitest';
import { ErasureCustomerIdsQuery, ErasurePhoneParams } from '../src/index.js';

// The erasure routes of accounts and network read their :phone and ?customer_ids= through
// these two schemas; the desk calls both with what it knows of a chat.
describe('erasure route parameters', () => {
  test('a phone is 7 to 15 digits, + allowed, given back as digits', () => {
    expect(ErasurePhoneParams.parse({ phone: ' +573001234567 ' })).toEqual({ phone: '573001234567' });
    for (const phone of ['abc', '123456', '+1234567890123456', '57 300 123', '']) {
      const result = ErasurePhoneParams.safeParse({ phone });
      expect(result.success, phone).toBe(false);
      expect(result.error?.issues[0]?.message).toContain('7 to 15 digits');
    }
  });

  test('customer ids: comma separated, blanks dropped, each a short identifier', () => {
    expect(ErasureCustomerIdsQuery.parse({})).toEqual({ customer_ids: [] });
    expect(ErasureCustomerIdsQuery.parse({ customer_ids: ' C-1, ,C-2 ' })).toEqual({ customer_ids: ['C-1', 'C-2'] });
    const long = ErasureCustomerIdsQuery.safeParse({ customer_ids: `C-1,${'x'.repeat(80)}` });
    expect(long.error?.issues[0]?.message).toBe(`not a customer id: ${'x'.repeat(64)}`);
    const surrogate = ErasureCustomerIdsQuery.safeParse({ customer_ids: 'C-\ud83d' });
    expect(surrogate.success).toBe(false);
  });
});
