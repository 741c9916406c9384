// What each built-in suite is about, for the Allure report: its epic (the part of the network),
// its feature, and a severity chosen by what a failure means for traffic. A user's own check
// file is its own feature under "Your checks". Pure data.

export type Severity = 'blocker' | 'critical' | 'normal' | 'minor' | 'trivial';

/** Where a failure is: routing state, packets, or the machine the lab runs on. */
export type Plane = 'control plane' | 'data plane' | 'environment';

export interface SuiteMeta {
  epic: 'Underlay' | 'Overlay' | 'Resilience';
  feature: string;
  severity: Severity;
  /** What a failure means for traffic: why it has that severity. */
  impact: string;
  /** The plane a failure of this suite is in, unless the test's own name says otherwise (CONTROL_PLANE_TEST). */
  plane: Exclude<Plane, 'environment'>;
}

export const SUITE_CATALOG: Readonly<Record<string, SuiteMeta>> = {
  'frr-config': { epic: 'Underlay', feature: 'FRR configuration', severity: 'blocker', plane: 'control plane', impact: 'a line FRR refused means the router does something other than what was written' },
  'bgp-convergence': { epic: 'Underlay', feature: 'BGP convergence', severity: 'blocker', plane: 'control plane', impact: 'a missing session or loopback route leaves tunnels between hosts without a path' },
  igp: { epic: 'Underlay', feature: 'IGP (OSPF, IS-IS) and hosts', severity: 'blocker', plane: 'control plane', impact: 'a missing adjacency or route, or a host that cannot reach the hosts its routes point at, cuts traffic' },
  intent: { epic: 'Underlay', feature: 'Declared intent', severity: 'critical', plane: 'control plane', impact: 'the fabric runs other ASNs, timers, hashing or MTUs than declared' },
  'overlay-reachability': { epic: 'Overlay', feature: 'Overlay reachability', severity: 'blocker', plane: 'data plane', impact: 'tenant VMs that should talk cannot' },
  'geneve-mtu': { epic: 'Overlay', feature: 'GENEVE MTU', severity: 'critical', plane: 'data plane', impact: 'large packets are black-holed: TCP stalls while ping works' },
  acl: { epic: 'Overlay', feature: 'Security groups', severity: 'critical', plane: 'data plane', impact: 'traffic the security groups deny gets through, or allowed traffic is blocked' },
  nat: { epic: 'Overlay', feature: 'North–south NAT', severity: 'critical', plane: 'data plane', impact: 'floating IPs or SNAT do not work, or something is reachable from outside that should not be' },
  'load-balancer': { epic: 'Overlay', feature: 'Load balancing', severity: 'critical', plane: 'data plane', impact: 'a VIP sends traffic to a dead backend, or not to every backend' },
  'ecmp-spread': { epic: 'Underlay', feature: 'ECMP spread', severity: 'normal', plane: 'data plane', impact: 'flows pile onto fewer paths than the fabric has: capacity is lost, not reachability' },
  'bfd-failover': { epic: 'Resilience', feature: 'BFD failover', severity: 'critical', plane: 'data plane', impact: 'a link failure loses traffic for longer than the declared budget' },
  'gateway-failover': { epic: 'Resilience', feature: 'Gateway failover', severity: 'critical', plane: 'data plane', impact: 'a gateway chassis failure cuts north–south traffic for longer than the budget' },
};

/** Tests that send packets, whatever their suite's plane. */
const DATA_PLANE_TEST = /\b(reaches|answer ping)\b/;

/** Tests that compare routing state rather than packets, whatever their suite's plane. */
const CONTROL_PLANE_TEST = /\b(RIB|FIB|Established|ASN|timers|configuration|BFD, up|active on its highest-priority chassis|the MTU the topology declares)\b/;

/**
 * A failure message that says the machine, not the network, is at fault: a daemon that is not
 * running, a command that could not be run, a node that could not be read.
 */
const ENVIRONMENT_FAILURE = /\b(is not running|daemons? not running|could not be read|ENOENT|EACCES|spawn \S+|command not found|no such file|not installed|Cannot find module|failed to load)\b/i;

export function planeOf(suite: string | undefined, testName: string, message: string | undefined): Plane {
  if (message !== undefined && ENVIRONMENT_FAILURE.test(message)) return 'environment';
  if (CONTROL_PLANE_TEST.test(testName)) return 'control plane';
  if (DATA_PLANE_TEST.test(testName)) return 'data plane';
  return (suite !== undefined ? SUITE_CATALOG[suite]?.plane : undefined) ?? 'data plane';
}

/** The Allure label netproof puts the plane in; the report's categories group failures by it. */
export const PLANE_LABEL = 'plane';

/** Allure 3 categories: failures sorted by the plane they are in, flaky checks apart. */
export const FAILURE_CATEGORIES = [
  { id: 'environment', name: 'Environment problems (the machine, not the network)', matchers: { statuses: ['failed', 'broken'], labels: { [PLANE_LABEL]: 'environment' } } },
  { id: 'control-plane', name: 'Control-plane failures (sessions, routes, configuration)', matchers: { statuses: ['failed', 'broken'], labels: { [PLANE_LABEL]: 'control plane' } } },
  { id: 'data-plane', name: 'Data-plane failures (packets: reachability, MTU, ACLs, spread, loss)', matchers: { statuses: ['failed', 'broken'], labels: { [PLANE_LABEL]: 'data plane' } } },
  { id: 'flaky', name: 'Flaky (passed only on a retry)', matchers: { flaky: true } },
] as const;
