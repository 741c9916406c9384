// Where probe flows split over equal-cost paths, and how many flows took each path. The
// splitting router (the "hasher") is the first router on a path with more than one next hop;
// flows are counted as they leave it, by the source ports nftables sets collect per next hop,
// matching only the probe traffic (so BGP/BFD chatter and other flows do not blur the count).
import { randomBytes } from 'node:crypto';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { familyOf, hostAddress, type ExpectedNexthop, type ExpectedRoute } from '../plan/expected-routing.ts';
import { chiSquareFit, type UniformityTest } from '../stats/chi-square.ts';
import { runFlows } from './flows.ts';
import { kernelRoutes, multipathHashPolicy } from './kernel.ts';

export interface ProbePath {
  src: string;
  dst: string;
  /** The destination's loopback (or TEP), without prefix length. */
  dstIp: string;
}

export interface Hasher {
  node: string;
  /** The expected route at the hasher towards the destination: its next hops are the paths. */
  route: ExpectedRoute;
}

/**
 * The router that splits `src`'s traffic to `dstIp`: `src` itself, or a hop its FIB leads to;
 * undefined when the traffic reaches `dst` without crossing any split (two hosts on the same
 * leaf pair: each leaf reaches the other host directly, and a chassis uses one path).
 */
export async function findHasher(lab: StartedLab, routes: ExpectedRoute[], owners: Map<string, string>, path: ProbePath): Promise<Hasher | undefined> {
  const prefix = `${path.dstIp}/32`;
  let node = path.src;
  for (let hop = 0; hop < 8; hop++) {
    if (node === path.dst) return undefined;
    const route = routes.find((r) => r.at === node && r.prefix === prefix);
    if (!route) throw new Error(`${node} is expected to have no route to ${prefix}`);
    if (route.width >= 2) return { node, route };
    const k = (await kernelRoutes(lab.node(node))).find((r) => r.dst === prefix);
    const gateway = k?.nexthops[0]?.gateway;
    const next = gateway ? owners.get(gateway)?.split(':')[0] : undefined;
    if (!next) throw new Error(`${node} has no usable route to ${prefix} (kernel: ${JSON.stringify(k?.nexthops ?? [])})`);
    node = next;
  }
  throw new Error(`no router splits ${path.src}'s traffic to ${prefix} over equal-cost paths`);
}

async function nft(node: NodeHandle, argv: string[], input?: string) {
  const r = await node.exec(['nft', ...argv], { input });
  if (r.exitCode !== 0) throw new Error(`${node.name}: nft ${argv.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export interface SpreadSpec {
  flows: number;
  packetsPerFlow: number;
  ratePps: number;
  port: number;
  srcPortBase: number;
}

/** Flows per path, counted as flows: the source ports seen leaving by each of the router's next-hop interfaces. */
export interface FlowCounters {
  read(): Promise<{ nexthop: ExpectedNexthop; sourcePorts: number[] }[]>;
  remove(): Promise<void>;
}

/**
 * On the hashing router itself, one nftables set per next-hop interface, filled in postrouting
 * with the source port of each probe packet (`match` keeps BGP/BFD and other flows out): a flow
 * is counted once on the path it took, and a flow seen on two paths was sprayed, not hashed.
 */
export async function countFlowsAtEgress(lab: StartedLab, router: string, nexthops: readonly ExpectedNexthop[], match: string): Promise<FlowCounters> {
  const node = lab.node(router);
  const table = `netproof_flows_${randomBytes(4).toString('hex')}`;
  const setOf = (i: number) => `path${i}`;
  const sets = nexthops.map((_, i) => `  set ${setOf(i)} { type inet_service; flags dynamic; size 65535; }`);
  const rules = nexthops.map((nh, i) => `    oifname "${nh.iface}" ${match} update @${setOf(i)} { udp sport }`);
  await nft(node, ['-f', '-'], `table inet ${table} {\n${sets.join('\n')}\n  chain count {\n    type filter hook postrouting priority -300; policy accept;\n${rules.join('\n')}\n  }\n}\n`);
  return {
    read: async () =>
      Promise.all(
        nexthops.map(async (nexthop, i) => {
          const json = JSON.parse(await nft(node, ['-j', 'list', 'set', 'inet', table, setOf(i)])) as { nftables: { set?: { elem?: (number | { elem: { val: number } })[] } }[] };
          const elems = json.nftables.find((x) => x.set)?.set?.elem ?? [];
          return { nexthop, sourcePorts: elems.map((e) => (typeof e === 'number' ? e : e.elem.val)).sort((a, b) => a - b) };
        }),
      ),
    remove: () => nft(node, ['delete', 'table', 'inet', table]).then(() => undefined, () => undefined),
  };
}

export interface RouterSpread {
  router: string;
  /** Where the flows went: the loopback and its owner. */
  dstIp: string;
  owner: string;
  /** Per installed next hop: the flows that left by it. */
  histogram: { path: string; flows: number }[];
  /** Source ports seen on more than one path: packets of one flow sprayed over paths. */
  sprayed: number[];
  /** Flows sent, and flows seen on no path. */
  sent: number;
  unseen: number;
  chiSquare?: UniformityTest;
  /** Weighted ECMP: each path's declared share of the flows, in histogram order (the test is against these, not uniform). */
  expectedShares?: number[];
  /** The router's net.ipv4.fib_multipath_hash_policy (net.ipv6's for IPv6 flows; undefined if unreadable): at L3 every flow to one address takes one path. */
  hashPolicy: number | undefined;
}

/** The goodness-of-fit of the flows per path: against the declared shares on a weighted route, else uniform. */
function splitTest(route: ExpectedRoute, counts: number[], alpha: number): Pick<RouterSpread, 'chiSquare' | 'expectedShares'> {
  if (!counts.some((c) => c > 0) || counts.length < 2) return {};
  const shares = route.weighted ? route.candidates.map((c) => c.weight!.share) : counts.map(() => 1 / counts.length);
  return { chiSquare: chiSquareFit(counts, shares, alpha), ...(route.weighted ? { expectedShares: shares } : {}) };
}

/**
 * Send `spec.flows` UDP flows from the router itself to a loopback it reaches over equal-cost
 * paths, and count them per path as they leave it. The router's own traffic is hashed by the
 * same multipath policy as the traffic it forwards, so this measures its hash wherever it sits.
 */
export async function measureRouterSpread(lab: StartedLab, route: ExpectedRoute, spec: SpreadSpec, alpha: number): Promise<RouterSpread> {
  // An IPv6 loopback (a dual-stack fabric) gets IPv6 flows, hashed by the IPv6 policy.
  const family = familyOf(route.prefix);
  const dstIp = hostAddress(route.prefix);
  const installed = route.candidates;
  const hashPolicy = await multipathHashPolicy(lab.node(route.at), family);
  const counters = await countFlowsAtEgress(lab, route.at, installed, `${family === 6 ? 'ip6' : 'ip'} daddr ${dstIp} udp dport ${spec.port}`);
  try {
    const run = await runFlows(lab, { src: route.at, dst: route.owner, dstIp, port: spec.port, flows: spec.flows, ratePps: spec.ratePps, durationS: (spec.flows * spec.packetsPerFlow) / spec.ratePps, srcPortBase: spec.srcPortBase });
    const perPath = await counters.read();
    const seen = new Map<number, number>();
    for (const p of perPath) for (const port of p.sourcePorts) seen.set(port, (seen.get(port) ?? 0) + 1);
    const ours = new Set(run.sourcePorts);
    const counts = perPath.map((p) => p.sourcePorts.filter((port) => ours.has(port)).length);
    return {
      router: route.at,
      dstIp,
      owner: route.owner,
      histogram: perPath.map((p, i) => ({ path: `${route.at}:${p.nexthop.iface} → ${p.nexthop.neighbor}`, flows: counts[i]! })),
      sprayed: [...seen].filter(([port, n]) => n > 1 && ours.has(port)).map(([port]) => port),
      sent: run.sourcePorts.length,
      unseen: run.sourcePorts.filter((port) => !seen.has(port)).length,
      ...splitTest(route, counts, alpha),
      hashPolicy,
    };
  } finally {
    await counters.remove();
  }
}

/** GENEVE's outer UDP destination port. */
const GENEVE_PORT = 6081;
/** Outer headers around a probe's inner IP packet: inner Ethernet 14, GENEVE 8 + OVN's options, outer UDP 8 and IP 20; a range, so options of any usual size fit. */
const GENEVE_OVERHEAD_BYTES = { min: 50, max: 130 };

/**
 * Overlay flows VM to VM, counted as flows where they leave the router that splits their tunnel:
 * each inner 5-tuple gets one outer source port (OVS hashes it), so the outer source ports seen
 * per next hop are the flows per path. Only tunnel packets towards `route`'s TEP of the probes'
 * size are counted, so other overlay traffic does not blur the count.
 */
export async function measureOverlaySpread(lab: StartedLab, route: ExpectedRoute, flow: { src: string; dst: string; dstIp: string }, spec: SpreadSpec & { sizeBytes: number }, alpha: number): Promise<RouterSpread> {
  const tep = route.prefix.replace(/\/32$/, '');
  const inner = spec.sizeBytes + 28;
  const match = `ip daddr ${tep} udp dport ${GENEVE_PORT} ip length ${inner + GENEVE_OVERHEAD_BYTES.min}-${inner + GENEVE_OVERHEAD_BYTES.max}`;
  const counters = await countFlowsAtEgress(lab, route.at, route.candidates, match);
  try {
    const run = await runFlows(lab, { ...flow, port: spec.port, flows: spec.flows, ratePps: spec.ratePps, durationS: (spec.flows * spec.packetsPerFlow) / spec.ratePps, srcPortBase: spec.srcPortBase, sizeBytes: spec.sizeBytes });
    const perPath = await counters.read();
    const seen = new Map<number, number>();
    for (const p of perPath) for (const port of p.sourcePorts) seen.set(port, (seen.get(port) ?? 0) + 1);
    const counts = perPath.map((p) => p.sourcePorts.length);
    return {
      router: route.at,
      dstIp: tep,
      owner: route.owner,
      histogram: perPath.map((p, i) => ({ path: `${route.at}:${p.nexthop.iface} → ${p.nexthop.neighbor}`, flows: counts[i]! })),
      sprayed: [...seen].filter(([, n]) => n > 1).map(([port]) => port),
      sent: run.sourcePorts.length,
      // Outer ports are a hash of the inner flow: two flows may share one, rarely (≈ flows² / 56 000).
      unseen: Math.max(0, run.sourcePorts.length - seen.size),
      hashPolicy: await multipathHashPolicy(lab.node(route.at)),
      ...splitTest(route, counts, alpha),
    };
  } finally {
    await counters.remove();
  }
}
