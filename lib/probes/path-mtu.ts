// The largest don't-fragment packet every equal-cost underlay path carries between two TEPs.
//
// Why from the TEPs, steered by UDP source port: a GENEVE packet's outer source port is a hash
// OVS makes of the inner flow, so no VM can choose the path its packets take, and a VM cannot
// send more than its own MTU anyway, so a search from a VM can never find more than the VM MTU.
// The hosts' own kernels can do both: a UDP packet from one TEP to the other, with don't-fragment
// set and the path MTU cache ignored (IP_PMTUDISC_PROBE, through socat's setsockopt-int), crosses
// the same links as the tunnel, and every router's `ip route get … sport S` says which next hop
// its multipath hash gives that flow, so one source port per path is found without sending
// anything (lib/plan/ecmp-paths.ts walks them). The other option, varying VM flows until the
// outer ports happen to cover every path and counting where they land, needs many flows, cannot
// go above the VM MTU, and still does not say which path a given size took.
//
// Each probe sends the packet twice, then a small marker down the same path (same 5-tuple);
// the receiver records every (source, source port, IP length) that arrives in an nftables set
// of its own. When the marker is there and the probe is not, the probe was dropped on the way:
// no timeout is needed to call a size too big. Tools: socat, nft, ip (in every node).
import { randomBytes } from 'node:crypto';
import { parseJson } from '../exec.ts';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { largestPassing, searchCeiling, DF_FLOOR_BYTES, type DfSearch } from '../plan/df-search.ts';
import { enumeratePaths, pathInterfaces, pathEgresses, pathLabel, disjointRounds, type Lookup, type NodeLookups, type PathEnumeration, type RouteLookup, type UnderlayPath } from '../plan/ecmp-paths.ts';
import { waitFor, WaitTimeoutError } from '../wait-for.ts';
import { addresses, interfaceMtus } from './kernel.ts';

/** The probes' destination port: traceroute's, so nothing listens there; the receiver drops them once counted. */
export const DF_PROBE_PORT = 33434;
/** Source ports sampled to find the paths: below BFD's 49152–65535, so no session's port is taken. */
export const SAMPLE_PORTS = { base: 40_000, first: 256, more: 1024 } as const;
/** How long a probe (or its marker) may take to arrive before it is sent once more. */
const ARRIVAL_MS = 1000;
const IP_UDP_HEADERS = 28;

export interface TunnelEnds {
  /** The sending and the receiving chassis, and their TEPs. */
  src: string;
  dst: string;
  srcTep: string;
  dstTep: string;
}

export interface PathMtuMeasurement {
  path: UnderlayPath;
  /** The source port the probes were steered by. */
  port: number;
  search: DfSearch;
  /** MTU of every interface the path crosses ("node:iface"), as `ip -j link` showed them before the search; absent when unreadable. */
  mtus: Record<string, number>;
  /** Where the port's flow goes once the search is over, when that is no longer this path: routes changed meanwhile. */
  movedTo?: string;
}

export interface TunnelMeasurement extends TunnelEnds {
  paths: PathMtuMeasurement[];
  /** Equal-cost next hops no sampled flow took (each `node:iface → neighbour`): paths no flow between these TEPs takes. */
  untaken: string[];
  /** Why a path could not be followed or measured (no route, a device on no link, a probe that could not be sent). */
  problems: string[];
}

/** Every IPv4 address of the lab's routers → "node:iface", to follow a next hop to its node. */
export async function addressOwners(lab: StartedLab): Promise<Map<string, string>> {
  const routers = lab.nodes().filter((n) => n.spec.role === 'router');
  const all = await Promise.all(routers.map(async (n) => (await addresses(n)).filter((a) => a.family === 'inet').map((a) => [a.local, `${n.name}:${a.iface}`] as const)));
  return new Map(all.flat());
}

/** The prefix length of a route's `dst` as `ip -j` prints it: bare host routes, `default`. */
const prefixLength = (dst: string) => (dst === 'default' ? 0 : dst.includes('/') ? Number(dst.split('/')[1]) : 32);

/**
 * One node's forwarding lookups for many flows at once, in one `ip -batch`: its most specific
 * route to the destination (the ECMP group), then `route get` per source port.
 */
export async function routeLookups(node: NodeHandle, f: { srcIp: string; dstIp: string; dstPort: number; iif?: string }, ports: readonly number[]): Promise<NodeLookups> {
  const lines = [`route show match ${f.dstIp}`, ...ports.map((p) => `route get ${f.dstIp} from ${f.srcIp}${f.iif ? ` iif ${f.iif}` : ''} ipproto udp sport ${p} dport ${f.dstPort}`)];
  const r = await node.exec(['ip', '-j', '-4', '-batch', '-'], { input: `${lines.join('\n')}\n` });
  if (r.exitCode !== 0) throw new Error(`${node.name}: ip route get ${f.dstIp} from ${f.srcIp}${f.iif ? ` iif ${f.iif}` : ''} failed: ${(r.stderr || r.stdout).trim()}`);
  const out = r.stdout.trim().split('\n').map((text) => parseJson<{ dst?: string; dev?: string; gateway?: string; nexthops?: RouteLookup[] }[]>({ ...r, stdout: text }));
  if (out.length !== lines.length) throw new Error(`${node.name}: ip -batch answered ${out.length} of ${lines.length} lookups towards ${f.dstIp}`);
  const routes = out[0]!.filter((x) => x.dst !== undefined).sort((a, b) => prefixLength(b.dst!) - prefixLength(a.dst!));
  const best = routes[0];
  const byPort = new Map<number, RouteLookup>();
  ports.forEach((p, i) => {
    const g = out[i + 1]![0];
    if (g && (g.dev || g.gateway)) byPort.set(p, { dev: g.dev, gateway: g.gateway });
  });
  return { byPort, nexthops: best ? (best.nexthops ?? [{ dev: best.dev, gateway: best.gateway }]).map((n) => ({ dev: n.dev, gateway: n.gateway })) : [] };
}

function lookupFor(lab: StartedLab, ends: TunnelEnds): Lookup {
  return (node, iif, ports) => routeLookups(lab.node(node), { srcIp: ends.srcTep, dstIp: ends.dstTep, dstPort: DF_PROBE_PORT, iif }, ports);
}

const portRange = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/**
 * The distinct paths flows from `ends.srcTep` to `ends.dstTep` take, each with the sampled source
 * ports that take it. When some router has a next hop no sampled port took, more ports are
 * sampled once; what stays untaken is reported (under L3-only hashing, every flow between two
 * addresses takes one path: the ECMP suite names that).
 */
export async function underlayPaths(lab: StartedLab, ends: TunnelEnds, owners: ReadonlyMap<string, string>): Promise<PathEnumeration> {
  const walk = (ports: number[]) => enumeratePaths({ src: ends.src, dst: ends.dst, links: lab.topology.links, owners, ports, lookup: lookupFor(lab, ends) });
  const first = await walk(portRange(SAMPLE_PORTS.base, SAMPLE_PORTS.first));
  if (!first.untaken.length) return first;
  return walk(portRange(SAMPLE_PORTS.base, SAMPLE_PORTS.first + SAMPLE_PORTS.more));
}

/** Where a receiver counts probes: an nftables set of (source, source port, IP length) at prerouting, the probes dropped once counted. */
export interface DfReceiver {
  readonly node: NodeHandle;
  /** Keys `source port bytes` of every probe packet that arrived so far. */
  arrived(): Promise<Set<string>>;
  remove(): Promise<void>;
}

export const arrivalKey = (srcIp: string, srcPort: number, bytes: number) => `${srcIp} ${srcPort} ${bytes}`;

export function receiverRuleset(table: string, dstIp: string, dstPort: number): string {
  return (
    `table ip ${table} {\n` +
    '  set seen { typeof ip saddr . udp sport . ip length; flags dynamic; size 65535; }\n' +
    // At -300 (raw): before conntrack and defragmentation; dropped after, so no port-unreachable answers.
    `  chain prerouting {\n    type filter hook prerouting priority -300; policy accept;\n    ip daddr ${dstIp} udp dport ${dstPort} update @seen { ip saddr . udp sport . ip length } drop\n  }\n}\n`
  );
}

/** The keys in `nft -j list set …` output (elements print bare, or wrapped in `elem` when they carry more). */
export function parseArrivals(json: string): Set<string> {
  type Concat = { concat: [string, number, number] };
  const doc = JSON.parse(json) as { nftables?: { set?: { elem?: (Concat | { elem: { val: Concat } })[] } }[] };
  const elems = doc.nftables?.find((o) => o.set)?.set?.elem ?? [];
  return new Set(elems.map((e) => ('concat' in e ? e : e.elem.val).concat).map(([ip, port, bytes]) => arrivalKey(ip, port, bytes)));
}

export async function startDfReceiver(node: NodeHandle, dstIp: string, dstPort = DF_PROBE_PORT): Promise<DfReceiver> {
  const table = `netproof_df_${randomBytes(4).toString('hex')}`;
  const r = await node.exec(['nft', '-f', '-'], { input: receiverRuleset(table, dstIp, dstPort) });
  if (r.exitCode !== 0) throw new Error(`${node.name}: cannot count don't-fragment probes (nft -f: ${r.stderr.trim()})`);
  return {
    node,
    arrived: async () => {
      const l = await node.exec(['nft', '-j', 'list', 'set', 'ip', table, 'seen']);
      if (l.exitCode !== 0) throw new Error(`${node.name}: nft list set ip ${table} seen failed: ${l.stderr.trim()}`);
      return parseArrivals(l.stdout);
    },
    remove: async () => {
      await node.exec(['nft', 'delete', 'table', 'ip', table]);
    },
  };
}

/**
 * Send a `bytes`-long IPv4 packet twice with don't-fragment set, then a `markerBytes` one (0:
 * none), over one UDP socket bound to srcIp:srcPort. socat reads /dev/zero in blocks of the
 * payload size, each read one datagram. False when the sender's own device refuses the size.
 */
export async function sendDfProbe(node: NodeHandle, f: { srcIp: string; srcPort: number; dstIp: string; dstPort: number }, bytes: number, markerBytes: number): Promise<boolean> {
  const payload = bytes - IP_UDP_HEADERS;
  const marker = markerBytes ? markerBytes - IP_UDP_HEADERS : 0;
  // IP_MTU_DISCOVER (10) = IP_PMTUDISC_PROBE (3) at level IPPROTO_IP (0): DF set, the path MTU cache ignored.
  const to = `UDP4-SENDTO:${f.dstIp}:${f.dstPort},bind=${f.srcIp}:${f.srcPort},reuseaddr,setsockopt-int=0:10:3`;
  const r = await node.exec(['socat', '-u', '-t', '0', '-b', String(payload), `OPEN:/dev/zero,readbytes=${2 * payload + marker}`, to], { timeoutMs: 10_000 });
  if (r.exitCode === 0) return true;
  if (/Message too long/.test(r.stderr)) return false;
  throw new Error(`${node.name}: cannot send a ${bytes}-byte don't-fragment probe from ${f.srcIp}:${f.srcPort} to ${f.dstIp}: ${r.stderr.trim() || `socat exit ${r.exitCode}`}`);
}

/**
 * Whether a `bytes`-long DF packet gets from `ends.srcTep` to `ends.dstTep` by source port
 * `port`. A size fails when its marker arrived without it, or when nothing arrived twice: a lost
 * packet must not pass for a too big one, nor a slow one for a lost one.
 */
function dfProber(lab: StartedLab, ends: TunnelEnds, port: number, receiver: DfReceiver) {
  let sent = 0;
  return async (bytes: number): Promise<boolean> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      // Markers 29–428 B are unique per probe of this path, and smaller than any searched size (≥ 576).
      const markerBytes = bytes >= DF_FLOOR_BYTES ? IP_UDP_HEADERS + 1 + (sent++ % 400) : 0;
      if (!(await sendDfProbe(lab.node(ends.src), { srcIp: ends.srcTep, srcPort: port, dstIp: ends.dstTep, dstPort: DF_PROBE_PORT }, bytes, markerBytes))) return false;
      try {
        const { value } = await waitFor(
          async () => {
            const seen = await receiver.arrived();
            if (seen.has(arrivalKey(ends.srcTep, port, bytes))) return { ok: true, value: true };
            if (markerBytes && seen.has(arrivalKey(ends.srcTep, port, markerBytes))) return { ok: true, value: false };
            return { ok: false, reason: `neither the ${bytes}-byte probe nor its marker reached ${ends.dst}` };
          },
          { timeoutMs: ARRIVAL_MS, intervalsMs: [10, 20, 50, 100], description: `a ${bytes}-byte DF probe ${ends.src} → ${ends.dst} by source port ${port}` },
        );
        return value;
      } catch (e) {
        if (!(e instanceof WaitTimeoutError)) throw e;
      }
    }
    return false;
  };
}

/** MTU of every interface of `nodes`, "node:iface" → bytes; a node that cannot say contributes nothing. */
export async function nodeMtus(lab: StartedLab, nodes: Iterable<string>): Promise<Record<string, number>> {
  const per = await Promise.all([...new Set(nodes)].map(async (n) => [...(await interfaceMtus(lab.node(n)).catch(() => new Map<string, number>()))].map(([iface, mtu]) => [`${n}:${iface}`, mtu] as const)));
  return Object.fromEntries(per.flat());
}

/**
 * Both ways of every tunnel pair, every path: follow the paths (all pairs at once), read the MTUs
 * on them, then search each path's largest DF packet, those that share no link the same way at
 * once. A path whose search stops below its ceiling is followed again afterwards, to tell a
 * route that moved during the search from a path that drops.
 */
export async function measureTunnelPaths(lab: StartedLab, pairs: readonly TunnelEnds[]): Promise<TunnelMeasurement[]> {
  const owners = await addressOwners(lab);
  const walked = await Promise.all(
    pairs.map(async (ends) => {
      try {
        return { ends, ...(await underlayPaths(lab, ends, owners)) };
      } catch (e) {
        return { ends, paths: [], untaken: [], problems: [`${ends.src} → ${ends.dst}: ${(e as Error).message}`] };
      }
    }),
  );
  const mtus = await nodeMtus(lab, walked.flatMap((w) => w.paths.flatMap((p) => pathInterfaces(p).map((i) => i.split(':')[0]!))));
  const results = new Map(walked.map((w) => [w, [] as PathMtuMeasurement[]]));
  const receivers = new Map<string, DfReceiver>();
  try {
    const dsts = new Map(walked.filter((w) => w.paths.length).map((w) => [w.ends.dst, w.ends.dstTep]));
    // Settled, not all: every receiver that got made is in `receivers` before any failure is thrown, so none is left behind.
    for (const s of await Promise.allSettled([...dsts].map(async ([dst, tep]) => receivers.set(dst, await startDfReceiver(lab.node(dst), tep))))) if (s.status === 'rejected') throw s.reason;
    const items = walked.flatMap((w) => w.paths.map((path) => ({ w, path })));
    for (const round of disjointRounds(items, (i) => pathEgresses(i.path))) {
      await Promise.all(
        round.map(async ({ w, path }) => {
          const port = path.ports[0]!;
          const onPath = Object.fromEntries(pathInterfaces(path).flatMap((i) => (mtus[i] !== undefined ? [[i, mtus[i]!] as const] : [])));
          try {
            const search = await largestPassing(DF_FLOOR_BYTES, searchCeiling(pathInterfaces(path).map((i) => mtus[i])), dfProber(lab, w.ends, port, receivers.get(w.ends.dst)!));
            results.get(w)!.push({ path, port, search, mtus: onPath });
          } catch (e) {
            w.problems.push(`${pathLabel(path)}: ${(e as Error).message}`);
          }
        }),
      );
    }
  } finally {
    for (const r of receivers.values()) await r.remove().catch(() => undefined);
  }
  for (const [w, ms] of results) {
    for (const m of ms.filter((x) => x.search.largest < x.search.ceiling)) {
      const again = await enumeratePaths({ src: w.ends.src, dst: w.ends.dst, links: lab.topology.links, owners, ports: [m.port], lookup: lookupFor(lab, w.ends) }).catch(() => undefined);
      const now = again?.paths[0];
      if (now && pathLabel(now) !== pathLabel(m.path)) m.movedTo = pathLabel(now);
    }
  }
  return walked.map((w) => ({ ...w.ends, paths: results.get(w)!.sort((a, b) => pathLabel(a.path).localeCompare(pathLabel(b.path), 'en', { numeric: true })), untaken: w.untaken, problems: w.problems }));
}
