import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseBitrate,
  parseDurationMs,
  parseDurationSeconds,
  parseRatePair,
  parseRouterBoolean,
} from '../src/routeros/values.js';

describe('RouterOS value parsers', () => {
  it('reads durations, v7 times and clock forms', () => {
    expect(parseDurationSeconds('1d2h3m4s')).toBe(93_784);
    expect(parseDurationSeconds('1w2d')).toBe(9 * 86_400);
    expect(parseDurationMs('1ms164us')).toBeCloseTo(1.164);
    expect(parseDurationMs('350us')).toBeCloseTo(0.35);
    expect(parseDurationSeconds('00:05:10')).toBe(310);
    expect(parseDurationSeconds('2d03:00:00')).toBe(2 * 86_400 + 3 * 3_600);
    expect(parseDurationSeconds('15')).toBe(15);
    for (const bad of ['', '1x', 'h1', '1d 2h', '1.2.3s', '--']) expect(parseDurationMs(bad)).toBeUndefined();
  });

  it('reads rates and pairs', () => {
    expect(parseBitrate('10M')).toBe(10_000_000);
    expect(parseBitrate('1.5M')).toBe(1_500_000);
    expect(parseBitrate('512k')).toBe(512_000);
    expect(parseBitrate('2G')).toBe(2_000_000_000);
    expect(parseBitrate('123456')).toBe(123_456);
    expect(parseRatePair('10M/5M')).toEqual({ upload: 10_000_000, download: 5_000_000 });
    expect(parseRatePair('1200000/300000')).toEqual({ upload: 1_200_000, download: 300_000 });
    for (const bad of ['10M', '10M/5M/1M', 'x/y', '10T/1M']) expect(parseRatePair(bad)).toBeUndefined();
  });

  it('reads booleans', () => {
    expect(['true', 'yes', 'TRUE', ' Yes '].map(parseRouterBoolean)).toEqual([true, true, true, true]);
    expect(['false', 'no'].map(parseRouterBoolean)).toEqual([false, false]);
    expect(parseRouterBoolean('maybe')).toBeUndefined();
  });

  it('property: any sum of units reads back as its total', () => {
    const unit = fc.constantFrom(
      ['w', 604_800_000],
      ['d', 86_400_000],
      ['h', 3_600_000],
      ['m', 60_000],
      ['s', 1_000],
      ['ms', 1],
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), unit), { minLength: 1, maxLength: 6 }),
        (parts) => {
          const text = parts.map(([n, [u]]) => `${n}${u}`).join('');
          const total = parts.reduce((sum, [n, [, ms]]) => sum + n * (ms as number), 0);
          expect(parseDurationMs(text)).toBe(total);
        },
      ),
    );
  });

  it('property: v7 times ms+us read back to the microsecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 999 }), (ms, us) => {
        expect(parseDurationMs(`${ms}ms${us}us`)).toBeCloseTo(ms + us / 1_000, 6);
      }),
    );
  });

  it('property: formatted rate pairs read back', () => {
    const rate = fc.tuple(
      fc.integer({ min: 0, max: 9_999 }),
      fc.constantFrom(['', 1], ['k', 1e3], ['M', 1e6], ['G', 1e9]),
    );
    fc.assert(
      fc.property(rate, rate, ([a, [ua, ma]], [b, [ub, mb]]) => {
        expect(parseRatePair(`${a}${ua}/${b}${ub}`)).toEqual({
          upload: a * (ma as number),
          download: b * (mb as number),
        });
      }),
    );
  });

  it('property: the parsers never throw, whatever the router prints', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseDurationMs(s);
        parseRatePair(s);
        parseBitrate(s);
        parseRouterBoolean(s);
      }),
    );
  });
});
