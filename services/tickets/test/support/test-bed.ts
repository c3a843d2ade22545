import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeZoho, type FakeZohoOptions, startFakeZoho } from '@helpline/testkit/zoho';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Contexts } from './index.js';

export interface TicketsTestBed {
  /** The file's redis-server (started before its first test). */
  readonly redis: TestRedis;
  /** The contexts a test makes; closed after it. */
  readonly contexts: Contexts;
  /** A fake Zoho Desk for this test; closed after it. */
  startZoho(options?: FakeZohoOptions): Promise<FakeZoho>;
}

/**
 * The set-up the tickets Redis test files share, instead of a copy in each: one
 * redis-server per file, and after each test its contexts closed, then its fake Zoho.
 * Call at the top of the file; hooks a file adds later run before these after a test.
 */
export function ticketsTestBed(): TicketsTestBed {
  let redis: TestRedis | undefined;
  let zoho: FakeZoho | undefined;
  const contexts = new Contexts();
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    await contexts.closeAll();
    await zoho?.close();
    zoho = undefined;
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return {
    get redis() {
      if (!redis) throw new Error('the test Redis starts before the first test');
      return redis;
    },
    contexts,
    async startZoho(options) {
      await zoho?.close();
      zoho = await startFakeZoho(options);
      return zoho;
    },
  };
}
