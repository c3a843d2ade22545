import {
  depthMessage,
  Identifier,
  InboundMessage,
  jsonTextDepth,
  MAX_JSON_DEPTH,
  OutboundMessage,
  repairText,
  repairTextDeep,
  Text,
  TicketRequest,
  valueDepth,
} from '@helpline/contracts';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { minimalInbound, minimalOutbound, minimalTicket } from './support/examples.js';

const LONE_HIGH = '\ud83d';
const LONE_LOW = '\ude00';
/** Strings made of any UTF-16 code units, lone surrogates included. */
const anyString = fc.string({ unit: 'binary', maxLength: 40 });

describe('customer text is repaired', () => {
  test('a lone surrogate becomes U+FFFD and the rest is kept', () => {
    expect(repairText(`hola ${LONE_HIGH}`)).toBe('hola \ufffd');
    expect(repairText(`${LONE_LOW}x😀`)).toBe('\ufffdx😀');
    expect(Text.parse(`fin${LONE_HIGH}`)).toBe('fin\ufffd');
  });

  test('every string comes out well-formed, and a well-formed one unchanged', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const out = Text.parse(s);
        expect(out.isWellFormed()).toBe(true);
        expect(out.length).toBe(s.length);
        if (s.isWellFormed()) expect(out).toBe(s);
      }),
    );
  });

  test('the message text of an inbound message and a ticket subject are repaired, not refused', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const inbound = InboundMessage.parse({ ...minimalInbound, text: s, senderName: s });
        expect(inbound.text).toBe(s.toWellFormed());
        expect(inbound.senderName).toBe(s.toWellFormed());
        const ticket = TicketRequest.safeParse({ ...minimalTicket, subject: `s${s}`, description: s });
        expect(ticket.success).toBe(true);
        expect(ticket.data?.description).toBe(s.toWellFormed());
      }),
    );
  });

  test('strings the schemas pass through unread are repaired deep, keys included', () => {
    const value = { [`k${LONE_HIGH}`]: [{ text: `a${LONE_LOW}` }, 3, null], same: 'ok' };
    expect(repairTextDeep(value)).toEqual({ 'k\ufffd': [{ text: 'a\ufffd' }, 3, null], same: 'ok' });
    const clean = { a: ['x', { b: 'y' }] };
    expect(repairTextDeep(clean)).toBe(clean);
  });
});

describe('identifiers are refused, naming the field', () => {
  test('a lone surrogate in an identifier is refused', () => {
    const result = Identifier.safeParse(`id${LONE_HIGH}`);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/well-formed Unicode/);
  });

  test.each([
    ['correlationId', (bad: string) => ({ ...minimalOutbound, correlationId: bad })],
    ['to', (bad: string) => ({ ...minimalOutbound, to: bad })],
  ])('OutboundMessage.%s with a lone surrogate is refused on that field', (field, build) => {
    const result = OutboundMessage.safeParse(build(`573001234567${LONE_HIGH}`));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });

  test('an ill-formed identifier anywhere is refused; a well-formed one is kept as it is', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const id = `m${s}`;
        const inbound = InboundMessage.safeParse({ ...minimalInbound, id, chatId: id });
        expect(inbound.success).toBe(id.isWellFormed() && id.trim().length > 0);
        if (inbound.success) expect(inbound.data.id).toBe(id.trim());
        else if (!id.isWellFormed()) {
          expect(inbound.error.issues.map((i) => i.path[0]).sort()).toEqual(['chatId', 'id']);
        }
        const ticket = TicketRequest.safeParse({ ...minimalTicket, idempotencyKey: id });
        expect(ticket.success).toBe(id.isWellFormed() && id.trim().length > 0 && id.trim().length <= 200);
      }),
    );
  });
});

describe('nesting depth', () => {
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  test('the depth of JSON text is counted without parsing, brackets in strings ignored', () => {
    expect(jsonTextDepth('1')).toBe(0);
    expect(jsonTextDepth('{"a":[1,{"b":"[[[\\"{{"}]}')).toBe(3);
    expect(jsonTextDepth(nested(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
    expect(jsonTextDepth(nested(MAX_JSON_DEPTH + 1))).toBe(MAX_JSON_DEPTH + 1);
    expect(jsonTextDepth(nested(100_000))).toBe(MAX_JSON_DEPTH + 1);
  });

  test('the depth of a value agrees with the depth of its JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expect(valueDepth(value)).toBe(jsonTextDepth(JSON.stringify(value)));
      }),
    );
  });

  test('a value far deeper than the limit is measured without exhausting the stack', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(valueDepth(deep)).toBe(MAX_JSON_DEPTH + 1);
    expect(depthMessage()).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  });
});
