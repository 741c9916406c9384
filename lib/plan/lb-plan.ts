// What the load-balancer suite expects, derived from the intent alone: who connects to each VIP
// (a tenant VM on every switch of its router that is not a backend, and the outside world where
// the VIP is on the provider network), and the time budgets the declared health check implies.
// Pure.
import type { HealthCheck, LoadBalancer, Overlay, VmPort } from '../model/overlay.ts';
import { judge } from './acl-matrix.ts';

/**
 * Connections per client and VIP for the spread test. The suite runs many times in every CI job,
 * so a healthy hash must almost never fail it (LB_ALPHA) while a real skew still does: over two
 * backends, 256 connections at α = 0.00001 ÷ 2 catch a 70/30 split 98 % of the time and 65/35
 * 60 %; 64 at α = 0.001 ÷ 2 caught them 43 % and 15 % of the time, and two CI runs failed on a
 * healthy 46/18 split (p = 6e-4, exact).
 */
export const LB_CONNECTIONS = 256;

/** The suite's significance for the spread test, shared by its spreads (Bonferroni). */
export const LB_ALPHA = 1e-5;

/** Connections in flight at once from one client: the 64 of one burst that never lost a SYN in CI. */
export const LB_IN_FLIGHT = 64;

/**
 * How long a connection may take to be answered: past Linux's second SYN retransmission (1 s,
 * then 3 s), so one SYN lost on a busy host is recovered as TCP recovers it. A backend that
 * answers nothing still fails every connection sent to it. (At 2 s, one retransmission, a CI
 * run whose machine was also running other work lost one connection of 256.)
 */
export const LB_ANSWER_TIMEOUT_MS = 3_500;

/** Connections after a health-check change: enough to see a backend used or not, no spread test. */
export const LB_FOLLOW_UP_CONNECTIONS = 32;

/**
 * Time OVN takes to act on a service monitor's verdict: the southbound status goes to northd,
 * which rewrites the load balancer's flows, which every chassis installs. Stated, not measured.
 */
export const OVN_PROPAGATION_ALLOWANCE_MS = 1000;

export interface LbClient {
  node: string;
  kind: 'tenant' | 'outside';
}

/** `web (172.24.4.50:80/tcp)`. */
export const lbLabel = (lb: Pick<LoadBalancer, 'name' | 'vip' | 'port' | 'protocol'>) => `${lb.name} (${lb.vip}:${lb.port}/${lb.protocol})`;

/**
 * The clients of a VIP: on each switch of its router, the first VM that is not a backend and
 * whose security groups let it reach every backend (its egress to the VIP, each backend's
 * ingress from it), then the outside world's node if the VIP is exposed and the backends admit it.
 */
export function lbClients(overlay: Overlay, lb: LoadBalancer): LbClient[] {
  const router = overlay.routers.find((r) => r.name === lb.router)!;
  const backends = lb.backends.map((b) => overlay.vms.find((v) => v.name === b)!);
  const admitted = (from: { name: string; ip: string }) => backends.every((b) => judge(overlay, b, 'ingress', { protocol: lb.protocol, port: lb.backendPort }, from).ok);
  const sends = (vm: VmPort) => judge(overlay, vm, 'egress', { protocol: lb.protocol, port: lb.port }, { name: `VIP ${lb.name}`, ip: lb.vip }).ok;
  const clients: LbClient[] = [];
  for (const sw of router.switches) {
    const vm = overlay.vms.find((v) => v.switch === sw && !lb.backends.includes(v.name) && sends(v) && admitted(v));
    if (vm) clients.push({ node: vm.name, kind: 'tenant' });
  }
  if (lb.exposed && router.gateway) {
    const provider = overlay.providers.find((p) => p.name === router.gateway!.network)!;
    if (admitted({ name: provider.node, ip: provider.gateway })) clients.push({ node: provider.node, kind: 'outside' });
  }
  return clients;
}

/**
 * How long a backend whose service stops may keep its share: OVN probes it every `interval`
 * and takes it out after `failure-count` failures in a row, the last of which may wait out
 * `timeout` (a refused connection fails at once); then OVN applies the verdict.
 */
export function removalBudgetMs(hc: HealthCheck): number {
  return (hc.failureCount * hc.intervalS + hc.timeoutS) * 1000 + OVN_PROPAGATION_ALLOWANCE_MS;
}

/** How long a restored backend may wait for its share: `success-count` answered probes, `interval` apart, then OVN applies it. */
export function returnBudgetMs(hc: HealthCheck): number {
  return hc.successCount * hc.intervalS * 1000 + OVN_PROPAGATION_ALLOWANCE_MS;
}

/** The budget rule in words, for messages and the report. */
export function removalBudgetText(hc: HealthCheck): string {
  return `${hc.failureCount} failures × ${hc.intervalS} s interval + ${hc.timeoutS} s timeout + ${OVN_PROPAGATION_ALLOWANCE_MS / 1000} s for OVN to apply it`;
}
