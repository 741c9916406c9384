// What an IS-IS underlay must look like, from what the user wrote: each router's frr.conf
// (`router isis NAME` with its `net` and `is-type`; per interface its addresses,
// `ip router isis NAME`, `isis passive`, `isis metric`, `isis circuit-type`,
// `isis network point-to-point`) and the topology's links. From those: the adjacency every
// router-to-router link both ends put in IS-IS must have, at the levels both ends share, and
// every prefix the routers advertise, with the ECMP width the shortest paths imply at every
// other router. Never read from the running routers. Pure.
import { frrConfLines } from './frr-conf-lines.ts';
import { shortestPathRoutes, subnetOf, type IgpEdge, type IgpRoute, type Link } from './igp-paths.ts';

export type IsisLevel = 1 | 2;

export interface IsisInstance {
  /** The area tag of `router isis NAME`: local to the router, named again by its interfaces. */
  name: string;
  /** Area addresses of its `net` lines, e.g. 49.0001 from 49.0001.0000.0000.0001.00. */
  areas: string[];
  /** The levels its `is-type` runs (FRR's default: level-1-2). */
  levels: IsisLevel[];
  /** `set-overload-bit`: the others reach the router's own prefixes, never through it. */
  overload?: boolean;
}

export interface IsisInterface {
  /** Every `ip address A/L` of the interface. */
  addresses: string[];
  /** `ip router isis NAME`. */
  instance?: string;
  /** `isis passive`: advertised, no adjacency. */
  passive?: boolean;
  /** `isis metric N`, or per level `isis metric level-1 N`. */
  metric?: Partial<Record<IsisLevel, number>>;
  /** `isis circuit-type …` (FRR's default: level-1-2). */
  circuitLevels?: IsisLevel[];
  /** `isis network point-to-point`; broadcast otherwise. */
  pointToPoint?: boolean;
}

export interface IsisConfig {
  router: string;
  instances: Record<string, IsisInstance>;
  interfaces: Record<string, IsisInterface>;
}

/** FRR's IS-IS metric where the configuration gives none. */
export const DEFAULT_ISIS_METRIC = 10;

const LEVELS: Record<string, IsisLevel[]> = { 'level-1': [1], 'level-1-2': [1, 2], 'level-2-only': [2], 'level-2': [2] };

/** The area address of a NET: all but its system ID (6 bytes) and NSEL: 49.0001.0000.0000.0001.00 → 49.0001. */
export const areaOfNet = (net: string) => net.toLowerCase().split('.').slice(0, -4).join('.');

/** The IS-IS part of one router's integrated frr.conf, or undefined when it has no `router isis`. */
export function parseIsisConfig(router: string, frrConf: string): IsisConfig | undefined {
  const interfaces: Record<string, IsisInterface> = {};
  const instances: Record<string, IsisInstance> = {};
  for (const { line, block, opens } of frrConfLines(frrConf)) {
    const isis = block?.kind === 'router' ? /^router isis (\S+)( vrf default)?$/.exec(block.header)?.[1] : undefined;
    let m: RegExpExecArray | null;
    if (opens) {
      if (block!.kind === 'interface') interfaces[block!.name] ??= { addresses: [] };
      else if (isis) instances[isis] ??= { name: isis, areas: [], levels: [1, 2] };
    } else if (block?.kind === 'interface') {
      const i = interfaces[block.name]!;
      if ((m = /^ip address (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(line))) i.addresses.push(m[1]!);
      else if ((m = /^ip router isis (\S+)/.exec(line))) i.instance = m[1];
      else if (line === 'isis passive') i.passive = true;
      else if ((m = /^isis metric (?:(level-[12]) )?(\d+)$/.exec(line))) {
        const levels: IsisLevel[] = m[1] ? [m[1] === 'level-1' ? 1 : 2] : [1, 2];
        for (const l of levels) (i.metric ??= {})[l] = Number(m[2]);
      } else if ((m = /^isis circuit-type (\S+)/.exec(line)) && LEVELS[m[1]!]) i.circuitLevels = LEVELS[m[1]!];
      else if (line === 'isis network point-to-point') i.pointToPoint = true;
    } else if (isis) {
      const inst = instances[isis]!;
      if ((m = /^net (\S+)/.exec(line))) inst.areas.push(areaOfNet(m[1]!));
      else if ((m = /^is-type (\S+)/.exec(line)) && LEVELS[m[1]!]) inst.levels = LEVELS[m[1]!]!;
      else if (line === 'set-overload-bit') inst.overload = true;
    }
  }
  return Object.keys(instances).length ? { router, instances, interfaces } : undefined;
}

/** The instance an interface runs IS-IS in: the one its `ip router isis NAME` names, when the router defines it. */
export function instanceOf(c: IsisConfig, iface: string): IsisInstance | undefined {
  const name = c.interfaces[iface]?.instance;
  return name !== undefined ? c.instances[name] : undefined;
}

/** The levels IS-IS runs at on an interface: its instance's is-type and its circuit-type both allow them. Empty when IS-IS does not run on it. */
export function levelsOf(c: IsisConfig, iface: string): IsisLevel[] {
  const inst = instanceOf(c, iface);
  if (!inst) return [];
  const circuit = c.interfaces[iface]?.circuitLevels ?? [1, 2];
  return inst.levels.filter((l) => circuit.includes(l));
}

export const metricOf = (c: IsisConfig | undefined, iface: string, level: IsisLevel) => c?.interfaces[iface]?.metric?.[level] ?? DEFAULT_ISIS_METRIC;

export interface IsisAdjacency {
  at: string;
  iface: string;
  neighbor: string;
  neighborIface: string;
  /** The levels the adjacency forms at: both ends run them, and level 1 only within one area. */
  levels: IsisLevel[];
  /** The neighbor's address on the link as its frr.conf declares it, to tell it from another neighbor. */
  neighborAddress?: string;
  /** Set when one end declares `isis network point-to-point` and the other not: such ends do not form an adjacency. */
  networkMismatch?: boolean;
}

/** The address of `iface` on the same subnet as one of `other`'s, else its first, else none (unnumbered). */
function addressOnLink(c: IsisConfig, iface: string, other: IsisConfig, otherIface: string): string | undefined {
  const mine = c.interfaces[iface]?.addresses ?? [];
  const theirs = other.interfaces[otherIface]?.addresses ?? [];
  const same = mine.find((a) => theirs.some((b) => subnetOf(a) === subnetOf(b)));
  return (same ?? mine[0])?.split('/')[0];
}

/**
 * Both ends of a router-to-router link run IS-IS on it, neither passive, at a level both can
 * form (level 2, or level 1 with an area address in common): an adjacency each way. A network
 * type declared at one end only is still expected (the mismatch is the user's to see, named by
 * the failing adjacency).
 */
export function expectedIsisAdjacencies(configs: ReadonlyMap<string, IsisConfig>, links: readonly Link[]): IsisAdjacency[] {
  const out: IsisAdjacency[] = [];
  for (const { endpoints: [a, b] } of links) {
    const [ca, cb] = [configs.get(a.node), configs.get(b.node)];
    if (!ca || !cb || ca.interfaces[a.iface]?.passive || cb.interfaces[b.iface]?.passive) continue;
    const [la, lb] = [levelsOf(ca, a.iface), levelsOf(cb, b.iface)];
    const shareArea = (instanceOf(ca, a.iface)?.areas ?? []).some((x) => instanceOf(cb, b.iface)?.areas.includes(x));
    const levels = la.filter((l) => lb.includes(l) && (l === 2 || shareArea));
    if (!levels.length) continue;
    const mismatch = !!ca.interfaces[a.iface]?.pointToPoint !== !!cb.interfaces[b.iface]?.pointToPoint;
    const one = (x: typeof a, cx: IsisConfig, y: typeof b, cy: IsisConfig): IsisAdjacency => {
      const neighborAddress = addressOnLink(cy, y.iface, cx, x.iface);
      return { at: x.node, iface: x.iface, neighbor: y.node, neighborIface: y.iface, levels, ...(neighborAddress ? { neighborAddress } : {}), ...(mismatch ? { networkMismatch: true } : {}) };
    };
    out.push(one(a, ca, b, cb), one(b, cb, a, ca));
  }
  return out;
}

/** A prefix expected at a router from IS-IS: who advertises it, the first hops of its shortest paths, and the level it is learned at. */
export interface IsisRoute extends IgpRoute {
  level: IsisLevel;
}

/**
 * Every prefix an IS-IS router advertises (each address of an interface IS-IS runs on, passive
 * or not, with that interface's metric), expected at every IS-IS router that learns it at a
 * level both run, with the next hops of its shortest paths over the expected adjacencies of that
 * level (each interface's declared metric, else DEFAULT_ISIS_METRIC), never through a router
 * that sets the overload bit. A level-1 route wins over
 * a level-2 one. Not expected: a prefix connected at the router itself, and what crosses levels
 * (level-1 prefixes leaked into level 2, the default route towards an attached router), which
 * depends on more than the declared adjacencies.
 */
export function expectedIsisRoutes(configs: ReadonlyMap<string, IsisConfig>, links: readonly Link[]): IsisRoute[] {
  const adjacencies = expectedIsisAdjacencies(configs, links);
  const connected = new Map<string, Set<string>>(
    [...configs.values()].map((c) => [c.router, new Set(Object.values(c.interfaces).flatMap((i) => i.addresses.map(subnetOf)))]),
  );
  const byLevel = ([1, 2] as const).map((level) => {
    const routers = [...configs.values()].filter((c) => Object.values(c.instances).some((i) => i.levels.includes(level))).map((c) => c.router);
    const edges: IgpEdge[] = adjacencies.filter((a) => a.levels.includes(level));
    const advertised = new Map<string, Map<string, number>>();
    for (const c of configs.values()) {
      for (const [iface, i] of Object.entries(c.interfaces)) {
        if (!levelsOf(c, iface).includes(level)) continue;
        for (const address of i.addresses) {
          const prefix = subnetOf(address);
          const owners = advertised.get(prefix) ?? new Map<string, number>();
          owners.set(c.router, Math.min(owners.get(c.router) ?? Infinity, metricOf(c, iface, level)));
          advertised.set(prefix, owners);
        }
      }
    }
    const costOf = (node: string, iface: string) => metricOf(configs.get(node), iface, level);
    const transit = (node: string) => !Object.values(configs.get(node)?.instances ?? {}).some((i) => i.overload);
    const skip = (at: string, prefix: string, owners: ReadonlyMap<string, number>) => owners.has(at) || !!connected.get(at)?.has(prefix);
    return shortestPathRoutes(routers, edges, costOf, advertised, skip, transit).map((r): IsisRoute => ({ ...r, level }));
  });
  const [l1, l2] = byLevel as [IsisRoute[], IsisRoute[]];
  const key = (r: IsisRoute) => `${r.at} ${r.prefix}`;
  const fromL1 = new Set(l1.map(key));
  const order = [...configs.keys()];
  return [...l1, ...l2.filter((r) => !fromL1.has(key(r)))].sort((x, y) => order.indexOf(x.at) - order.indexOf(y.at));
}
