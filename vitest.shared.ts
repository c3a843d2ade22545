import { defineConfig } from 'vitest/config';

/**
 * One vitest setup for every workspace. Workspace packages resolve to their TypeScript
 * sources through the `@helpline/source` export condition, so tests never need a build.
 */
const conditions = ['@helpline/source', 'import', 'module', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@helpline/source'] } },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Redis-backed tests share one server; files run one at a time on 2 cores.
    fileParallelism: false,
    // CI asks for a JSON report per workspace too, to print one total at the end.
    reporters: process.env.HELPLINE_TEST_REPORT
      ? ['default', ['json', { outputFile: 'test-results.json' }]]
      : ['default'],
  },
});
