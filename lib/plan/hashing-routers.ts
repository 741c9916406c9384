// Which routers hash, and what to measure each one with: every router the declared fabric gives
// equal-cost paths to some loopback, with the route that has the most of them (towards a TEP
// when there is a choice: that is the traffic the overlay sends). Pure.
import { COMPUTE_TIER } from '../model/topology.ts';
import { routesIn, type ExpectedRoute } from './expected-routing.ts';

export interface HashingRouter {
  router: string;
  /** The route its flows are sent along: `width` of its candidates are installed. */
  route: ExpectedRoute;
}

export function hashingRouters(routes: readonly ExpectedRoute[], tierOf: (node: string) => string | undefined, family: 4 | 6 = 4): HashingRouter[] {
  const best = new Map<string, ExpectedRoute>();
  const score = (r: ExpectedRoute) => r.width * 10 + (tierOf(r.owner) === COMPUTE_TIER ? 1 : 0);
  // Each router's route of the probes' family (probeFamily); the ECMP suite measures a
  // dual-stack router's IPv6 route to the same owner beside its IPv4 one.
  for (const r of routesIn(family, routes)) {
    if (r.width < 2) continue;
    const had = best.get(r.at);
    if (!had || score(r) > score(had) || (score(r) === score(had) && r.prefix.localeCompare(had.prefix, 'en', { numeric: true }) < 0)) best.set(r.at, r);
  }
  return [...best].map(([router, route]) => ({ router, route })).sort((a, b) => a.router.localeCompare(b.router, 'en', { numeric: true }));
}
