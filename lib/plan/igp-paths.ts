// What a link-state IGP (OSPF, IS-IS) computes from a declared topology: shortest paths over the
// expected adjacencies by their declared costs, and, per router, the equal-cost first hops to
// every prefix another router advertises. Shared by lib/plan/ospf.ts and lib/plan/isis.ts. Pure.
import { Address4 } from 'ip-address';

/** A topology link, as lab.topology.links holds it. */
export type Link = { endpoints: readonly [{ node: string; iface: string }, { node: string; iface: string }] };

/** One direction of an expected adjacency: `at` reaches `neighbor` out of `iface`. */
export interface IgpEdge {
  at: string;
  iface: string;
  neighbor: string;
}

export interface IgpRoute {
  at: string;
  prefix: string;
  /** The routers that advertise it (attached to the subnet, or owning the loopback). */
  advertisedBy: string[];
  /** Equal-cost next hops: one per first hop on a shortest path. */
  width: number;
  via: { iface: string; neighbor: string }[];
}

/** The subnet of an interface address: 192.168.1.1/24 → 192.168.1.0/24. */
export const subnetOf = (cidr: string) => {
  const a = new Address4(cidr);
  return `${a.startAddress().correctForm()}/${a.subnetMask}`;
};

/** Every router carries traffic for others unless said (IS-IS's overload bit). */
const everyRouterTransit = () => true;

/** Dijkstra over the edges, each hop costing its outgoing interface's cost; a router that is not `transit` is a dead end (but for `from`). */
export function shortestDistances(
  from: string,
  routers: readonly string[],
  edges: readonly IgpEdge[],
  costOf: (node: string, iface: string) => number,
  transit: (node: string) => boolean = everyRouterTransit,
): Map<string, number> {
  const dist = new Map<string, number>(routers.map((r) => [r, r === from ? 0 : Infinity]));
  const done = new Set<string>();
  while (done.size < routers.length) {
    const next = routers.filter((r) => !done.has(r)).sort((a, b) => dist.get(a)! - dist.get(b)!)[0]!;
    if (!Number.isFinite(dist.get(next)!)) break;
    done.add(next);
    if (next !== from && !transit(next)) continue;
    for (const e of edges.filter((x) => x.at === next)) {
      const d = dist.get(next)! + costOf(next, e.iface);
      if (dist.has(e.neighbor) && d < dist.get(e.neighbor)!) dist.set(e.neighbor, d);
    }
  }
  return dist;
}

/**
 * Every advertised prefix at every router that reaches one of its advertisers, with the first
 * hops of its shortest paths. `advertised`: prefix → advertising router → the cost it adds to
 * the prefix. `skip(at, prefix)` leaves out what a router does not learn this way (by default:
 * a prefix it advertises itself). A router that is not `transit` is reached, never crossed.
 */
export function shortestPathRoutes(
  routers: readonly string[],
  edges: readonly IgpEdge[],
  costOf: (node: string, iface: string) => number,
  advertised: ReadonlyMap<string, ReadonlyMap<string, number>>,
  skip: (at: string, prefix: string, owners: ReadonlyMap<string, number>) => boolean = (at, _prefix, owners) => owners.has(at),
  transit: (node: string) => boolean = everyRouterTransit,
): IgpRoute[] {
  const memo = new Map<string, Map<string, number>>();
  const distancesFrom = (r: string) => memo.get(r) ?? memo.set(r, shortestDistances(r, routers, edges, costOf, transit)).get(r)!;
  const out: IgpRoute[] = [];
  for (const at of routers) {
    const mine = edges.filter((x) => x.at === at);
    for (const [prefix, owners] of advertised) {
      if (skip(at, prefix, owners)) continue;
      const toPrefix = (d: Map<string, number>) => Math.min(...[...owners].map(([r, c]) => (d.get(r) ?? Infinity) + c));
      const best = toPrefix(distancesFrom(at));
      if (!Number.isFinite(best)) continue;
      // Distance through each neighbor of `at`: the link, then the neighbor's own distance to it
      // (a neighbor that is not transit only to what it advertises itself).
      const onward = (n: string) => (transit(n) ? toPrefix(distancesFrom(n)) : (owners.get(n) ?? Infinity));
      const via = mine.filter((e) => costOf(at, e.iface) + onward(e.neighbor) === best).map((e) => ({ iface: e.iface, neighbor: e.neighbor }));
      out.push({ at, prefix, advertisedBy: [...owners.keys()].sort(), width: via.length, via });
    }
  }
  return out;
}
