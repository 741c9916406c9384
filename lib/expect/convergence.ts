// The fabric converged: every expected session Established and every expected loopback route
// in RIB and FIB with its ECMP width, polled to a deadline — the bgp-convergence suite's
// criteria, for checks that need a converged fabric before they measure anything.
import type { StartedLab } from '../lab/started-lab.ts';
import { expectedRoutes, type ExpectedRoute } from '../plan/expected-routing.ts';
import { observeRoutes, observeSummaries, routeFamilies, type Fabric } from '../probes/fabric.ts';
import { routeCulprits, sessionCulprits } from './bgp.ts';
import { waitForNoCulprits } from '../wait-for.ts';

export interface ConvergedFabric {
  f: Fabric;
  routes: ExpectedRoute[];
}

export async function waitForConvergence(lab: StartedLab, f: Fabric, timeoutMs: number): Promise<ConvergedFabric> {
  // Routes are expected only from what the user declared; checks skip before they get here.
  if (f.notDeclared) throw new Error(f.notDeclared);
  const routes = expectedRoutes(f.routers, f.links);
  const names = f.routers.map((r) => r.name);
  await waitForNoCulprits(
    async () => ({ summaries: await observeSummaries(lab, names), observed: await observeRoutes(lab, names, routeFamilies(routes)) }),
    ({ summaries, observed }) => [...sessionCulprits(f.sessions, summaries), ...routeCulprits(routes, observed, f.owners)],
    { timeoutMs, description: 'the fabric to converge (the bgp-convergence suite names each culprit)' },
  );
  return { f, routes };
}
