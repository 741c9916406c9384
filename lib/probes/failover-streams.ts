// The links a failover run fails and the probe streams that cross them, made concrete on a
// running lab: the declared fabric proposes candidates (lib/plan/failover-plan.ts); each is
// steered onto its link by a source port the sender's kernel hashes there now (`ip route get`),
// and the first link of each group that carries streams both ways is chosen.
import type { StartedLab } from '../lab/started-lab.ts';
import { expectedRoutes, type ExpectedRoute } from '../plan/expected-routing.ts';
import { linkGroups, streamCandidates, type FailoverLink, type FailoverScope, type StreamCandidate, type StreamRole } from '../plan/failover-plan.ts';
import type { Fabric } from './fabric.ts';
import type { FailoverStream, WatchedSession } from './failover.ts';
import { steerToGateway, type FlowTuple } from './steer.ts';

const PORTS: Record<StreamRole, number> = { forward: 5002, reverse: 5003, remote: 5004 };
const SRC_PORT_BASE = 42000;
/** Source ports tried to steer a stream onto an equal-cost path: 2^-32 to miss one of two. */
const STEER_TRIES = 32;

export interface PlannedLink {
  group: string;
  link: FailoverLink;
  streams: FailoverStream[];
  sessions: WatchedSession[];
  /** Why a role has no stream on this link (the fabric gives none): stated in the report. */
  missing: string[];
}

export interface FailoverPlan {
  links: PlannedLink[];
  /** Tier pairs (or links) with no link that carries probe streams both ways, and why. */
  untestable: string[];
}

const loopbackOf = (f: Fabric, node: string) => f.routers.find((r) => r.name === node)?.loopbacks[0]?.replace(/\/32$/, '');
const sessionAt = (f: Fabric, node: string, iface: string) => f.sessions.find((s) => s.at === node && s.iface === iface);

/** The first source port from SRC_PORT_BASE whose flow `sender` sends to `gateway` now; one try where the route has a single installed path (the kernel's choice is not a hash). */
function steerPort(lab: StartedLab, sender: string, f: Omit<FlowTuple, 'srcPort'>, gateway: string, width: number): Promise<number | undefined> {
  return steerToGateway(lab.node(sender), f, gateway, SRC_PORT_BASE, width >= 2 ? STEER_TRIES : 1);
}

/** A candidate made concrete: a source port whose flow the sender's kernel sends over the chosen link now. */
async function steer(lab: StartedLab, f: Fabric, c: StreamCandidate, route: ExpectedRoute | undefined, link: FailoverLink): Promise<FailoverStream | undefined> {
  const srcIp = loopbackOf(f, c.sender);
  const gateway = sessionAt(f, c.egress.node, c.egress.iface)?.peerAddress;
  if (!srcIp || !gateway) return undefined;
  const srcPort = await steerPort(lab, c.sender, { srcIp, dstIp: c.dstIp, dstPort: PORTS[c.role] }, gateway, route?.width ?? 1);
  if (srcPort === undefined) return undefined;
  const downstream = link.a.node === c.upstream.node ? link.b : link.a;
  return {
    role: c.role,
    label: `${c.sender} → ${c.owner} (${c.dstIp}) leaving by ${c.egress.node}:${c.egress.iface}`,
    flow: { src: c.sender, dst: c.owner, srcIp, dstIp: c.dstIp, port: PORTS[c.role], srcPortBase: srcPort },
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

/** Per group, the first candidate link that carries a forward and a reverse stream (and a remote one where the fabric has one). */
export async function planFailover(lab: StartedLab, f: Fabric, scope: FailoverScope): Promise<FailoverPlan> {
  const tierOf = (n: string) => lab.topology.nodes.find((x) => x.name === n)?.tier;
  const routes = expectedRoutes(f.routers, f.links);
  const routeAt = (node: string, dstIp: string) => routes.find((r) => r.at === node && r.prefix === `${dstIp}/32`);
  const plan: FailoverPlan = { links: [], untestable: [] };
  for (const group of linkGroups(f.links, tierOf, scope)) {
    const tried: string[] = [];
    let planned: PlannedLink | undefined;
    for (const link of group.candidates) {
      const without = expectedRoutes(f.routers, f.links.filter((l) => !(l.a.node === link.a.node && l.a.iface === link.a.iface)));
      const candidates = streamCandidates(link, routes, without, tierOf);
      const streams: FailoverStream[] = [];
      const missing: string[] = [];
      for (const role of ['forward', 'reverse', 'remote'] as const) {
        let found: FailoverStream | undefined;
        for (const c of candidates[role]) if ((found = await steer(lab, f, c, routeAt(c.sender, c.dstIp), link))) break;
        if (found) streams.push(found);
        else missing.push(candidates[role].length ? `${role}: none of ${candidates[role].length} candidate streams leaves by the link now (${candidates[role].slice(0, 3).map((c) => `${c.sender} → ${c.dstIp}`).join(', ')}…)` : `${role}: the declared fabric gives no ${ROLE_TEXT[role]}`);
      }
      if (streams.some((s) => s.role === 'forward') && streams.some((s) => s.role === 'reverse')) {
        const sessions = [sessionAt(f, link.a.node, link.a.iface), sessionAt(f, link.b.node, link.b.iface)].filter((s) => s !== undefined).map((s) => ({ node: s.at, peerAddress: s.peerAddress }));
        planned = { group: group.name, link, streams, sessions, missing: missing.filter((m) => m.startsWith('remote')) };
        break;
      }
      tried.push(`${link.label} (${missing.join('; ')})`);
    }
    if (planned) plan.links.push(planned);
    else plan.untestable.push(`${group.name}: no link carries probe streams both ways — ${tried.join(' | ')}`);
  }
  return plan;
}

/**
 * The link's streams steered again, just before its failure: restoring an earlier link rebuilds
 * ECMP groups (their next hops in another order), so a source port chosen at planning time may
 * hash onto another path now. Throws, naming the stream, if none leaves by the link any more.
 */
export async function resteer(lab: StartedLab, p: PlannedLink): Promise<PlannedLink> {
  const streams = await Promise.all(
    p.streams.map(async (s) => {
      const srcPort = await steerPort(lab, s.flow.src, { srcIp: s.flow.srcIp!, dstIp: s.flow.dstIp, dstPort: s.flow.port }, s.gateway, s.restored.width);
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
