import type { Redis } from '@helpline/runtime';
import { CodedError, ERRORS, withDeadline } from '@helpline/runtime';
import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';

/**
 * Every signal key type Baileys 7 stores. The check below fails the build when Baileys adds
 * a type this list lacks: a type missing here would not be cleared on log-out.
 */
export const SIGNAL_KEY_TYPES = [
  'pre-key',
  'session',
  'sender-key',
  'sender-key-memory',
  'app-state-sync-key',
  'app-state-sync-version',
  'lid-mapping',
  'device-list',
  'tctoken',
  'identity-key',
] as const satisfies readonly (keyof SignalDataTypeMap)[];
type MissingKeyType = Exclude<keyof SignalDataTypeMap, (typeof SIGNAL_KEY_TYPES)[number]>;
const everyKeyTypeListed: [MissingKeyType] extends [never] ? true : MissingKeyType = true;
void everyKeyTypeListed;

/**
 * A write of the auth state did not reach Redis. Baileys must not go on as if it had; a
 * send that met it (keys are written while encrypting) is retried by the outbound queue.
 */
export class AuthStateWriteError extends CodedError {
  constructor(what: string, cause: unknown) {
    super(
      ERRORS.auth_state_unstored,
      `auth state ${what} was not stored: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'AuthStateWriteError';
  }
}

export interface AuthStateStoreOptions {
  redis: Redis;
  /** Prefix of every key, for example `bull:groups:auth:`. */
  keyPrefix: string;
  /** How long one read or write may take (default 10 s). */
  timeoutMs?: number;
  /** Told about every failed write, before the error is thrown to the caller. */
  onWriteError?: (error: AuthStateWriteError) => void;
  /** Told about every successful write (clears an earlier failure). */
  onWriteOk?: () => void;
}

export interface AuthStateStore {
  /** Baileys' auth state: creds as last saved (or fresh ones) and the key store. */
  readonly state: AuthenticationState;
  /** Whether the creds came from Redis (a linked account) or were made fresh. */
  readonly resumed: boolean;
  /** Writes the current creds; rejects with AuthStateWriteError. */
  saveCreds(): Promise<void>;
  /** Removes the creds and every key (after a log-out, so the next start pairs afresh). */
  clear(): Promise<void>;
}

const serialise = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
const deserialise = (text: string): unknown => JSON.parse(text, BufferJSON.reviver);

/**
 * Baileys' auth state in Redis: the creds as one JSON string, each key type as a hash of
 * id -> JSON, with Buffers kept through Baileys' BufferJSON. Every write is awaited and a
 * failure rejects (a lost key means "Bad MAC" on later messages), so Baileys' transaction
 * retries it and the session reports it; nothing is logged and passed over.
 */
export async function loadAuthState(options: AuthStateStoreOptions): Promise<AuthStateStore> {
  const { redis, keyPrefix } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const credsKey = `${keyPrefix}creds`;
  const typeKey = (type: keyof SignalDataTypeMap): string => `${keyPrefix}keys:${type}`;

  const write = async (what: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      await withDeadline(run(), timeoutMs, `writing ${what}`);
      options.onWriteOk?.();
    } catch (error) {
      const failure = new AuthStateWriteError(what, error);
      options.onWriteError?.(failure);
      throw failure;
    }
  };

  const stored = await withDeadline(redis.get(credsKey), timeoutMs, 'reading the auth creds');
  const creds = stored === null ? initAuthCreds() : (deserialise(stored) as AuthenticationCreds);

  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const result: { [id: string]: SignalDataTypeMap[T] } = {};
        if (ids.length === 0) return result;
        const values = await withDeadline(redis.hmget(typeKey(type), ...ids), timeoutMs, `reading ${type} keys`);
        ids.forEach((id, i) => {
          const text = values[i];
          if (text === null || text === undefined) return;
          let value = deserialise(text);
          // Baileys reads this type as a protobuf object, not the plain JSON it was written as.
          if (type === 'app-state-sync-key') value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
          result[id] = value as SignalDataTypeMap[T];
        });
        return result;
      },
      async set(data: SignalDataSet) {
        const multi = redis.multi();
        let changes = 0;
        for (const type of Object.keys(data) as (keyof SignalDataTypeMap)[]) {
          for (const [id, value] of Object.entries(data[type] ?? {})) {
            if (value === null || value === undefined) multi.hdel(typeKey(type), id);
            else multi.hset(typeKey(type), id, serialise(value));
            changes += 1;
          }
        }
        if (changes === 0) return;
        await write(`${changes} signal keys`, async () => {
          const replies = await multi.exec();
          // MULTI can succeed as a whole while one command inside it failed.
          const failed = replies?.find(([error]) => error);
          if (!replies || failed) throw failed?.[0] ?? new Error('transaction discarded');
        });
      },
    },
  };

  return {
    state,
    resumed: stored !== null,
    saveCreds: () => write('creds', () => redis.set(credsKey, serialise(state.creds))),
    clear: () => write('clear', () => redis.del(credsKey, ...SIGNAL_KEY_TYPES.map(typeKey))),
  };
}
