import { defineConfig } from 'vitest/config';

/**
 * One vitest setup for every workspace. Workspace packages resolve to their TypeScript
 * sources through the `@helpline/source` export condition, so tests never need a build.
 *
 * Two projects, told apart by file name:
 * - `unit`: `*.test.ts`, pure tests (no Redis, no PostgreSQL, no child process; in-process
 *   fakes on ephemeral ports are fine). Files run in parallel.
 * - `servers`: `*.redis.test.ts`, `*.pg.test.ts`, `*.process.test.ts`. They start servers
 *   and processes, and on a small machine they fight for its cores, so they run one file at
 *   a time, after the unit project (sequence.groupOrder).
 */
const conditions = ['@helpline/source', 'import', 'module', 'node', 'default'];
const serverTests = ['test/**/*.redis.test.ts', 'test/**/*.pg.test.ts', 'test/**/*.process.test.ts'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@helpline/source'] } },
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI asks for a JSON report per workspace too, to print one total at the end.
    reporters: process.env.HELPLINE_TEST_REPORT
      ? ['default', ['json', { outputFile: 'test-results.json' }]]
      : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: serverTests,
          fileParallelism: true,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'servers',
          include: serverTests,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
