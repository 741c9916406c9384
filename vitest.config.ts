// The project's own tests (`npm test`). The conformance suites under suites/ are not run
// here directly: `netproof run` runs them against a deployed lab (see lib/cli/run-suites.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'bin/*.test.ts', 'fixtures/*.test.ts', 'ci/**/*.test.ts'],
          exclude: ['lib/**/*.e2e.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['lib/**/*.e2e.test.ts'],
          // Every lab test runs on both runtimes (fixtures/runtimes.ts): Docker must be ready.
          globalSetup: ['fixtures/docker-engine.setup.ts'],
          // Labs are real daemons on a 2-core machine: one file at a time, network-sized timeouts.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
