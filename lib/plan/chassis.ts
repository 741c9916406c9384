// The physical side of the overlay, derived from the topology: which node is the OVN central,
// and for each compute host (an OVN chassis) its TEP, its uplinks (owned by the underlay bridge
// br-phy) and its VM ports (on the integration bridge br-int). Pure.
import { Address4 } from 'ip-address';
import type { Problem } from '../errors.ts';
import { OVN_ADDRESS_LABEL, OVN_SB_PORT, TEP_LABEL } from '../model/overlay.ts';
import { COMPUTE_TIER, EXTERNAL_TIER, OVN_CENTRAL_TIER, VM_TIER, type LabNode, type Topology } from '../model/topology.ts';

export interface ChassisPlan {
  node: string;
  /** GENEVE tunnel endpoint (the host's /32 loopback), without prefix length. */
  tep: string;
  /** Where ovn-controller finds the southbound DB, e.g. tcp:10.255.3.1:6642. */
  ovnRemote: string;
  /** br-phy's MAC, pinned so it survives restarts and is the same on every runtime. */
  hwaddr: string;
  uplinks: { iface: string; peer: { node: string; iface: string } }[];
  vmPorts: { iface: string; vm: string; vmIface: string }[];
  /**
   * Provider networks this chassis can carry: one OVS bridge per external node it is linked to,
   * owning the link, mapped by the node's name (ovn-bridge-mappings=ext:br-ex1).
   */
  externalPorts: { iface: string; bridge: string; network: string; peer: { node: string; iface: string } }[];
}

export interface CentralPlan {
  node: string;
  address: string;
}

export interface OverlayNodes {
  central: CentralPlan;
  chassis: ChassisPlan[];
}

type TopologyLike = Pick<Topology, 'nodes' | 'links'>;

/** Stable locally administered MAC from a name (FNV-1a). */
export function macFor(name: string): string {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(name)) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  const bytes = [0x02, 0x4e, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const isIpv4 = (s: string | undefined): s is string => s !== undefined && !s.includes('/') && Address4.isValid(s);

/** Problems with the overlay's physical side; checked before anything is deployed. */
export function overlayTopologyProblems(topology: Topology): Problem[] {
  const problems: Problem[] = [];
  const at = (node: LabNode, message: string, fix: string) =>
    problems.push({ file: topology.file, ...topology.locate(['topology', 'nodes', node.name]), field: `topology.nodes.${node.name}`, message, fix });
  const centrals = topology.nodes.filter((n) => n.tier === OVN_CENTRAL_TIER);
  if (centrals.length !== 1) {
    problems.push({
      file: topology.file,
      ...topology.locate(['topology', 'nodes']),
      field: 'topology.nodes',
      message: `an overlay needs exactly one node labelled netproof.role: ${OVN_CENTRAL_TIER} (found ${centrals.length}${centrals.length ? `: ${centrals.map((n) => n.name).join(', ')}` : ''})`,
      fix: `label one node netproof.role: ${OVN_CENTRAL_TIER} and ${OVN_ADDRESS_LABEL}: <its loopback address>`,
    });
  }
  for (const c of centrals) {
    if (!isIpv4(c.labels[OVN_ADDRESS_LABEL])) at(c, `the OVN central has no valid ${OVN_ADDRESS_LABEL} label (got ${JSON.stringify(c.labels[OVN_ADDRESS_LABEL] ?? null)})`, `add the label ${OVN_ADDRESS_LABEL}: <the address chassis reach it at, e.g. its loopback>`);
  }
  for (const n of topology.nodes.filter((x) => x.tier === COMPUTE_TIER)) {
    if (!isIpv4(n.labels[TEP_LABEL])) at(n, `compute host ${n.name} has no valid ${TEP_LABEL} label (got ${JSON.stringify(n.labels[TEP_LABEL] ?? null)})`, `add the label ${TEP_LABEL}: <its /32 loopback address, without /32>`);
    if (n.role !== 'router') at(n, `compute host ${n.name} does not run FRR`, 'give it an FRR configuration (its TEP must be advertised by BGP)');
  }
  return problems;
}

export function planOverlayNodes(topology: TopologyLike): OverlayNodes {
  const byName = new Map(topology.nodes.map((n) => [n.name, n]));
  const central = topology.nodes.find((n) => n.tier === OVN_CENTRAL_TIER);
  if (!central) throw new Error('planOverlayNodes: no OVN central node (check overlayTopologyProblems first)');
  const address = central.labels[OVN_ADDRESS_LABEL]!;
  const chassis = topology.nodes
    .filter((n) => n.tier === COMPUTE_TIER)
    .map((n): ChassisPlan => {
      const plan: ChassisPlan = { node: n.name, tep: n.labels[TEP_LABEL]!, ovnRemote: `tcp:${address}:${OVN_SB_PORT}`, hwaddr: macFor(`${n.name}/br-phy`), uplinks: [], vmPorts: [], externalPorts: [] };
      for (const l of topology.links) {
        const [mine, other] = l.endpoints[0].node === n.name ? l.endpoints : l.endpoints[1].node === n.name ? [l.endpoints[1], l.endpoints[0]] : [];
        if (!mine || !other) continue;
        const peer = byName.get(other.node);
        if (peer?.tier === VM_TIER) plan.vmPorts.push({ iface: mine.iface, vm: other.node, vmIface: other.iface });
        else if (peer?.role === 'router') plan.uplinks.push({ iface: mine.iface, peer: { node: other.node, iface: other.iface } });
        else if (peer?.tier === EXTERNAL_TIER) {
          const bridge = `br-ex${plan.externalPorts.length + 1}`;
          plan.externalPorts.push({ iface: mine.iface, bridge, network: other.node, peer: { node: other.node, iface: other.iface } });
        }
      }
      return plan;
    });
  return { central: { node: central.name, address }, chassis };
}

/**
 * The far ends of the veths a chassis' OVS reads (uplinks, VM ports, provider-network links):
 * checksum offload there leaves TCP/UDP checksums unfilled in what OVS forwards, so those
 * ends fill them in software (ethtool -K IFACE tx off; see DESIGN, overlay note 4).
 */
export function sendingEndsOf(c: ChassisPlan): { node: string; iface: string }[] {
  return [...c.uplinks.map((u) => u.peer), ...c.vmPorts.map((p) => ({ node: p.vm, iface: p.vmIface })), ...c.externalPorts.map((e) => e.peer)];
}
