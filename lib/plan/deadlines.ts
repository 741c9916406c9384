// How long a lab gets, by its size. A 10-router lab converges in seconds and a 400-router one
// needs minutes on two cores: one fixed deadline is either too short for the big lab or hides
// a hung small one for a minute. The rule is stated (README, and every report's summary.json):
//   convergence  60 s + 0.25 s per FRR router, counted from the end of the deploy (or the
//                start of `netproof test`)
//   any check    at least 10 s + 25 ms per node, however late in the run it polls
// `--convergence-timeout` overrides the first; the report says which applied.
import { ROUTER_TIERS, type Topology } from '../model/topology.ts';

export const BASE_CONVERGENCE_S = 60;
export const CONVERGENCE_S_PER_ROUTER = 0.25;
export const BASE_CHECK_MIN_MS = 10_000;
export const CHECK_MIN_MS_PER_NODE = 25;

export const DEADLINE_RULE = `convergence ${BASE_CONVERGENCE_S} s + ${CONVERGENCE_S_PER_ROUTER} s per FRR router; every check at least ${BASE_CHECK_MIN_MS / 1000} s + ${CHECK_MIN_MS_PER_NODE} ms per node`;

export interface LabDeadlines {
  routers: number;
  nodes: number;
  /** Seconds the control plane gets to converge. */
  convergenceS: number;
  /** What set convergenceS: the lab's size by DEADLINE_RULE, or `--convergence-timeout`. */
  convergenceFrom: 'lab size' | '--convergence-timeout';
  /** The least any check polls for. */
  checkMinMs: number;
  rule: string;
}

/** FRR routers: nodes with an FRR config, or of a tier that runs FRR. */
export const frrRouterCount = (t: Pick<Topology, 'nodes'>) => t.nodes.filter((n) => n.frr !== undefined || ROUTER_TIERS.has(n.tier ?? '')).length;

export function labDeadlines(t: Pick<Topology, 'nodes'>, convergenceOverrideS?: number): LabDeadlines {
  const routers = frrRouterCount(t);
  const nodes = t.nodes.length;
  const bySize = Math.ceil(BASE_CONVERGENCE_S + CONVERGENCE_S_PER_ROUTER * routers);
  return {
    routers,
    nodes,
    convergenceS: convergenceOverrideS ?? bySize,
    convergenceFrom: convergenceOverrideS === undefined ? 'lab size' : '--convergence-timeout',
    checkMinMs: BASE_CHECK_MIN_MS + CHECK_MIN_MS_PER_NODE * nodes,
    rule: DEADLINE_RULE,
  };
}
