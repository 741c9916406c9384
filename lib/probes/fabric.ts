// The BGP fabric the checks expect: the routers that run bgpd, as the intent declares them
// (ASN, loopbacks, ECMP width), the router-to-router links of the topology and the session each
// implies. Only the link addresses are read from the lab, to name each session's peer address.
import { Address4 } from 'ip-address';
import type { StartedLab } from '../lab/started-lab.ts';
import { familyOf, type ExpectedSession, type FabricLink, type RouterFacts } from '../plan/expected-routing.ts';
import { declaredRouters, notDeclaredReason } from '../plan/declared-routers.ts';
import { intentFileFor } from '../topology/load-intent.ts';
import { bgpSummary, explainDownSessions, vtyshJson, type BgpSummary, type RibEntry } from './frr.ts';
import { addresses, kernelRoutes, type InterfaceAddress, type KernelRoute } from './kernel.ts';

export interface Fabric {
  /** As declared; check `notDeclared` before expecting routes from them. */
  routers: RouterFacts[];
  /** Why routes cannot be expected (what the intent leaves undeclared), or undefined when they can. */
  notDeclared?: string;
  links: FabricLink[];
  sessions: ExpectedSession[];
  /** Every IPv4 address in the lab → "node:iface", to name peers in messages. */
  owners: Map<string, string>;
}

/** The fabric of the routers that run BGP; throws (to be retried) while a bgpd is not answering yet. */
export async function discoverFabric(lab: StartedLab): Promise<Fabric> {
  const routerNodes = lab.nodes().filter((n) => n.frrDaemons.includes('bgpd'));
  // bgpd answering is the precondition; what it says about itself is not an expectation.
  const facts = await Promise.all(routerNodes.map(async (n) => ({ node: n, summary: await bgpSummary(n), addrs: await addresses(n) })));
  const addrOf = new Map<string, InterfaceAddress[]>(facts.map((f) => [f.node.name, f.addrs]));
  const owners = new Map(facts.flatMap((f) => f.addrs.filter((a) => a.family === 'inet').map((a) => [a.local, `${f.node.name}:${a.iface}`] as const)));
  const { intent } = lab.topology;
  const { routers, undeclared } = declaredRouters(lab.topology.nodes, intent, routerNodes.map((n) => n.name));
  const notDeclared = notDeclaredReason(undeclared, intent?.file ?? intentFileFor(lab.topology.file));
  const isBgp = new Set(routers.map((r) => r.name));
  const links: FabricLink[] = lab.topology.links
    .filter((l) => isBgp.has(l.endpoints[0].node) && isBgp.has(l.endpoints[1].node))
    .map((l) => ({ a: { node: l.endpoints[0].node, iface: l.endpoints[0].iface }, b: { node: l.endpoints[1].node, iface: l.endpoints[1].iface } }));
  const sessions: ExpectedSession[] = links.flatMap(({ a, b }) =>
    [
      [a, b],
      [b, a],
    ].map(([x, y]): ExpectedSession => {
      const at = { at: x!.node, iface: x!.iface, neighbor: y!.node, neighborIface: y!.iface };
      // No IPv4 subnet on the link: the session is expected over the interface (BGP unnumbered).
      const peerAddress = linkPeerAddress(addrOf, x!, y!);
      return peerAddress ? { ...at, peerAddress } : { ...at, peerAddress: x!.iface, unnumbered: true };
    }),
  );
  return { routers, ...(notDeclared ? { notDeclared } : {}), links, sessions, owners };
}

/**
 * The address `y` uses on its link with `x`: the one in the subnet of either end's interface
 * address. Matching by subnet, not by interface, also finds it when the link's address sits on
 * another interface (an OVS chassis keeps its uplink addresses on br-phy, not on eth1).
 */
export function linkPeerAddress(addrOf: Map<string, InterfaceAddress[]>, x: { node: string; iface: string }, y: { node: string; iface: string }): string | undefined {
  const v4 = (node: string) => (addrOf.get(node) ?? []).filter((a) => a.family === 'inet' && a.prefixlen < 32);
  const subnets = [...v4(x.node).filter((a) => a.iface === x.iface), ...v4(y.node).filter((a) => a.iface === y.iface)].map((a) => new Address4(`${a.local}/${a.prefixlen}`));
  const inSubnet = (a: InterfaceAddress) => subnets.some((s) => new Address4(a.local).isInSubnet(s));
  const xs = new Set(v4(x.node).map((a) => a.local));
  return v4(y.node).find((a) => inSubnet(a) && !xs.has(a.local))?.local;
}

export async function observeSummaries(lab: StartedLab, routers: string[]): Promise<Map<string, BgpSummary | undefined>> {
  const entries = await Promise.all(
    routers.map(async (name) => {
      const node = lab.node(name);
      const summary = await bgpSummary(node)
        .then((s) => explainDownSessions(node, s))
        .catch(() => undefined);
      return [name, summary] as const;
    }),
  );
  return new Map(entries);
}

/** What one router has installed: its RIB by prefix (`show ip route json`, and `show ipv6 route json`) and its kernel routes. */
export interface ObservedRoutes {
  rib: Record<string, RibEntry[]>;
  kernel: KernelRoute[];
}

/** The address families the expected routes are in: IPv4 always, IPv6 when a declared loopback is an IPv6 /128. */
export const routeFamilies = (routes: readonly { prefix: string }[]): (4 | 6)[] => (routes.some((r) => familyOf(r.prefix) === 6) ? [4, 6] : [4]);

/** Each router's IPv4 routes, and its IPv6 ones too when `families` has 6 (a dual-stack lab's declared IPv6 loopbacks). */
export async function observeRoutes(lab: StartedLab, routers: string[], families: readonly (4 | 6)[] = [4]): Promise<Map<string, ObservedRoutes>> {
  const command = { 4: 'show ip route json', 6: 'show ipv6 route json' } as const;
  const entries = await Promise.all(
    routers.map(async (name) => {
      const node = lab.node(name);
      const read = await Promise.all(families.map((f) => Promise.all([vtyshJson<Record<string, RibEntry[]>>(node, command[f]), kernelRoutes(node, f)])));
      return [name, { rib: Object.assign({}, ...read.map(([rib]) => rib)) as Record<string, RibEntry[]>, kernel: read.flatMap(([, kernel]) => kernel) }] as const;
    }),
  );
  return new Map(entries);
}
