// Every equal-cost underlay path one TEP's packets take to another, from the kernels' own
// forwarding lookups. At each router on the way, `ip route get DST from SRC iif IN ipproto udp
// sport S dport D` answers with the next hop the multipath hash picks for that flow there (iif
// makes it a forwarding lookup, as for a packet arriving on IN). Walking a sample of source
// ports hop by hop splits them into the distinct paths, each with the ports that take it, so a
// probe can be sent down each path on purpose. An equal-cost next hop that no sampled flow takes
// is reported as a branch: routers that hash alike (the kernel's multipath hash has one seed for
// every namespace) always send a flow the same way at every tier, so half the spine→leaf links of
// a two-tier choice never carry a flow from one leaf pair to another. They still carry traffic
// once a failure reshapes a group, so the caller measures them from the router that has them.
// Pure: the lookups are handed in.
import type { LabLink } from '../model/topology.ts';

/** What one `ip route get` said: the device the node sends by, and the next hop's address. */
export interface RouteLookup {
  dev?: string;
  gateway?: string;
}

export interface NodeLookups {
  /** Per source port, where the node sends that flow; a port without an entry has no route. */
  byPort: ReadonlyMap<number, RouteLookup>;
  /** Every next hop of the node's route to the destination (its ECMP group), to tell one that no sampled port took. */
  nexthops: readonly RouteLookup[];
}

/** The node's lookups for `ports`; `iif` is where the flow arrives (undefined at the source: a local lookup). */
export type Lookup = (node: string, iif: string | undefined, ports: readonly number[]) => Promise<NodeLookups>;

export interface InterfaceRef {
  node: string;
  iface: string;
}

export interface PathHop {
  /** Where the packet leaves: the node's end of the link (a chassis' uplink, though its kernel names br-phy). */
  out: InterfaceRef;
  /** Where it arrives: the next node and its end of the link. */
  in: InterfaceRef;
  link: LabLink;
  /** The device the node's kernel sends by, when it is not the link's own interface (a chassis' br-phy). */
  dev?: string;
}

export interface UnderlayPath {
  src: string;
  dst: string;
  hops: PathHop[];
  /** The sampled source ports whose flow takes this path, ascending. */
  ports: number[];
}

/** An equal-cost next hop of a router on the way that no sampled flow took. */
export interface UntakenBranch {
  at: string;
  hop: PathHop;
  /** How the flows that reached `at` got there. */
  prefix: PathHop[];
}

export interface PathEnumeration {
  paths: UnderlayPath[];
  /** Next hops routers on the way have that no sampled flow took, once each. */
  untaken: UntakenBranch[];
  /** Lookups that lead nowhere: no route, a device on no link, a loop. */
  problems: string[];
}

export const ref = (node: string, iface: string): InterfaceRef => ({ node, iface });
const label = (r: InterfaceRef) => `${r.node}:${r.iface}`;

/**
 * The link a node's lookup sends the flow over. By the device when it is one of the node's link
 * interfaces; else by the next hop's owner (`owners`: address → "node:iface"), as for a chassis
 * whose kernel sends by br-phy and whose uplink OVS picks by the next hop's MAC.
 */
export function resolveHop(links: readonly LabLink[], owners: ReadonlyMap<string, string>, node: string, r: RouteLookup): PathHop | string {
  const hop = (l: LabLink, mine: number, dev?: string): PathHop => {
    const [o, i] = [l.endpoints[mine]!, l.endpoints[1 - mine]!];
    return { out: ref(o.node, o.iface), in: ref(i.node, i.iface), link: l, ...(dev && dev !== o.iface ? { dev } : {}) };
  };
  const endOf = (l: LabLink, n: string, iface?: string) => l.endpoints.findIndex((e) => e.node === n && (iface === undefined || e.iface === iface));
  if (r.dev) {
    const l = links.find((k) => endOf(k, node, r.dev) >= 0);
    if (l) return hop(l, endOf(l, node, r.dev));
  }
  const owner = r.gateway ? owners.get(r.gateway) : undefined;
  const said = `${r.dev ? `dev ${r.dev}` : 'no device'}${r.gateway ? ` via ${r.gateway}` : ''}`;
  if (!owner) return `${node}: the route leaves by ${said}, ${r.gateway ? 'an address no node of the lab has' : 'on no link of the topology'}`;
  const [peer, peerIface] = owner.split(':') as [string, string];
  const joins = (l: LabLink) => endOf(l, node) >= 0 && endOf(l, peer) >= 0 && node !== peer;
  // The link whose far end holds the address; a chassis keeps its addresses on br-phy, so else the one link between the two.
  const exact = links.filter((l) => joins(l) && endOf(l, peer, peerIface) >= 0);
  const between = exact.length ? exact : links.filter(joins);
  if (between.length !== 1) return `${node}: the route leaves by ${said} (${owner}), ${between.length ? `one of ${between.length} links to ${peer}: which one is not known` : `but no link joins ${node} and ${peer}`}`;
  return hop(between[0]!, endOf(between[0]!, node), r.dev);
}

/** Enough hops for any fabric: more means the flow loops. */
const MAX_HOPS = 16;

/**
 * Walk `ports` from `src` to `dst` (both node names) one router at a time, every branch at once:
 * the flows arriving at a router by one interface are looked up together, and split by where
 * that router sends each.
 */
export async function enumeratePaths(o: { src: string; dst: string; links: readonly LabLink[]; owners: ReadonlyMap<string, string>; ports: readonly number[]; lookup: Lookup }): Promise<PathEnumeration> {
  const paths: UnderlayPath[] = [];
  const untaken = new Map<string, UntakenBranch>();
  const problems = new Set<string>();
  type State = { node: string; iif?: string; hops: PathHop[]; ports: number[] };
  for (let level: State[] = [{ node: o.src, hops: [], ports: [...o.ports].sort((a, b) => a - b) }]; level.length; ) {
    const next = await Promise.all(
      level.map(async (s): Promise<State[]> => {
        if (s.node === o.dst) {
          paths.push({ src: o.src, dst: o.dst, hops: s.hops, ports: s.ports });
          return [];
        }
        if (s.hops.length >= MAX_HOPS || s.hops.some((h) => h.out.node === s.node)) {
          problems.add(`${o.src} → ${o.dst}: flows loop (${[...s.hops.map((h) => label(h.out)), s.node].join(' → ')})`);
          return [];
        }
        const found = await o.lookup(s.node, s.iif, s.ports);
        const branches = new Map<string, State>();
        for (const port of s.ports) {
          const r = found.byPort.get(port);
          const hop = r ? resolveHop(o.links, o.owners, s.node, r) : `${s.node} has no route to ${o.dst}'s TEP`;
          if (typeof hop === 'string') {
            problems.add(hop);
            continue;
          }
          const key = label(hop.out);
          const b = branches.get(key) ?? { node: hop.in.node, iif: hop.in.iface, hops: [...s.hops, hop], ports: [] };
          b.ports.push(port);
          branches.set(key, b);
        }
        for (const nh of found.nexthops) {
          const hop = resolveHop(o.links, o.owners, s.node, nh);
          if (typeof hop !== 'string' && !untaken.has(label(hop.out))) untaken.set(label(hop.out), { at: s.node, hop, prefix: s.hops });
        }
        return [...branches.values()];
      }),
    );
    level = next.flat();
  }
  paths.sort((a, b) => pathKey(a).localeCompare(pathKey(b), 'en', { numeric: true }));
  // Untaken: by no path at all (flows reaching the router another way may have taken it).
  for (const p of paths) for (const h of p.hops) untaken.delete(label(h.out));
  return { paths, untaken: [...untaken.values()].sort((a, b) => branchLabel(a).localeCompare(branchLabel(b), 'en', { numeric: true })), problems: [...problems] };
}

/** e.g. `host1 → host2 via host1:eth1 → leaf1:eth2 → spine2:eth3 → leaf3:eth3`: where the packet leaves each node. */
export function pathLabel(p: UnderlayPath): string {
  return `${p.src} → ${p.dst} via ${p.hops.map((h) => label(h.out)).join(' → ')}`;
}

/** e.g. `spine1:eth4 → leaf4`: where an untaken branch leaves, and to whom. */
export function branchLabel(b: Pick<UntakenBranch, 'hop'>): string {
  return `${label(b.hop.out)} → ${b.hop.in.node}`;
}

/** The routers in between, e.g. `leaf1-spine2-leaf3` (`direct` when there are none): names the path in figures. */
export function pathKey(p: UnderlayPath): string {
  return p.hops.slice(1).map((h) => h.out.node).join('-') || 'direct';
}

/**
 * Every interface a packet on the path crosses, "node:iface": each link's two ends (a veth drops
 * what exceeds its own MTU on either side), and the device a node's kernel sends by when it is
 * not the link's own (a chassis' br-phy: the probe leaves the sender's kernel by it).
 */
export function pathInterfaces(p: UnderlayPath): string[] {
  return p.hops.flatMap((h) => [...(h.dev ? [`${h.out.node}:${h.dev}`] : []), label(h.out), label(h.in)]);
}

/** The directed links a path sends over, by where it leaves each node: two paths that share one share a queue. */
export function pathEgresses(p: UnderlayPath): string[] {
  return p.hops.map((h) => label(h.out));
}

/**
 * Items in rounds, no two in a round sharing a key (first fit, in the given order): what can be
 * measured at once without two measurements crossing one link the same way.
 */
export function disjointRounds<T>(items: readonly T[], keysOf: (item: T) => readonly string[]): T[][] {
  const rounds: { items: T[]; used: Set<string> }[] = [];
  for (const item of items) {
    const keys = keysOf(item);
    let round = rounds.find((r) => keys.every((k) => !r.used.has(k)));
    if (!round) rounds.push((round = { items: [], used: new Set() }));
    round.items.push(item);
    for (const k of keys) round.used.add(k);
  }
  return rounds.map((r) => r.items);
}
