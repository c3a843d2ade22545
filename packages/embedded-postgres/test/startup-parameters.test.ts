import { ReadyForQueryScanner } from '../src/ready-for-query-scanner.js';
import { readStartupSettings } from '../src/startup-parameters.js';
import { describe, expect, test } from 'vitest';

function startup(fields: Record<string, string>): Uint8Array {
  const body = Buffer.concat([
    ...Object.entries(fields).flatMap(([k, v]) => [Buffer.from(`${k}\0`), Buffer.from(`${v}\0`)]),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196_608, 4);
  return new Uint8Array(Buffer.concat([head, body]));
}

describe('startup settings', () => {
  test('settings keys and -c options, not user or database', () => {
    const settings = readStartupSettings(
      startup({
        user: 'postgres',
        database: 'helpline',
        application_name: 'helpline-tickets',
        statement_timeout: '10000',
        options: '-c search_path=tickets,public -c lock-timeout=2s --work_mem=4MB -c x=a\\ b',
      }),
    );
    expect(Object.fromEntries(settings ?? [])).toEqual({
      application_name: 'helpline-tickets',
      statement_timeout: '10000',
      search_path: 'tickets,public',
      lock_timeout: '2s',
      work_mem: '4MB',
      x: 'a b',
    });
  });

  test('a message that is not a startup gives nothing', () => {
    expect(
      readStartupSettings(new Uint8Array([0x51, 0, 0, 0, 13, 0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x31, 0])),
    ).toBe(undefined);
  });
});

describe('ReadyForQuery scanner', () => {
  const message = (type: string, body: number[]): number[] => {
    const length = body.length + 4;
    return [type.charCodeAt(0), length >>> 24, (length >>> 16) & 255, (length >>> 8) & 255, length & 255, ...body];
  };

  test('finds the last status across chunk boundaries, skipping bodies that look like one', () => {
    // A DataRow whose bytes contain 'Z' 0 0 0 5 'I', then CommandComplete, then ReadyForQuery 'T'.
    const bytes = [
      ...message('D', [0x5a, 0, 0, 0, 5, 0x49, 1, 2, 3]),
      ...message('C', [...Buffer.from('INSERT 0 1'), 0]),
      ...message('Z', [0x54]),
    ];
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const scanner = new ReadyForQueryScanner();
      for (let i = 0; i < bytes.length; i += size) scanner.push(new Uint8Array(bytes.slice(i, i + size)));
      expect(scanner.status).toBe('T');
    }
  });

  test('no ReadyForQuery yet (mid extended protocol): no status', () => {
    const scanner = new ReadyForQueryScanner();
    scanner.push(new Uint8Array(message('1', [])));
    expect(scanner.status).toBeUndefined();
  });
});
