import { closeRedis, createLogger, createRedisConnection, type Redis } from '@helpline/runtime';
import { redisTest as test } from '@helpline/testkit/fixtures';
import { Queue } from 'bullmq';
import { expect, onTestFinished } from 'vitest';
import { createIdentityStore } from '../src/identity/identity-store.js';
import { moveLegacyIdentityKeys } from '../src/identity/legacy-identity-keys.js';

const logger = createLogger({ name: 'accounts-test', level: 'silent' });

function connect(url: string): Redis {
  const redis = createRedisConnection(url, 'worker');
  onTestFinished(() => closeRedis(redis));
  return redis;
}

test("an older release's identity keys move to the new prefix; the accounts queue beside them stays", async ({
  redis,
  prefix,
}) => {
  const client = connect(redis.url);
  // The older release: the identity store under `<queue prefix>:accounts:`, beside BullMQ's own keys.
  const legacy = `${prefix}:bull:accounts`;
  const queue = new Queue('accounts', { connection: client, prefix: `${prefix}:bull` });
  onTestFinished(() => queue.close());
  await queue.add('request', { n: 1 }, { jobId: 'acct-debt-c1' });
  const old = createIdentityStore({ redis: client, prefix: `${legacy}:`, proofHours: 24 });
  await old.prove('573001112233', ['C-100']);
  await old.setPending('573001112233', 'debt');
  expect(await old.failedTry('573009998877', 'corr-1')).toBe(1);

  const keyPrefix = `${prefix}:helpline:accounts`;
  const result = await moveLegacyIdentityKeys(client, keyPrefix, logger, legacy);
  // proof, pending, tries and tried (one each); no key of the queue.
  expect(result).toEqual({ found: 4, moved: 4, kept: 0 });

  const current = createIdentityStore({ redis: client, prefix: `${keyPrefix}:`, proofHours: 24 });
  expect(await current.provenIds('573001112233')).toEqual(['C-100']);
  expect(await current.takePending('573001112233')).toBe('debt');
  // The retried job of the same request does not count twice: its mark moved too.
  expect(await current.failedTry('573009998877', 'corr-1')).toBe(1);
  expect(await client.ttl(`${keyPrefix}:proof:573001112233`)).toBeGreaterThan(23 * 3600);

  expect(await queue.getJob('acct-debt-c1')).toBeDefined();
  expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  expect(await client.keys(`${legacy}:proof:*`)).toEqual([]);
  // A second start finds nothing left to move.
  expect(await moveLegacyIdentityKeys(client, keyPrefix, logger, legacy)).toEqual({ found: 0, moved: 0, kept: 0 });
});
