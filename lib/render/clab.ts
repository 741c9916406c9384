// The containerlab file for a planned Clos. Pure: returns the document as data;
// netproof's intent rides in node labels (containerlab rejects unknown top-level keys).
import type { ClosPlan, Tier } from '../plan/clos.ts';
import { TIER_LABEL } from '../topology/model.ts';
import { FRR_IMAGE } from './frr.ts';

/** Kernel settings every fabric router needs: forwarding, and L4 multipath hashing so flows spread over ECMP paths. */
export const ROUTER_SYSCTLS = {
  'net.ipv4.ip_forward': 1,
  'net.ipv4.fib_multipath_hash_policy': 1,
} as const;

export function renderClab(plan: ClosPlan): Record<string, unknown> {
  const group = (tier: Tier) => ({
    kind: 'linux',
    image: FRR_IMAGE,
    labels: { [TIER_LABEL]: tier },
    sysctls: { ...ROUTER_SYSCTLS },
  });
  const tiers = [...new Set(plan.routers.map((r) => r.tier))];
  return {
    name: plan.name,
    topology: {
      groups: Object.fromEntries(tiers.map((t) => [t, group(t)])),
      nodes: Object.fromEntries(
        plan.routers.map((r) => [
          r.name,
          { group: r.tier, binds: [`${r.name}/frr.conf:/etc/frr/frr.conf`, `${r.name}/daemons:/etc/frr/daemons`] },
        ]),
      ),
      links: plan.links.map((l) => ({ endpoints: [`${l.a.node}:${l.a.iface}`, `${l.b.node}:${l.b.iface}`], mtu: l.mtu })),
    },
  };
}
