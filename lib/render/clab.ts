// The containerlab file for a planned Clos. Pure: returns the document as data;
// netproof's intent rides in node labels (containerlab rejects unknown top-level keys).
import type { ClosPlan, PlannedExternal, PlannedRouter, Tier } from '../plan/clos.ts';
import { OVN_ADDRESS_LABEL, TEP_LABEL } from '../model/overlay.ts';
import { EXTERNAL_TIER, MAX_PATHS_LABEL, TIER_LABEL } from '../model/topology.ts';
import { FRR_IMAGE } from './frr.ts';

/** Kernel settings every fabric router needs: forwarding, and L4 multipath hashing so flows spread over ECMP paths. */
export const ROUTER_SYSCTLS = {
  'net.ipv4.ip_forward': 1,
  'net.ipv4.fib_multipath_hash_policy': 1,
} as const;

/**
 * A dual-stack router forwards IPv6 and hashes it as it hashes IPv4 (the kernel's IPv6 default
 * hashes addresses and flow label only; the intent's `multipath.hash` covers both families).
 */
export const DUAL_STACK_SYSCTLS = {
  'net.ipv6.conf.all.forwarding': 1,
  'net.ipv6.fib_multipath_hash_policy': ROUTER_SYSCTLS['net.ipv4.fib_multipath_hash_policy'],
} as const;

/** Image for nodes that need more than FRR (OVS, OVN, probe tools): built locally from Debian packages. */
export const NODE_IMAGE = 'netproof/node:bookworm';

/**
 * The outside world's node: a bridge joins its links to the gateway chassis into one provider
 * segment, holding the network's gateway address. No default route: its traffic stays in the lab.
 */
export function externalExecLines(ext: PlannedExternal): string[] {
  const prefix = ext.subnet.split('/')[1];
  return [
    'ip link add br0 type bridge',
    ...ext.gateways.map((g) => `ip link set ${g.iface} master br0`),
    'ip link set br0 up',
    `ip addr add ${ext.address}/${prefix} dev br0`,
  ];
}

export function renderClab(plan: ClosPlan): Record<string, unknown> {
  const overlay = plan.overlay;
  const group = (tier: Tier | 'vm') => ({
    kind: 'linux',
    image: overlay && tier !== 'spine' && tier !== 'leaf' ? NODE_IMAGE : FRR_IMAGE,
    labels: { [TIER_LABEL]: tier },
    ...(tier === 'vm' ? {} : { sysctls: { ...ROUTER_SYSCTLS, ...(plan.addressFamilies !== 'ipv4' ? DUAL_STACK_SYSCTLS : {}) } }),
  });
  const tiers: (Tier | 'vm')[] = [...new Set(plan.routers.map((r) => r.tier)), ...(overlay ? (['vm'] as const) : [])];
  const labels = (r: PlannedRouter): Record<string, string> | undefined => {
    if (!overlay) return undefined;
    if (r.tier === 'compute') return { [TEP_LABEL]: r.routerId, [MAX_PATHS_LABEL]: String(r.maxPaths) };
    if (r.tier === 'ovn-central') return { [OVN_ADDRESS_LABEL]: r.routerId };
    return undefined;
  };
  const routerNodes = plan.routers.map((r) => {
    const l = labels(r);
    return [r.name, { group: r.tier, ...(l ? { labels: l } : {}), binds: [`${r.name}/frr.conf:/etc/frr/frr.conf`, `${r.name}/daemons:/etc/frr/daemons`] }] as const;
  });
  const vmNodes = (overlay?.vms ?? []).map((vm) => [vm.name, { group: 'vm' }] as const);
  const vmLinks = (overlay?.vms ?? []).map((vm) => ({ endpoints: [`${vm.name}:eth1`, `${vm.host}:${vm.hostIface}`] }));
  const ext = overlay?.external;
  const extNodes = ext ? [[ext.node, { kind: 'linux', image: NODE_IMAGE, labels: { [TIER_LABEL]: EXTERNAL_TIER }, exec: externalExecLines(ext) }] as const] : [];
  const extLinks = (ext?.gateways ?? []).map((g) => ({ endpoints: [`${ext!.node}:${g.iface}`, `${g.host}:${g.hostIface}`], mtu: ext!.mtu }));
  return {
    name: plan.name,
    topology: {
      groups: Object.fromEntries(tiers.map((t) => [t, group(t)])),
      nodes: Object.fromEntries([...routerNodes, ...vmNodes, ...extNodes]),
      links: [...plan.links.map((l) => ({ endpoints: [`${l.a.node}:${l.a.iface}`, `${l.b.node}:${l.b.iface}`], mtu: l.mtu })), ...vmLinks, ...extLinks],
    },
  };
}
