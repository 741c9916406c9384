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
import type { ExpectedRoute, FabricLink } from './expected-routing.ts';

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
  /** Where the stream goes: a loopback (without /32) and the router that owns it. */
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
      .map((r) => ({ role, sender: from.node, dstIp: r.prefix.replace(/\/32$/, ''), owner: r.owner, egress: { ...from, neighbor: to.node }, upstream: from }));
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
          .map(({ r, c }) => ({ role: 'remote' as const, sender: r.at, dstIp: r.prefix.replace(/\/32$/, ''), owner: r.owner, egress: { node: r.at, iface: c.iface, neighbor: u!.node }, upstream: u! })),
      ),
  );
  return { forward: local('forward', link.a, link.b), reverse: local('reverse', link.b, link.a), remote };
}
