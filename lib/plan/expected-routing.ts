// What a converged eBGP fabric must look like, derived from the topology alone: which
// sessions exist, and for every router and every loopback, the next hops BGP must install.
// Pure: the suite feeds it the facts it discovered (ASNs, loopbacks) and compares.
//
// The model: every router-to-router link carries one eBGP session. A route crosses a path
// x0 ← x1 ← … ← xk (xk owns the loopback) only if no router on it sees its own ASN again
// (AS-path loop prevention: e.g. spines sharing an ASN never learn each other's loopbacks)
// and every intermediate router is transit (hosts only originate). BGP prefers the shortest
// AS path; with multipath (as-path multipath-relax) every shortest path's first link is a
// next hop, up to the router's maximum-paths.

/** The address family of a prefix or address: 6 when it is IPv6 (a dual-stack router's IPv6 loopback). */
export const familyOf = (prefixOrAddress: string): 4 | 6 => (prefixOrAddress.includes(':') ? 6 : 4);

/** The address of a host route (a loopback /32 or /128), without its length. */
export const hostAddress = (prefix: string): string => prefix.replace(familyOf(prefix) === 6 ? /\/128$/ : /\/32$/, '');

/** The host route (/32 or /128) of an address. */
export const hostPrefix = (address: string): string => `${address}/${familyOf(address) === 6 ? 128 : 32}`;

/**
 * The family probes run in (ECMP flows, failover streams): IPv4 in an IPv4 or dual-stack fabric
 * (a dual-stack lab's IPv6 probes twin the IPv4 ones), IPv6 in an IPv6-only one. The intent
 * refuses a router without IPv4 among routers with it.
 */
export const probeFamily = (routers: readonly { loopbacks: readonly string[] }[]): 4 | 6 => (routers.some((r) => r.loopbacks.some((l) => familyOf(l) === 4)) || !routers.some((r) => r.loopbacks.length) ? 4 : 6);

/** The routes of one family. */
export const routesIn = <R extends { prefix: string }>(family: 4 | 6, routes: readonly R[]): R[] => routes.filter((r) => familyOf(r.prefix) === family);

/** The IPv4 ones of a router's loopbacks (its first is its TEP on a compute host). */
export const ipv4Loopbacks = (loopbacks: readonly string[]): string[] => loopbacks.filter((l) => familyOf(l) === 4);

/** The IPv6 ones (a dual-stack router's). */
export const ipv6Loopbacks = (loopbacks: readonly string[]): string[] => loopbacks.filter((l) => familyOf(l) === 6);

export interface RouterFacts {
  name: string;
  asn: number;
  /** False for hosts: they advertise their own loopback only. */
  transit: boolean;
  /** The ECMP width the router is meant to use; 64 (FRR's maximum) if not stated. */
  maxPaths?: number;
  loopbacks: string[];
  /** Declared link bandwidths (Mbit/s) by local interface: the routes learned there are weighted (WCMP). */
  linkBandwidthMbps?: Record<string, number>;
}

export interface FabricLink {
  a: { node: string; iface: string };
  b: { node: string; iface: string };
}

/** The eBGP session one end of a fabric link must have with the other. */
export interface ExpectedSession {
  at: string;
  iface: string;
  neighbor: string;
  neighborIface: string;
  /** The neighbor's address on the link: the BGP peer address; on an unnumbered link, the local interface (FRR names such a peer by it). */
  peerAddress: string;
  /** BGP unnumbered (RFC 5549): the link has no IPv4 subnet, the session runs over the interface's IPv6 link-local address. */
  unnumbered?: true;
}

/** How a culprit line names a session: by peer address, or by both interfaces when it is unnumbered (`leaf1:eth1 ↔ spine1:eth1`). */
export function sessionWhere(s: ExpectedSession): string {
  return s.unnumbered ? `${s.at}:${s.iface} ↔ ${s.neighbor}:${s.neighborIface}` : `${s.at} → ${s.neighbor} (${s.peerAddress}) over ${s.iface}`;
}

/** Whether a BFD peer of `s.at` (from `show bfd peers json`) is the session's: by address, or on an unnumbered link by interface (its peer is a link-local address). */
export function isSessionPeer(s: ExpectedSession, p: { peer: string; interface?: string }): boolean {
  return s.unnumbered ? p.interface === s.iface : p.peer === s.peerAddress;
}

export interface ExpectedNexthop {
  /** Local interface the next hop is through. */
  iface: string;
  /** The neighbor reached through it. */
  neighbor: string;
  neighborIface: string;
  /** On a weighted route: the bandwidth declared for this interface, and its share of the route's traffic. */
  weight?: { bandwidthMbps: number; share: number };
}

export interface ExpectedRoute {
  at: string;
  prefix: string;
  owner: string;
  /** Every link a shortest valid path starts on. */
  candidates: ExpectedNexthop[];
  /** How many next hops must be installed: candidates, capped by maximum-paths. */
  width: number;
  /** AS-path length of the best path. */
  hops: number;
  /**
   * Weighted ECMP: every next hop's interface has a declared link bandwidth, so each candidate
   * carries its share (bandwidth over the route's total). Not when maximum-paths leaves some out:
   * which ones BGP keeps is its choice.
   */
  weighted?: true;
  /** The routing protocol that must install it: BGP unless said (an OSPF underlay's routes: `ospf`). */
  protocol?: 'bgp' | 'ospf';
  /** How culprit lines name the prefix; default `PREFIX (loopback of OWNER)`. */
  description?: string;
}

export const DEFAULT_MAX_PATHS = 64;

/**
 * The candidates with their declared shares, when the route is weighted: more than one next hop,
 * all installed, every one's interface with a declared bandwidth. Otherwise undefined: a route
 * with a next hop of no declared bandwidth is plain ECMP (FRR weighs only when every path has one).
 */
function weighCandidates(candidates: ExpectedNexthop[], width: number, bandwidths: Record<string, number> | undefined): ExpectedNexthop[] | undefined {
  if (!bandwidths || candidates.length < 2 || width < candidates.length) return undefined;
  if (!candidates.every((c) => bandwidths[c.iface] !== undefined)) return undefined;
  const total = candidates.reduce((n, c) => n + bandwidths[c.iface]!, 0);
  return candidates.map((c) => ({ ...c, weight: { bandwidthMbps: bandwidths[c.iface]!, share: bandwidths[c.iface]! / total } }));
}

export function expectedRoutes(routers: RouterFacts[], links: FabricLink[]): ExpectedRoute[] {
  const byName = new Map(routers.map((r) => [r.name, r]));
  const adjacency = new Map<string, ExpectedNexthop[]>();
  for (const l of links) {
    if (!byName.has(l.a.node) || !byName.has(l.b.node)) continue;
    const add = (from: { node: string; iface: string }, to: { node: string; iface: string }) => {
      const list = adjacency.get(from.node) ?? [];
      list.push({ iface: from.iface, neighbor: to.node, neighborIface: to.iface });
      adjacency.set(from.node, list);
    };
    add(l.a, l.b);
    add(l.b, l.a);
  }

  const out: ExpectedRoute[] = [];
  for (const at of routers) {
    // Breadth-first over simple paths, level by level; `found` keeps the first (shortest)
    // level at which each owner was reached and the first links of every path at that level.
    type Walk = { node: string; asns: Set<number>; visited: Set<string>; first: ExpectedNexthop };
    const found = new Map<string, { hops: number; first: Map<string, ExpectedNexthop> }>();
    let level: Walk[] = (adjacency.get(at.name) ?? []).map((nh) => ({
      node: nh.neighbor,
      asns: new Set([at.asn]),
      visited: new Set([at.name]),
      first: nh,
    }));
    for (let hops = 1; level.length && found.size < routers.length - 1; hops++) {
      const next: Walk[] = [];
      for (const w of level) {
        const r = byName.get(w.node)!;
        if (w.asns.has(r.asn) || w.visited.has(r.name)) continue; // AS-path loop or cycle
        const seen = found.get(r.name);
        if (!seen || seen.hops === hops) {
          const entry = seen ?? { hops, first: new Map() };
          entry.first.set(`${w.first.iface}`, w.first);
          found.set(r.name, entry);
        }
        if (!r.transit) continue;
        const asns = new Set(w.asns).add(r.asn);
        const visited = new Set(w.visited).add(r.name);
        for (const nh of adjacency.get(r.name) ?? []) next.push({ node: nh.neighbor, asns, visited, first: w.first });
      }
      level = next;
    }
    for (const [ownerName, { hops, first }] of found) {
      const owner = byName.get(ownerName)!;
      const candidates = [...first.values()].sort((x, y) => x.iface.localeCompare(y.iface, 'en', { numeric: true }));
      const width = Math.min(candidates.length, at.maxPaths ?? DEFAULT_MAX_PATHS);
      const weighted = weighCandidates(candidates, width, at.linkBandwidthMbps);
      for (const prefix of owner.loopbacks) out.push({ at: at.name, prefix, owner: ownerName, candidates: weighted ?? candidates, width, hops, ...(weighted ? { weighted: true as const } : {}) });
    }
  }
  return out;
}
