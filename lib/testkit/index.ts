// netproof/testkit: what checks are written with — the built-in suites and your own.
//
//   import { test, expect } from 'netproof/testkit';
//   test('web reaches postgres', async ({ lab }) => {
//     await expect(lab.node('vm1')).toReach('10.20.2.12', { protocol: 'tcp', port: 5432 });
//     await expect(lab.node('leaf1')).toHaveRoute('10.255.2.2/32', { nexthops: 2 });
//   });
//
// Run them with `netproof run LAB.clab.yml --tests 'my-checks/**/*.test.ts'` (deploys, runs the
// built-in suites and yours, reports, tears down) or `netproof test LAB --tests …`.
import './matchers.ts';

export { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
export { registerLab } from './registry.ts';
export { test, attachNamedLab, expectNoCulprits, skipWithoutBgp, skipWithoutDeclaredRouting, skipWithoutOverlay, PreconditionError, sharedPrecondition, type LabFixtures } from './lab.ts';
export type { NetproofMatchers, ReachOptions, RouteOptions } from './matchers.ts';
export { remainingMs, sinceDeployS } from './deadline.ts';
export { declaredBfd, lossBudget, type Intent } from '../model/intent.ts';
export type { BackgroundProcess, FrrConfigProblem, NodeHandle, NodeReader, StartedLab } from '../lab/started-lab.ts';
