// Which links a failover run fails, and which probe streams show the failure the way traffic
// sees it, from the declared fabric alone. Pure.
//
// Links: by default one per tier pair (leaf–spine, compute–leaf, …): the candidates of a pair
// are tried in order and the first that carries every stream below is failed; `all` fails
// every router-to-router link (nightly runs).
//
// Streams across a link a–b, each sent by a router from its loopback to another loopback:
//   forward  a → b, sent by a itself over the link, to a loopback a still reaches without it
//            (another equal-cost path, or a longer one BGP falls back to);
//   reverse  b → a, the same from b's side;
//   remote   sent by a neighbor r of one end u, towards a loopback u reaches only over the
//            link: r keeps sending into the dead path until BGP's withdrawal reaches it — the
//            router that learns of the failure late.
// "Still reaches" is the declared fabric's routing computed again without the link.
import { hostAddress, hostPrefix, type ExpectedRoute, type FabricLink } from './expected-routing.ts';

export type FailoverScope = 'tier-pairs' | 'all';
export const FAILOVER_SCOPES: readonly FailoverScope[] = ['tier-pairs', 'all'];

export interface LinkEnd {
  node: string;
  iface: string;
}

export interface FailoverLink {
  a: LinkEnd;
  b: LinkEnd;
  /** "leaf–spine": the two ends' tiers, sorted. */
  tierPair: string;
  /** "leaf1:eth1 – spine1:eth1". */
  label: string;
}

/** The links to fail: per group, candidates in order; the first that carries its streams is failed. */
export interface LinkGroup {
  /** The tier pair, or the link itself under `all`. */
  name: string;
  candidates: FailoverLink[];
}

export type StreamRole = 'forward' | 'reverse' | 'remote';

export interface StreamCandidate {
  role: StreamRole;
  /** The router that sends, from its own loopback. */
  sender: string;
  /** Where the stream goes: a loopback (without its length) and the router that owns it. */
  dstIp: string;
  owner: string;
  /** The sender's link the stream must leave by (its interface, and the neighbor there). */
  egress: LinkEnd & { neighbor: string };
  /** The failed link's end the stream crosses it from: the router whose route must change or whose failure detection matters. */
  upstream: LinkEnd;
}

const byName = (x: string, y: string) => x.localeCompare(y, 'en', { numeric: true });
const endLabel = (e: LinkEnd) => `${e.node}:${e.iface}`;

export function failoverLink(l: FabricLink, tierOf: (node: string) => string | undefined): FailoverLink {
  const tiers = [tierOf(l.a.node) ?? 'router', tierOf(l.b.node) ?? 'router'].sort(byName);
  return { a: l.a, b: l.b, tierPair: tiers.join('–'), label: `${endLabel(l.a)} – ${endLabel(l.b)}` };
}

export function linkGroups(links: readonly FabricLink[], tierOf: (node: string) => string | undefined, scope: FailoverScope): LinkGroup[] {
  const all = links.map((l) => failoverLink(l, tierOf));
  if (scope === 'all') return all.map((l) => ({ name: l.label, candidates: [l] }));
  const groups = new Map<string, FailoverLink[]>();
  for (const l of all) groups.set(l.tierPair, [...(groups.get(l.tierPair) ?? []), l]);
  return [...groups].sort(([x], [y]) => byName(x, y)).map(([name, candidates]) => ({ name, candidates }));
}

/**
 * Streams that fit each role across `link`, best first (towards compute TEPs first: the
 * overlay's traffic). `routes` is the healthy fabric's routing, `without` the same fabric's
 * with the link removed.
 */
export function streamCandidates(link: FailoverLink, routes: readonly ExpectedRoute[], without: readonly ExpectedRoute[], tierOf: (node: string) => string | undefined): Record<StreamRole, StreamCandidate[]> {
  const survives = new Set(without.map((r) => `${r.at} ${r.prefix}`));
  const repairable = (r: ExpectedRoute) => survives.has(`${r.at} ${r.prefix}`);
  const rank = (r: ExpectedRoute) => (tierOf(r.owner) === 'compute' ? 0 : 1);
  const ordered = [...routes].sort((x, y) => rank(x) - rank(y) || byName(x.owner, y.owner) || byName(x.prefix, y.prefix));
  const crosses = (r: ExpectedRoute, from: LinkEnd) => r.at === from.node && r.candidates.some((c) => c.iface === from.iface);
  const local = (role: StreamRole, from: LinkEnd, to: LinkEnd): StreamCandidate[] =>
    ordered
      .filter((r) => crosses(r, from) && repairable(r))
      .map((r) => ({ role, sender: from.node, dstIp: hostAddress(r.prefix), owner: r.owner, egress: { ...from, neighbor: to.node }, upstream: from }));
  const remote = [
    [link.a, link.b],
    [link.b, link.a],
  ].flatMap(([u, v]) =>
    ordered
      // u's every path to the loopback starts on the failed link.
      .filter((r) => r.at === u!.node && r.candidates.every((c) => c.iface === u!.iface))
      .flatMap((viaU) =>
        ordered
          .filter((r) => r.prefix === viaU.prefix && r.at !== u!.node && r.at !== v!.node && repairable(r))
          .flatMap((r) => r.candidates.filter((c) => c.neighbor === u!.node).map((c) => ({ r, c })))
          .map(({ r, c }) => ({ role: 'remote' as const, sender: r.at, dstIp: hostAddress(r.prefix), owner: r.owner, egress: { node: r.at, iface: c.iface, neighbor: u!.node }, upstream: u! })),
      ),
  );
  return { forward: local('forward', link.a, link.b), reverse: local('reverse', link.b, link.a), remote };
}

// Waves: links failed at one instant, each under its own streams. A wave's links share no
// router, and no stream of one link may cross another's link or be forwarded by a route another
// failure changes — healthy, with its own link down, or with both down. Each stream then shows
// its own link's failure and nothing else, so a loss still names the right link, and a run
// takes one failover's time per wave instead of per link.

const linkKey = (node: string, iface: string) => `${node}:${iface}`;
const routeKey = (r: Pick<ExpectedRoute, 'at' | 'prefix'>) => `${r.at} ${r.prefix}`;

/** Every route (router and prefix) that forwards a stream, and every link end it may cross. */
export interface StreamFootprint {
  routes: Set<string>;
  links: Set<string>;
}

/**
 * Where stream `c` may go in each of `states` (the fabric's routing healthy, and without its
 * link): healthy, it leaves by its steered egress; otherwise by any next hop the state gives its
 * sender. Beyond the sender, any equal-cost next hop may carry it.
 */
export function streamFootprint(c: StreamCandidate, healthy: readonly ExpectedRoute[], failed: readonly ExpectedRoute[]): StreamFootprint {
  const fp: StreamFootprint = { routes: new Set(), links: new Set() };
  const prefix = hostPrefix(c.dstIp);
  for (const [routes, steered] of [
    [healthy, true],
    [failed, false],
  ] as const) {
    const at = new Map(routes.filter((r) => r.prefix === prefix).map((r) => [r.at, r]));
    const seen = new Set<string>();
    for (let frontier = [c.sender]; frontier.length; ) {
      const next: string[] = [];
      for (const node of frontier) {
        if (node === c.owner || seen.has(node)) continue;
        seen.add(node);
        const route = at.get(node);
        if (!route) continue;
        fp.routes.add(routeKey(route));
        const hops = steered && node === c.sender ? route.candidates.filter((h) => h.iface === c.egress.iface) : route.candidates;
        for (const h of hops) {
          fp.links.add(linkKey(node, h.iface)).add(linkKey(h.neighbor, h.neighborIface));
          next.push(h.neighbor);
        }
      }
      frontier = next;
    }
  }
  return fp;
}

/** Routes (router and prefix) whose next hops or width differ between two states of the fabric's routing. */
export function changedRoutes(before: readonly ExpectedRoute[], after: readonly ExpectedRoute[]): Set<string> {
  const shape = (r: ExpectedRoute) => `${r.width}|${r.candidates.map((h) => h.iface).join(',')}`;
  const was = new Map(before.map((r) => [routeKey(r), shape(r)]));
  const is = new Map(after.map((r) => [routeKey(r), shape(r)]));
  const changed = new Set<string>();
  for (const key of new Set([...was.keys(), ...is.keys()])) if (was.get(key) !== is.get(key)) changed.add(key);
  return changed;
}

/** A link of a wave, as the wave's other links must respect it. */
export interface WaveMember {
  link: FailoverLink;
  footprints: StreamFootprint[];
}

/**
 * Why failing `link` together with `member` could blur either's measurement, or undefined if it
 * cannot. `routesWithout(links)` is the fabric's routing with those links gone.
 */
export function waveConflict(link: FailoverLink, footprints: readonly StreamFootprint[], member: WaveMember, routesWithout: (links: readonly FailoverLink[]) => readonly ExpectedRoute[]): string | undefined {
  const ends = (l: FailoverLink) => [l.a.node, l.b.node];
  const shared = ends(link).filter((n) => ends(member.link).includes(n));
  if (shared.length) return `shares ${shared.join(', ')} with ${member.link.label}`;
  const healthy = routesWithout([]);
  const both = routesWithout([link, member.link]);
  // What `x` failing changes for streams of `y`, with `y` up and with `y` down.
  const touches = (x: FailoverLink, y: FailoverLink, fps: readonly StreamFootprint[]) => {
    const changed = new Set([...changedRoutes(healthy, routesWithout([x])), ...changedRoutes(routesWithout([y]), both)]);
    const xEnds = [linkKey(x.a.node, x.a.iface), linkKey(x.b.node, x.b.iface)];
    for (const fp of fps) {
      const crossed = xEnds.find((e) => fp.links.has(e));
      if (crossed) return `a stream of ${y.label} may cross ${x.label}`;
      const route = [...fp.routes].find((r) => changed.has(r));
      if (route) return `a stream of ${y.label} is forwarded by ${route.replace(' ', "'s route to ")}, which ${x.label} failing changes`;
    }
    return undefined;
  };
  return touches(link, member.link, member.footprints) ?? touches(member.link, link, footprints);
}
