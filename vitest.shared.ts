import { defineConfig } from 'vitest/config';

/**
 * One vitest setup for every workspace. Workspace packages resolve to their TypeScript
 * sources through the `@helpline/source` export condition, so tests never need a build.
 */
const conditions = ['@helpline/source', 'import', 'module', 'node', 'default'];
// Vitest also hands the SSR conditions to Node as --conditions flags, where `import` would
// make a package's require() pick its ESM build (pg requiring pg-pool fails that way); Vite
// adds import/require by itself, so Node is given only what it cannot infer.
const ssrConditions = ['@helpline/source', 'node'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: ssrConditions, externalConditions: ['@helpline/source'] } },
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
