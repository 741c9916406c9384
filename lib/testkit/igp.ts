// What an OSPF or IS-IS underlay must look like, for the checks that hold whatever the routing
// protocol: the IGP routers and what their frr.conf files declare, the routes the shortest paths
// imply (as the route check expects them), and the router-to-router sessions BFD must run on
// (one per adjacency). From the files the user wrote and the topology, never from the running
// routers (lib/plan/ospf.ts, lib/plan/isis.ts).
import { readFile } from 'node:fs/promises';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import type { ExpectedRoute, ExpectedSession } from '../plan/expected-routing.ts';
import type { IgpRoute } from '../plan/igp-paths.ts';
import { expectedIsisAdjacencies, expectedIsisRoutes, parseIsisConfig, type IsisConfig } from '../plan/isis.ts';
import { expectedAdjacencies, expectedOspfRoutes, parseOspfConfig, type OspfConfig } from '../plan/ospf.ts';

/** A router's integrated frr.conf as the user wrote it (a file, or the text in the topology). */
export const frrConfText = async (n: NodeHandle) => (n.spec.frr?.config !== undefined ? await readFile(n.spec.frr.config, 'utf8') : (n.spec.frr?.configText ?? ''));

/** The routers that run `daemon` and what their frr.conf declares for it; undefined when no router runs it. */
export async function igpConfigs<C>(lab: StartedLab, daemon: string, parse: (router: string, frrConf: string) => C | undefined): Promise<Map<string, C> | undefined> {
  const routers = lab.nodes().filter((n) => n.frrDaemons.includes(daemon));
  if (!routers.length) return undefined;
  const out = new Map<string, C>();
  for (const n of routers) {
    const c = parse(n.name, await frrConfText(n));
    if (c) out.set(n.name, c);
  }
  return out;
}

/** Planned IGP routes as the route check expects them, installed by `protocol`. */
export function asExpectedRoutes(planned: readonly IgpRoute[], protocol: 'ospf' | 'isis'): ExpectedRoute[] {
  return planned.map((r) => ({
    at: r.at,
    prefix: r.prefix,
    owner: r.advertisedBy.join(', '),
    candidates: r.via.map((v) => ({ ...v, neighborIface: '' })),
    width: r.width,
    hops: 0,
    // routeCulprits compares it with FRR's and the kernel's protocol names, which say "isis".
    protocol: protocol as string as ExpectedRoute['protocol'],
    description: `${r.prefix} (advertised by ${r.advertisedBy.join(', ')})`,
  }));
}

/** One adjacency as a session BFD must run on: the neighbor's address on the link, or (none declared) the interface. */
function asSession(a: { at: string; iface: string; neighbor: string; neighborIface: string }, neighborAddress: string | undefined): ExpectedSession {
  const at = { at: a.at, iface: a.iface, neighbor: a.neighbor, neighborIface: a.neighborIface };
  return neighborAddress ? { ...at, peerAddress: neighborAddress } : { ...at, peerAddress: a.iface, unnumbered: true };
}

export interface IgpUnderlay {
  /** Every route the OSPF and IS-IS routers must have, with its ECMP width. */
  routes: ExpectedRoute[];
  /** Both ends of every expected adjacency. */
  sessions: ExpectedSession[];
}

/** The lab's OSPF and IS-IS underlay as declared; undefined when no router runs ospfd or isisd. */
export async function igpUnderlay(lab: StartedLab): Promise<IgpUnderlay | undefined> {
  const ospf = await igpConfigs<OspfConfig>(lab, 'ospfd', parseOspfConfig);
  const isis = await igpConfigs<IsisConfig>(lab, 'isisd', parseIsisConfig);
  if (!ospf && !isis) return undefined;
  const links = lab.topology.links;
  const routes: ExpectedRoute[] = [];
  const sessions: ExpectedSession[] = [];
  if (ospf) {
    routes.push(...asExpectedRoutes(expectedOspfRoutes(ospf, links), 'ospf'));
    sessions.push(...expectedAdjacencies(ospf, links).map((a) => asSession(a, ospf.get(a.neighbor)?.interfaces[a.neighborIface]?.address?.split('/')[0])));
  }
  if (isis) {
    routes.push(...asExpectedRoutes(expectedIsisRoutes(isis, links), 'isis'));
    sessions.push(...expectedIsisAdjacencies(isis, links).map((a) => asSession(a, a.neighborAddress)));
  }
  return { routes, sessions };
}
