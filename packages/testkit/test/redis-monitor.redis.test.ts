import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { redisTest as test } from '../src/fixtures.js';
import { type MonitoredCommand, monitorRedis, parseMonitorLine } from '../src/redis-monitor.js';
import { waitFor } from '../src/wait-for.js';

describe('parseMonitorLine', () => {
  test('reads the source and unescapes every argument', () => {
    expect(parseMonitorLine('+1700000000.123456 [0 127.0.0.1:5000] "SET" "a \\"b\\"" "\\\\x\\n\\xe2\\x82"')).toEqual({
      source: '127.0.0.1:5000',
      args: ['SET', 'a "b"', '\\x\n\xe2\x82'],
    });
    expect(parseMonitorLine('+1700000000.1 [3 lua] "hset" "k" "f" ""')).toEqual({
      source: 'lua',
      args: ['hset', 'k', 'f', ''],
    });
  });

  test('a line that is not a monitored command is none', () => {
    expect(parseMonitorLine('+OK')).toBeUndefined();
    expect(parseMonitorLine('-ERR nope')).toBeUndefined();
    expect(parseMonitorLine('+1.0 [0 lua] set')).toBeUndefined();
  });
});

describe('monitorRedis', () => {
  test("sees a client's commands and those its script runs, from the first command after it resolves", async ({
    redis,
    prefix,
  }) => {
    const seen: MonitoredCommand[] = [];
    const monitor = await monitorRedis(redis.url, (command) => seen.push(command));
    const client = new Redis(redis.url);
    try {
      await client.set(`${prefix}:k`, 'una "frase"\ncon salto');
      await client.eval("return redis.call('GET', KEYS[1])", 1, `${prefix}:k`);
      await waitFor(() => seen.some((c) => c.source === 'lua') || undefined, 5_000, 'the script command');
      const address = `${client.stream.localAddress}:${client.stream.localPort}`;
      // ioredis' ready check (INFO) is the client's first command: not the test's.
      const mine = seen.filter((c) => (c.source === address || c.source === 'lua') && c.args[0] !== 'info');
      expect(mine.map((c) => [c.source === 'lua' ? 'lua' : 'client', c.args[0]?.toLowerCase()])).toEqual([
        ['client', 'set'],
        ['client', 'eval'],
        ['lua', 'get'],
      ]);
      expect(mine[0]?.args[2]).toBe('una "frase"\ncon salto');
    } finally {
      monitor.stop();
      client.disconnect();
    }
  });

  test('a busy server (monitored lines arriving with the MONITOR reply) is watched without a crash', async ({
    redis,
    prefix,
  }) => {
    const writer = new Redis(redis.url, { enableAutoPipelining: true });
    let writing = true;
    const load = (async () => {
      while (writing) await Promise.all(Array.from({ length: 200 }, (_, i) => writer.set(`${prefix}:${i}`, i)));
    })();
    try {
      for (let attempt = 0; attempt < 20; attempt++) {
        let count = 0;
        const monitor = await monitorRedis(redis.url, () => count++);
        await waitFor(() => count > 0 || undefined, 5_000, 'monitored commands');
        monitor.stop();
      }
    } finally {
      writing = false;
      await load;
      writer.disconnect();
    }
  });
});
