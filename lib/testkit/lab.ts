// The `lab` fixture every check uses: a handle on the lab `netproof run`/`netproof test`
// deployed or found (named in NETPROOF_LAB), attached once per file.
import { expect, test as base } from 'vitest';
import { waitForConvergence, type ConvergedFabric } from '../expect/convergence.ts';
import { waitFor } from '../wait-for.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import { waitForOverlay } from '../overlay/apply.ts';
import type { Overlay } from '../model/overlay.ts';
import { discoverFabric, type Fabric } from '../probes/fabric.ts';
import { declaredRouters, notDeclaredReason } from '../plan/declared-routers.ts';
import { intentFileFor } from '../topology/load-intent.ts';
import { runtimeByName } from '../runtime/index.ts';
import { remainingMs } from './deadline.ts';
import './matchers.ts';
import { registerLab } from './registry.ts';
import { LAB_ENV, RUNTIME_ENV } from './settings.ts';

/** Attach to the lab the CLI named; exported for tests that build their own fixtures. */
export async function attachNamedLab(env: NodeJS.ProcessEnv = process.env): Promise<StartedLab> {
  const name = env[LAB_ENV];
  if (!name) throw new Error(`checks run against a deployed lab: use "netproof run FILE --tests …" or "netproof test LAB --tests …" (${LAB_ENV} is not set)`);
  return registerLab(await runtimeByName(env[RUNTIME_ENV] ?? 'netns').attach(name));
}

/**
 * A check that could not start because something it needs was not true. Every test that
 * needs it fails with this one message, naming the precondition, instead of with errors of
 * its own that look unrelated.
 */
export class PreconditionError extends Error {
  constructor(precondition: string, cause: unknown) {
    super(`precondition failed: ${precondition}\n${(cause as Error).message ?? cause}`);
    this.name = 'PreconditionError';
  }
}

/**
 * Once per file: the first call runs `make`, every later call (any test of the file) shares
 * its result or its failure — a PreconditionError naming `precondition`. For a fixture's value.
 */
export function sharedPrecondition<T>(precondition: string, make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make().catch((e: unknown) => Promise.reject(e instanceof PreconditionError ? e : new PreconditionError(precondition, e))));
}

export interface LabFixtures {
  /** The running lab: `lab.node('leaf1')`, `lab.nodes()`, `lab.topology`. */
  lab: StartedLab;
  /** The BGP fabric as the topology lays it out (routers, links, the sessions to expect); asked for after a test's skip checks. */
  fabric: () => Promise<Fabric>;
  /** The fabric once converged by the deadline: for checks that measure on a converged fabric. */
  convergedFabric: () => Promise<ConvergedFabric>;
  /** The overlay once every VM port is up on its chassis and `ovn-nbctl --wait=hv sync` returned. */
  readyOverlay: () => Promise<Overlay>;
}

export const test = base.extend<LabFixtures>({
  lab: [
    async ({}, use) => {
      await use(await attachNamedLab());
    },
    { scope: 'file' },
  ],
  fabric: [
    async ({ lab }, use) => {
      // Right after deploy a bgpd may still be starting: retried to the deadline.
      await use(sharedPrecondition('every FRR router answers vtysh', async () => (await waitFor(async () => ({ ok: true, value: await discoverFabric(lab) }), { timeoutMs: remainingMs(lab), description: 'every FRR router to answer vtysh' })).value));
    },
    { scope: 'file' },
  ],
  convergedFabric: [
    async ({ lab, fabric }, use) => {
      await use(sharedPrecondition('the fabric converged (sessions Established, every loopback with its ECMP width)', async () => waitForConvergence(lab, await fabric(), remainingMs(lab))));
    },
    { scope: 'file' },
  ],
  readyOverlay: [
    async ({ lab }, use) => {
      await use(
        sharedPrecondition('every VM port is up and every chassis applied the overlay', async () => {
          const overlay = lab.topology.overlay;
          if (!overlay) throw new Error('this lab has no overlay (no <lab>.overlay.yml beside the topology)');
          await waitForOverlay(lab, overlay, remainingMs(lab));
          return overlay;
        }),
      );
    },
    { scope: 'file' },
  ],
});

type Skip = (note: string) => void;

/**
 * Fail with every culprit spelled out (node, cell, numbers), so the message itself — in the
 * terminal, JUnit, Allure and summary.json — says what is wrong, and the runner gets the
 * culprits as the actual value and [] as the expected one.
 */
export function expectNoCulprits(culprits: readonly string[], what: string): void {
  expect(culprits).toHaveNoCulprits(what);
}

/** Reported as skipped, never as passed: a lab without BGP gives a BGP check nothing to check. */
export function skipWithoutBgp(lab: StartedLab, skip: Skip): void {
  if (!lab.nodes().some((n) => n.frrDaemons.includes('bgpd'))) skip('no router in this lab runs bgpd');
}

/**
 * Reported as skipped "not declared" when the lab's intent file does not declare every BGP
 * router's ASN and loopbacks: routes are expected only from what the user declared.
 */
export function skipWithoutDeclaredRouting(lab: StartedLab, skip: Skip): void {
  const bgp = lab.nodes().filter((n) => n.frrDaemons.includes('bgpd')).map((n) => n.name);
  const { intent } = lab.topology;
  const reason = notDeclaredReason(declaredRouters(lab.topology.nodes, intent, bgp).undeclared, intent?.file ?? intentFileFor(lab.topology.file));
  if (reason) skip(reason);
}

export function skipWithoutOverlay(lab: StartedLab, skip: Skip): void {
  if (!lab.topology.overlay) skip('this lab has no overlay (no <lab>.overlay.yml beside the topology)');
}
