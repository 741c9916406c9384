// The project's own tests (`npm test`). The conformance suites under suites/ are not run
// here directly: `netproof run` runs them against a deployed lab (lib/cli/run.ts).
import { defineConfig } from 'vitest/config';

/**
 * Lab tests whose every assertion is about state — adjacencies, routes, configuration, files,
 * exit codes, leftovers — never about a timing, and which take no snapshot of the host: they
 * share the machine's two workers with each other and with the unit tests. Every other lab test
 * measures loss windows, health-check removals or traffic splits, or compares the host before
 * and after, and runs alone.
 */
const E2E_SHARED = [
  'lib/cli/input.e2e.test.ts',
  'lib/cli/export.e2e.test.ts',
  'lib/report/html-report.e2e.test.ts',
  'lib/runtime/frr-config.e2e.test.ts',
  'lib/runtime/frr-kind.e2e.test.ts',
  'lib/runtime/igp-fabric.e2e.test.ts',
  'lib/runtime/lifecycle.e2e.test.ts',
  'lib/state/change.e2e.test.ts',
  'lib/testkit/testkit.e2e.test.ts',
];

/** Labs are real daemons: network-sized timeouts; every lab test runs on both runtimes (fixtures/runtimes.ts), so Docker must be ready. */
const LAB_TESTS = { globalSetup: ['fixtures/docker-engine.setup.ts'], testTimeout: 180_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'bin/*.test.ts', 'fixtures/*.test.ts', 'ci/**/*.test.ts'],
          exclude: ['lib/**/*.e2e.test.ts'],
          // The same as e2e-shared: vitest runs projects of one worker count together.
          maxWorkers: 2,
        },
      },
      {
        test: { name: 'e2e-shared', include: E2E_SHARED, maxWorkers: 2, ...LAB_TESTS },
      },
      {
        test: {
          name: 'e2e',
          include: ['lib/**/*.e2e.test.ts'],
          exclude: E2E_SHARED,
          // A 2-core machine: one timing-sensitive lab at a time, alone.
          fileParallelism: false,
          ...LAB_TESTS,
        },
      },
    ],
  },
});
