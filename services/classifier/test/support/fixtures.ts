import type { TestRedis } from '@helpline/testkit';
import { redisTest } from '@helpline/testkit/fixtures';
import { type FakeLlmServer, startFakeLlmServer } from '@helpline/testkit/llm';

export interface Closable {
  close(): Promise<unknown>;
}

/** What a classifier test runs against: a private Redis, the fake LLM APIs, and what to close. */
export interface ClassifierBed {
  redis: TestRedis;
  llm: FakeLlmServer;
  /** Closed after the test, last opened first. */
  open: Closable[];
}

/**
 * The shared set-up of the classifier's Redis tests: one Redis and one fake LLM server per
 * file; per test, the LLM server's scripted answers reset and whatever the test opened closed.
 */
export const classifierTest = redisTest.extend<{ llm: FakeLlmServer; bed: ClassifierBed }>({
  llm: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixture's dependencies from this pattern
    async ({}, use) => {
      const llm = await startFakeLlmServer();
      try {
        await use(llm);
      } finally {
        await llm.close();
      }
    },
    { scope: 'file' },
  ],
  bed: async ({ redis, llm }, use) => {
    const open: Closable[] = [];
    try {
      await use({ redis, llm, open });
    } finally {
      llm.reset();
      for (const x of open.splice(0).reverse()) await x.close();
    }
  },
});
