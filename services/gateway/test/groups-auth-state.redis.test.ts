import { createRedisConnection, type Redis } from '@helpline/runtime';
import { startTestRedis, type TestRedis, uniqueQueueName } from '@helpline/testkit';
import { BufferJSON, proto, type SignalDataSet } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupRedis } from '../src/groups/group-channel.js';
import { AuthStateWriteError, loadAuthState, SIGNAL_KEY_TYPES } from '../src/groups/auth-state-store.js';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = createGroupRedis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256);

/** One value of every signal key type Baileys 7 stores, Buffers included. */
function everyKeyType(): SignalDataSet {
  return {
    'pre-key': { '1': { public: Buffer.from(bytes(32, 1)), private: Buffer.from(bytes(32, 2)) } },
    session: { '5491100000001.0': Buffer.from(bytes(120, 3)) },
    'sender-key': { '120363400000000000@g.us::111222333444555::0': Buffer.from(bytes(80, 4)) },
    'sender-key-memory': { '120363400000000000@g.us': { '111222333444555:0@lid': true } },
    'app-state-sync-key': {
      AAAAAJ6q: proto.Message.AppStateSyncKeyData.fromObject({
        keyData: Buffer.from(bytes(32, 5)),
        fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 1] },
        timestamp: 1_757_000_000,
      }),
    },
    'app-state-sync-version': {
      regular: {
        version: 3,
        hash: Buffer.from(bytes(128, 6)),
        indexValueMap: { abc: { valueMac: Buffer.from(bytes(32, 7)) } },
      },
    },
    'lid-mapping': { '5491100000001': '111222333444555', '111222333444555_reverse': '5491100000001' },
    'device-list': { '5491100000001': ['0', '12'] },
    tctoken: { '5491100000001@s.whatsapp.net': { token: Buffer.from(bytes(24, 8)), timestamp: '1757000000' } },
    'identity-key': { '5491100000001.0': Buffer.from(bytes(33, 9)) },
  };
}

describe('auth state in Redis', () => {
  it('covers every key type of Baileys 7, lid-mapping, device-list and tctoken included', () => {
    expect(SIGNAL_KEY_TYPES).toEqual(expect.arrayContaining(['lid-mapping', 'device-list', 'tctoken']));
    expect(Object.keys(everyKeyType()).sort()).toEqual([...SIGNAL_KEY_TYPES].sort());
  });

  it('survives a restart: a new store reads back identical creds and keys', async () => {
    const keyPrefix = `${uniqueQueueName('auth')}:`;
    const first = await loadAuthState({ redis, keyPrefix });
    expect(first.resumed).toBe(false);
    first.state.creds.registered = true;
    first.state.creds.me = { id: '5491100000000:1@s.whatsapp.net', name: 'Helpline' };
    await first.saveCreds();
    const written = everyKeyType();
    await first.state.keys.set(written);

    // A restart: another connection, another store, nothing shared in memory.
    const other = createGroupRedis(server.url);
    try {
      const second = await loadAuthState({ redis: other, keyPrefix });
      expect(second.resumed).toBe(true);
      expect(JSON.stringify(second.state.creds, BufferJSON.replacer)).toBe(
        JSON.stringify(first.state.creds, BufferJSON.replacer),
      );
      expect(Buffer.isBuffer(second.state.creds.noiseKey.private)).toBe(true);
      for (const type of SIGNAL_KEY_TYPES) {
        const ids = Object.keys(written[type] ?? {});
        const read = await second.state.keys.get(type, ids);
        expect(JSON.stringify(read, BufferJSON.replacer), type).toBe(
          JSON.stringify(written[type], BufferJSON.replacer),
        );
      }
      const syncKey = (await second.state.keys.get('app-state-sync-key', ['AAAAAJ6q'])).AAAAAJ6q;
      // Baileys reads this type as a protobuf message, so it must come back as one.
      expect(syncKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
      expect((await second.state.keys.get('pre-key', ['1', '2']))['2']).toBeUndefined();
    } finally {
      await other.quit();
    }
  });

  it('deletes keys set to null, and clears everything after a log-out', async () => {
    const keyPrefix = `${uniqueQueueName('auth')}:`;
    const store = await loadAuthState({ redis, keyPrefix });
    await store.saveCreds();
    await store.state.keys.set(everyKeyType());
    await store.state.keys.set({ 'pre-key': { '1': null } });
    expect(await store.state.keys.get('pre-key', ['1'])).toEqual({});
    await store.clear();
    expect(await redis.keys(`${keyPrefix}*`)).toEqual([]);
    expect((await loadAuthState({ redis, keyPrefix })).resumed).toBe(false);
  });

  it('surfaces a failed write as an error, never only a log line', async () => {
    const keyPrefix = `${uniqueQueueName('auth')}:`;
    const store = await loadAuthState({ redis, keyPrefix });
    const reported: AuthStateWriteError[] = [];
    // The same store, but its Redis is gone (a dead port).
    const dead = createRedisConnection('redis://127.0.0.1:1', 'producer', {
      retryStrategy: () => null,
      lazyConnect: true,
    });
    try {
      const broken = await loadAuthState({
        redis: dead,
        keyPrefix,
        timeoutMs: 500,
        onWriteError: (e) => reported.push(e),
      }).catch((e: unknown) => e);
      // Reading the creds fails too: the session then retries instead of pairing afresh.
      expect(broken).toBeInstanceOf(Error);

      // A Redis that reads but refuses writes (a replica after a failover).
      const readOnly = new Proxy(redis, {
        get(target, property, receiver) {
          if (property === 'set')
            return () => Promise.reject(new Error('READONLY You can not write against a read only replica'));
          if (property === 'multi') return () => dead.multi();
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const failing = await loadAuthState({
        redis: readOnly,
        keyPrefix,
        timeoutMs: 500,
        onWriteError: (e) => reported.push(e),
      });
      await expect(failing.saveCreds()).rejects.toBeInstanceOf(AuthStateWriteError);
      await expect(failing.state.keys.set({ session: { a: Buffer.from([1]) } })).rejects.toBeInstanceOf(
        AuthStateWriteError,
      );
      expect(reported).toHaveLength(2);
      expect(reported[0]?.message).toMatch(/creds was not stored: READONLY/);
      // Nothing half-written reached the real store.
      expect(await store.state.keys.get('session', ['a'])).toEqual({});
    } finally {
      dead.disconnect();
    }
  });
});
