// What an OSPF underlay must look like, from what the user wrote: each router's frr.conf
// (`router ospf`, its `network PREFIX area A` and `passive-interface` lines, interface
// addresses, `ip ospf area`, `ip ospf cost`) and the topology's links. From those: the
// adjacency every router-to-router link both ends put in OSPF must have, and every subnet the
// routers advertise, with the ECMP width the shortest paths imply at every other router.
// Never read from the running routers. Pure.
import { Address4 } from 'ip-address';
import { frrConfLines } from './frr-conf-lines.ts';
import { shortestPathRoutes, subnetOf, type IgpRoute, type Link } from './igp-paths.ts';

export interface OspfInterface {
  /** The interface's IPv4 address with its prefix length, e.g. 192.168.1.1/24. */
  address?: string;
  /** `ip ospf area A` on the interface. */
  area?: string;
  /** `ip ospf cost N`. */
  cost?: number;
}

export interface OspfConfig {
  router: string;
  /** `network PREFIX area A` lines of `router ospf`. */
  networks: { prefix: string; area: string }[];
  /** `passive-interface IFACE` (and `passive-interface default`, with `no passive-interface IFACE` exceptions). */
  passive: { all: boolean; ifaces: Set<string>; except: Set<string> };
  interfaces: Record<string, OspfInterface>;
  /** `max-metric router-lsa administrative`: a stub router (RFC 6987), reached but never crossed while another path exists. */
  stubRouter?: boolean;
}

/** OSPF's cost where the configuration gives none. Only ratios matter, and undeclared costs are all alike. */
export const DEFAULT_OSPF_COST = 10;

/** The OSPF part of one router's integrated frr.conf, or undefined when it has no `router ospf`. */
export function parseOspfConfig(router: string, frrConf: string): OspfConfig | undefined {
  const interfaces: Record<string, OspfInterface> = {};
  const networks: OspfConfig['networks'] = [];
  const passive = { all: false, ifaces: new Set<string>(), except: new Set<string>() };
  let hasOspf = false;
  let stubRouter = false;
  for (const { line, block, opens } of frrConfLines(frrConf)) {
    const ospf = block?.kind === 'router' && /^router ospf( vrf default)?$/.test(block.header);
    let m: RegExpExecArray | null;
    if (opens) {
      if (block!.kind === 'interface') interfaces[block!.name] ??= {};
      else if (ospf) hasOspf = true;
    } else if (block?.kind === 'interface') {
      const i = interfaces[block.name]!;
      if ((m = /^ip address (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(line))) i.address ??= m[1];
      else if ((m = /^ip ospf (?:\d+ )?area (\S+)/.exec(line))) i.area = m[1];
      else if ((m = /^ip ospf cost (\d+)/.exec(line))) i.cost = Number(m[1]);
    } else if (ospf) {
      if ((m = /^network (\S+) area (\S+)/.exec(line))) networks.push({ prefix: m[1]!, area: m[2]! });
      else if (line === 'passive-interface default') passive.all = true;
      else if ((m = /^passive-interface (\S+)/.exec(line))) passive.ifaces.add(m[1]!);
      else if ((m = /^no passive-interface (\S+)/.exec(line))) passive.except.add(m[1]!);
      else if (line === 'max-metric router-lsa administrative') stubRouter = true;
    }
  }
  return hasOspf ? { router, networks, passive, interfaces, ...(stubRouter ? { stubRouter } : {}) } : undefined;
}

/** The area an interface is in: its own `ip ospf area`, or the first `network` statement covering its address; undefined when OSPF does not run on it. */
export function areaOf(c: OspfConfig, iface: string): string | undefined {
  const i = c.interfaces[iface];
  if (i?.area) return i.area;
  if (!i?.address) return undefined;
  const a = new Address4(i.address);
  return c.networks.find((n) => Address4.isValid(n.prefix) && a.isInSubnet(new Address4(n.prefix)))?.area;
}

export const isPassive = (c: OspfConfig, iface: string) => (c.passive.all ? !c.passive.except.has(iface) : c.passive.ifaces.has(iface));

export interface OspfAdjacency {
  at: string;
  iface: string;
  neighbor: string;
  neighborIface: string;
  area: string;
  /** The neighbor's area on the link, when its configuration puts it in another one. */
  neighborArea?: string;
}

/**
 * Both ends of a router-to-router link run OSPF on it, neither passive: an adjacency each way.
 * Two areas on one link are still expected to form one: the mismatch is the user's to see, named
 * by the failing adjacency, not a reason to expect nothing.
 */
export function expectedAdjacencies(configs: ReadonlyMap<string, OspfConfig>, links: readonly Link[]): OspfAdjacency[] {
  const out: OspfAdjacency[] = [];
  for (const { endpoints: [a, b] } of links) {
    const [ca, cb] = [configs.get(a.node), configs.get(b.node)];
    if (!ca || !cb) continue;
    const [areaA, areaB] = [areaOf(ca, a.iface), areaOf(cb, b.iface)];
    if (areaA === undefined || areaB === undefined || isPassive(ca, a.iface) || isPassive(cb, b.iface)) continue;
    out.push({ at: a.node, iface: a.iface, neighbor: b.node, neighborIface: b.iface, area: areaA, ...(areaA !== areaB ? { neighborArea: areaB } : {}) });
    out.push({ at: b.node, iface: b.iface, neighbor: a.node, neighborIface: a.iface, area: areaB, ...(areaA !== areaB ? { neighborArea: areaA } : {}) });
  }
  return out;
}

/** A subnet expected at a router: who advertises it, and the first hops of its shortest paths. */
export type OspfRoute = IgpRoute;

/**
 * Every subnet an OSPF router advertises (an interface OSPF runs on, passive or not), expected at
 * every OSPF router not attached to it, with the next hops of its shortest paths over the
 * expected adjacencies (each interface's declared cost, else DEFAULT_OSPF_COST).
 */
export function expectedOspfRoutes(configs: ReadonlyMap<string, OspfConfig>, links: readonly Link[]): OspfRoute[] {
  const adjacencies = expectedAdjacencies(configs, links);
  const costOf = (node: string, iface: string) => configs.get(node)?.interfaces[iface]?.cost ?? DEFAULT_OSPF_COST;
  // Advertised subnets and who is attached to each (with the cost of reaching it from them).
  const attached = new Map<string, Map<string, number>>();
  for (const c of configs.values()) {
    for (const [iface, i] of Object.entries(c.interfaces)) {
      if (!i.address || areaOf(c, iface) === undefined) continue;
      const prefix = subnetOf(i.address);
      const at = attached.get(prefix) ?? new Map<string, number>();
      at.set(c.router, Math.min(at.get(c.router) ?? Infinity, i.address.endsWith('/32') ? 0 : costOf(c.router, iface)));
      attached.set(prefix, at);
    }
  }
  // A stub router's links to routers cost the largest metric: it is crossed only where nothing else leads (never in a fabric
  // with another path), while its own subnets stay reachable at their costs.
  const transit = (r: string) => !configs.get(r)?.stubRouter;
  return shortestPathRoutes([...configs.keys()], adjacencies, costOf, attached, undefined, transit);
}
