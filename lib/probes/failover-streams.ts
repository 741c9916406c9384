// The links a failover run fails and the probe streams that cross them, made concrete on a
// running lab: the declared fabric proposes candidates (lib/plan/failover-plan.ts); each is
// steered onto its link by a source port the sender's kernel hashes there now (`ip route get`),
// and the first link of each group that carries streams both ways is chosen. Streams are planned
// on IPv4 (IPv6 on an IPv6-only fabric); where the intent gives the sender and the destination
// IPv6 loopbacks too (dual stack), each stream gets an IPv6 twin between them, steered onto the same link.
import type { StartedLab } from '../lab/started-lab.ts';
import { expectedRoutes, familyOf, hostPrefix, ipv4Loopbacks, ipv6Loopbacks, probeFamily, routesIn, type ExpectedRoute } from '../plan/expected-routing.ts';
import { linkGroups, streamCandidates, streamFootprint, waveConflict, type FailoverLink, type FailoverScope, type LinkGroup, type StreamCandidate, type StreamFootprint, type StreamRole, type WaveMember } from '../plan/failover-plan.ts';
import type { Fabric } from './fabric.ts';
import type { FailoverStream, WatchedSession } from './failover.ts';
import { steerToGateway, type FlowTuple } from './steer.ts';
import { multipathHashPolicy } from './kernel.ts';

const PORTS: Record<StreamRole, number> = { forward: 5002, reverse: 5003, remote: 5004 };
const SRC_PORT_BASE = 42000;
/**
 * The ports of the n-th link of a wave: its streams may share a sender or a receiver with
 * another link's, and each binds its own source port and listens on its own port.
 */
const portsOfSlot = (slot: number, role: StreamRole, family: 4 | 6) => ({
  dstPort: PORTS[role] + 10 * slot + (family === 6 ? IPV6_PORT_OFFSET : 0),
  srcFrom: SRC_PORT_BASE + 100 * slot + (family === 6 ? IPV6_SRC_PORT_OFFSET : 0),
});
/** An IPv6 twin's ports, within its slot: never a port of an IPv4 stream (5007–5009, source ports from 42050). */
const IPV6_PORT_OFFSET = 5;
const IPV6_SRC_PORT_OFFSET = 50;
/** Port slots: a wave holds at most this many links (ports up to 5009 + 10 × 99, source ports up to 42050 + 100 × 99 + 32). */
const PORT_SLOTS = 100;
/** Source ports tried to steer a stream onto an equal-cost path: 2^-32 to miss one of two. */
const STEER_TRIES = 32;

export interface PlannedLink {
  group: string;
  link: FailoverLink;
  streams: FailoverStream[];
  sessions: WatchedSession[];
  /** Why a role has no stream on this link (the fabric gives none): stated in the report. */
  missing: string[];
  /**
   * IPv6 twins the intent calls for (sender and destination declare IPv6 loopbacks) that no
   * source port steers onto the link, though the IPv4 stream's does: the sender's IPv6 route
   * is not the declared one. A culprit, not a note.
   */
  unsteered: string[];
  /** Links of one wave fail at the same instant (failover-plan.ts): waves go in order, from 0. */
  wave: number;
}

export interface FailoverPlan {
  links: PlannedLink[];
  /** Tier pairs (or links) with no link that carries probe streams both ways, and why. */
  untestable: string[];
}

/** A router's first declared loopback of `family`, without its length. */
const loopbackOf = (f: Fabric, node: string, family: 4 | 6 = 4) => {
  const loopbacks = f.routers.find((r) => r.name === node)?.loopbacks ?? [];
  return (family === 4 ? ipv4Loopbacks(loopbacks) : ipv6Loopbacks(loopbacks))[0]?.replace(/\/\d+$/, '');
};
const sessionAt = (f: Fabric, node: string, iface: string) => f.sessions.find((s) => s.at === node && s.iface === iface);

/** The first source port from `from` whose flow `sender` sends to `gateway` now; one try where the route has a single installed path (the kernel's choice is not a hash). */
function steerPort(lab: StartedLab, sender: string, f: Omit<FlowTuple, 'srcPort'>, gateway: string, width: number, from: number): Promise<number | undefined> {
  return steerToGateway(lab.node(sender), f, gateway, from, width >= 2 ? STEER_TRIES : 1);
}

/**
 * A candidate made concrete: a source port whose flow the sender's kernel sends over the chosen
 * link now. `dstIp` is the candidate's (IPv4) destination, or for an IPv6 twin the owner's IPv6
 * loopback, sent from the sender's.
 */
async function steer(lab: StartedLab, f: Fabric, c: StreamCandidate, dstIp: string, route: ExpectedRoute | undefined, link: FailoverLink, slot: number): Promise<FailoverStream | undefined> {
  const family = familyOf(dstIp);
  const srcIp = loopbackOf(f, c.sender, family);
  // An IPv6 next hop is named by its interface (hopName: link-local or not, it names no session
  // peer), even where an IPv4 session on the link carries the IPv6 routes.
  const gateway = family === 6 ? c.egress.iface : sessionAt(f, c.egress.node, c.egress.iface)?.peerAddress;
  if (!srcIp || !gateway) return undefined;
  const { dstPort, srcFrom } = portsOfSlot(slot, c.role, family);
  const srcPort = await steerPort(lab, c.sender, { srcIp, dstIp, dstPort }, gateway, route?.width ?? 1, srcFrom);
  if (srcPort === undefined) return undefined;
  const downstream = link.a.node === c.upstream.node ? link.b : link.a;
  return {
    role: c.role,
    label: `${c.sender} → ${c.owner} (${dstIp}) leaving by ${c.egress.node}:${c.egress.iface}`,
    flow: { src: c.sender, dst: c.owner, srcIp, dstIp, port: dstPort, srcPortBase: srcPort },
    steerFrom: srcFrom,
    gateway,
    arrives: downstream,
    restored: { width: route?.width ?? 1, usesGatewayAgain: route !== undefined && route.width === route.candidates.length },
  };
}

const ROLE_TEXT: Record<StreamRole, string> = {
  forward: 'a stream from one end across the link',
  reverse: 'a stream from the other end back across it',
  remote: 'a stream from a router that learns of the failure only through BGP',
};

/**
 * Per group, the first candidate link that carries a forward and a reverse stream (and a remote
 * one where the fabric has one), placed in the first wave it can join (failover-plan.ts): a link
 * joins a wave only with every role it would have on its own, on streams no other link of the
 * wave can touch; otherwise it starts a wave of its own. Which group goes first decides how many
 * waves there are; a handful of groups (the tier pairs) are tried in every order, and the order
 * with the fewest waves wins.
 */
export async function planFailover(lab: StartedLab, f: Fabric, scope: FailoverScope, o: { maxLinksPerWave?: number } = {}): Promise<FailoverPlan> {
  const maxLinksPerWave = o.maxLinksPerWave ?? Number.POSITIVE_INFINITY;
  const tierOf = (n: string) => lab.topology.nodes.find((x) => x.name === n)?.tier;
  // Streams are planned in the probes' family (IPv6 on an IPv6-only fabric).
  const family = probeFamily(f.routers);
  const withoutCache = new Map<string, ExpectedRoute[]>();
  const routesWithout = (gone: readonly FailoverLink[]) => {
    const key = gone.map((l) => l.label).sort().join(' + ');
    let routes = withoutCache.get(key);
    if (!routes) withoutCache.set(key, (routes = routesIn(family, expectedRoutes(f.routers, f.links.filter((l) => !gone.some((g) => l.a.node === g.a.node && l.a.iface === g.a.iface))))));
    return routes;
  };
  const routes = routesWithout([]);
  // An IPv6 twin follows its owner's IPv6 loopback route: the same paths as the IPv4 one where
  // the fabric carries both families alike, but steered and checked on its own.
  const everyRoute = expectedRoutes(f.routers, f.links);
  const routeAt = (node: string, dstIp: string) => everyRoute.find((r) => r.at === node && r.prefix === hostPrefix(dstIp));
  const groups = linkGroups(f.links, tierOf, scope);
  // Steering asks the kernel (`ip route get`): asked once per stream and port range, whatever the order tried.
  const steered = new Map<string, Promise<FailoverStream | undefined>>();
  const steerOnce = (c: StreamCandidate, dstIp: string, link: FailoverLink, slot: number) => {
    const key = `${c.role} ${c.sender} ${dstIp} ${link.label} ${slot}`;
    if (!steered.has(key)) steered.set(key, steer(lab, f, c, dstIp, routeAt(c.sender, dstIp), link, slot));
    return steered.get(key)!;
  };
  /** The link with streams for every role it can have that `wave` allows, or why not. Its ports are its group's (slot). */
  const planLink = async (group: string, slot: number, link: FailoverLink, wave: readonly WaveMember[]): Promise<{ planned?: PlannedLink; member?: WaveMember; why: string }> => {
    const conflict = wave.map((m) => waveConflict(link, [], m, routesWithout)).find((c) => c);
    if (conflict) return { why: conflict };
    const without = routesWithout([link]);
    const candidates = streamCandidates(link, routes, without, tierOf);
    const streams: FailoverStream[] = [];
    const footprints: StreamFootprint[] = [];
    const missing: string[] = [];
    const chosen: StreamCandidate[] = [];
    for (const role of ['forward', 'reverse', 'remote'] as const) {
      let found: FailoverStream | undefined;
      let blocked = 0;
      // Compute TEPs first (the overlay's traffic), then the stream that goes through least of
      // the fabric: it leaves the most links free for other failures of the same wave.
      const rank = (c: StreamCandidate) => (tierOf(c.owner) === 'compute' ? 0 : 1);
      const sized = candidates[role].map((c) => ({ c, fp: streamFootprint(c, routes, without) }));
      sized.sort((x, y) => rank(x.c) - rank(y.c) || x.fp.links.size + x.fp.routes.size - (y.fp.links.size + y.fp.routes.size));
      for (const { c, fp } of sized) {
        if (wave.some((m) => waveConflict(link, [fp], m, routesWithout))) {
          blocked++;
          continue;
        }
        if ((found = await steerOnce(c, c.dstIp, link, slot))) {
          footprints.push(fp);
          chosen.push(c);
          break;
        }
      }
      if (found) streams.push(found);
      else if (!candidates[role].length) missing.push(`${role}: the declared fabric gives no ${ROLE_TEXT[role]}`);
      else if (blocked) return { why: `${role}: every stream that fits could be touched by another link failed at the same time` };
      else missing.push(`${role}: none of ${candidates[role].length} candidate streams leaves by the link now (${candidates[role].slice(0, 3).map((c) => `${c.sender} → ${c.dstIp}`).join(', ')}…)`);
    }
    if (!streams.some((s) => s.role === 'forward') || !streams.some((s) => s.role === 'reverse')) return { why: missing.join('; ') };
    // Dual stack: each stream's IPv6 twin takes the same links (its footprint is the IPv4 one's).
    const unsteered: string[] = [];
    for (const c of family === 4 ? chosen : []) {
      const dstIp = loopbackOf(f, c.owner, 6);
      if (!dstIp || !loopbackOf(f, c.sender, 6)) continue;
      const twin = await steerOnce(c, dstIp, link, slot);
      if (twin) {
        streams.push(twin);
        continue;
      }
      // A sender that hashes IPv6 by addresses only gives every source port the same path: say so, not that the route is wrong.
      const l3 = (await multipathHashPolicy(lab.node(c.sender), 6)) === 0;
      const why = l3 ? `${c.sender} hashes IPv6 by addresses only (net.ipv6.fib_multipath_hash_policy=0), so no source port moves it` : `${c.sender}'s IPv6 route to ${dstIp} is not the declared one`;
      unsteered.push(`${c.role} IPv6 stream ${c.sender} → ${c.owner} (${dstIp}): none of ${(routeAt(c.sender, dstIp)?.width ?? 1) >= 2 ? STEER_TRIES : 1} source ports tried leaves ${c.sender} by ${c.egress.node}:${c.egress.iface}, though its IPv4 stream's does (${why})`);
    }
    const sessions = [sessionAt(f, link.a.node, link.a.iface), sessionAt(f, link.b.node, link.b.iface)].filter((s) => s !== undefined).map((s) => ({ node: s.at, peerAddress: s.peerAddress }));
    return { planned: { group, link, streams, sessions, missing: missing.filter((m) => m.startsWith('remote')), unsteered, wave: 0 }, member: { link, footprints }, why: '' };
  };
  const planInOrder = async (order: readonly LinkGroup[]): Promise<FailoverPlan & { waves: number }> => {
    const plan: FailoverPlan = { links: [], untestable: [] };
    const waves: WaveMember[][] = [];
    for (const group of order) {
      const slot = groups.indexOf(group) % PORT_SLOTS;
      const tried: string[] = [];
      let placed = false;
      // The waves so far, then a new one of its own (where only the link itself decides).
      for (let w = 0; w <= waves.length && !placed; w++) {
        if (w < waves.length && waves[w]!.length >= maxLinksPerWave) continue;
        // Two links of a wave never share ports (groups PORT_SLOTS apart would).
        if (w < waves.length && plan.links.some((p) => p.wave === w && groups.findIndex((g) => g.name === p.group) % PORT_SLOTS === slot)) continue;
        for (const link of group.candidates) {
          const r = await planLink(group.name, slot, link, waves[w] ?? []);
          if (r.planned) {
            (waves[w] ??= []).push(r.member!);
            plan.links.push({ ...r.planned, wave: w });
            placed = true;
            break;
          }
          if (w === waves.length) tried.push(`${link.label} (${r.why})`);
        }
      }
      if (!placed) plan.untestable.push(`${group.name}: no link carries probe streams both ways — ${tried.join(' | ')}`);
    }
    const rank = (p: PlannedLink) => groups.findIndex((g) => g.name === p.group);
    plan.links.sort((x, y) => x.wave - y.wave || rank(x) - rank(y));
    return { ...plan, waves: waves.length };
  };
  let best: (FailoverPlan & { waves: number }) | undefined;
  for (const order of groups.length <= MAX_GROUPS_TO_ORDER ? permutations(groups) : [groups]) {
    const plan = await planInOrder(order);
    if (!best || plan.waves < best.waves) best = plan;
    if (best.waves <= 1) break;
  }
  return { links: best!.links, untestable: best!.untestable };
}

/** Up to this many groups, every order is tried (4! = 24 plans, steering cached). */
const MAX_GROUPS_TO_ORDER = 4;

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/**
 * The link's streams steered again, just before its failure: restoring an earlier link rebuilds
 * ECMP groups (their next hops in another order), so a source port chosen at planning time may
 * hash onto another path now. Throws, naming the stream, if none leaves by the link any more.
 */
export async function resteer(lab: StartedLab, p: PlannedLink): Promise<PlannedLink> {
  const streams = await Promise.all(
    p.streams.map(async (s) => {
      const srcPort = await steerPort(lab, s.flow.src, { srcIp: s.flow.srcIp!, dstIp: s.flow.dstIp, dstPort: s.flow.port }, s.gateway, s.restored.width, s.steerFrom);
      if (srcPort === undefined) throw new Error(`${s.label}: ${s.flow.src} no longer sends any of ${s.restored.width >= 2 ? STEER_TRIES : 1} probe flows to ${s.flow.dstIp} via ${s.gateway}, though it did when the links were chosen`);
      return { ...s, flow: { ...s.flow, srcPortBase: srcPort } };
    }),
  );
  return { ...p, streams };
}

/** The failed link's end a stream crosses from: its router's declared BFD decides the budget. */
export function upstreamOf(p: PlannedLink, s: FailoverStream): string {
  return s.arrives.node === p.link.a.node ? p.link.b.node : p.link.a.node;
}
