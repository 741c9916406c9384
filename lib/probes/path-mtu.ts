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
// Routers that hash alike send a flow the same way at every tier (the kernel's multipath hash has
// one seed for every namespace), so some equal-cost next hops carry no flow between two given
// TEPs. Such a branch is probed from the router that has it, from its own loopback: then every
// link on an equal-cost path is crossed by some probe, and a low MTU on it is found before a
// failure reshapes the groups and sends tunnels that way.
//
// Each probe sends the packet twice, then a small marker down the same path (same 5-tuple);
// the receiver records every (source, source port, IP length) that arrives in an nftables set
// of its own. When the marker is there and the probe is not, the probe was dropped on the way:
// no timeout is needed to call a size too big. Tools: socat, nft, ip (in every node).
import { randomBytes } from 'node:crypto';
import { parseJson } from '../exec.ts';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { largestPassing, searchCeiling, DF_FLOOR_BYTES, type DfSearch } from '../plan/df-search.ts';
import { branchLabel, disjointRounds, enumeratePaths, pathEgresses, pathInterfaces, pathLabel, type Lookup, type NodeLookups, type PathEnumeration, type PathHop, type RouteLookup, type UnderlayPath } from '../plan/ecmp-paths.ts';
import { waitFor, WaitTimeoutError } from '../wait-for.ts';
import { addresses, interfaceMtus, loopbacks } from './kernel.ts';

/** The probes' destination port: traceroute's, so nothing listens there; the receiver drops them once counted. */
export const DF_PROBE_PORT = 33434;
/** Source ports sampled to find the paths: below BFD's 49152–65535, so no session's port is taken. */
export const SAMPLE_PORTS = { base: 40_000, count: 256 } as const;
/** How many tiers deep branches are followed from the routers that have them. */
const MAX_BRANCH_DEPTH = 4;
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
  /** The paths flows from srcTep to dstTep take. */
  paths: PathMtuMeasurement[];
  /** Why a path or a branch could not be followed or measured (no route, a device on no link, a probe that could not be sent). */
  problems: string[];
}

/** An equal-cost branch no flow of some tunnel pairs takes, measured from the router that has it on. */
export interface BranchMeasurement extends PathMtuMeasurement {
  /** The tunnel pairs whose equal-cost paths include it, e.g. `host1 → host2`. */
  of: string[];
  /** The router's address the probes left from (its loopback). */
  srcIp: string;
}

export interface TunnelPathsMeasurement {
  tunnels: TunnelMeasurement[];
  branches: BranchMeasurement[];
}

export interface AddressBook {
  /** Every IPv4 address of the lab's routers → "node:iface", to follow a next hop to its node. */
  owners: Map<string, string>;
  /** Each router's loopback (its first global /32, on lo when it has one there): where a branch is probed from. */
  loopbackOf: Map<string, string>;
}

export async function addressBook(lab: StartedLab): Promise<AddressBook> {
  const routers = lab.nodes().filter((n) => n.spec.role === 'router');
  const read = await Promise.all(routers.map(async (n) => ({ node: n.name, addrs: await addresses(n) })));
  const owners = new Map(read.flatMap(({ node, addrs }) => addrs.filter((a) => a.family === 'inet').map((a) => [a.local, `${node}:${a.iface}`] as const)));
  const loopbackOf = new Map(
    read.flatMap(({ node, addrs }) => {
      const own = [...addrs.filter((a) => a.iface === 'lo'), ...addrs.filter((a) => a.iface !== 'lo')];
      const lo = loopbacks(own)[0];
      return lo ? [[node, lo.replace(/\/32$/, '')] as const] : [];
    }),
  );
  return { owners, loopbackOf };
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

const SAMPLED = Array.from({ length: SAMPLE_PORTS.count }, (_, i) => SAMPLE_PORTS.base + i);

/** The distinct paths flows from `ends.srcTep` to `ends.dstTep` take, each with the sampled source ports that take it, and the next hops none takes. */
export function underlayPaths(lab: StartedLab, ends: TunnelEnds, owners: ReadonlyMap<string, string>): Promise<PathEnumeration> {
  return enumeratePaths({ src: ends.src, dst: ends.dst, links: lab.topology.links, owners, ports: SAMPLED, lookup: lookupFor(lab, ends) });
}

interface Branch {
  at: string;
  hop: PathHop;
  dst: string;
  dstTep: string;
  /** The tunnel pairs it belongs to. */
  of: Set<string>;
}

interface Segment {
  ends: TunnelEnds;
  path: UnderlayPath;
  of: Set<string>;
}

const hopKey = (h: PathHop) => `${h.out.node}:${h.out.iface}`;

/**
 * The paths from each branch's router, by the branch, to its destination, steered from the
 * router's own loopback; branches further down that its own flows leave untaken are followed
 * in turn. Each (router, next hop, destination) once, whichever pairs share it.
 */
async function followBranches(lab: StartedLab, seeds: Branch[], book: AddressBook): Promise<{ segments: Segment[]; problems: { of: Set<string>; text: string }[] }> {
  const segments = new Map<string, Segment>();
  const problems: { of: Set<string>; text: string }[] = [];
  const merge = (into: Map<string, Branch>, b: Branch) => {
    const key = `${b.at} ${hopKey(b.hop)} ${b.dst}`;
    const had = into.get(key);
    if (had) for (const o of b.of) had.of.add(o);
    else into.set(key, { ...b, of: new Set(b.of) });
  };
  let level = new Map<string, Branch>();
  for (const b of seeds) merge(level, b);
  for (let depth = 0; level.size && depth < MAX_BRANCH_DEPTH; depth++) {
    const next = new Map<string, Branch>();
    await Promise.all(
      [...level.values()].map(async (b) => {
        const srcIp = book.loopbackOf.get(b.at);
        if (!srcIp) {
          problems.push({ of: b.of, text: `${branchLabel(b)} towards ${b.dst}: no flow takes it, and ${b.at} has no loopback to probe it from` });
          return;
        }
        const ends: TunnelEnds = { src: b.at, dst: b.dst, srcTep: srcIp, dstTep: b.dstTep };
        try {
          const e = await enumeratePaths({ src: b.at, dst: b.dst, links: lab.topology.links, owners: book.owners, ports: SAMPLED, lookup: lookupFor(lab, ends) });
          const mine = e.paths.filter((p) => p.hops[0] && hopKey(p.hops[0]) === hopKey(b.hop));
          if (!mine.length) problems.push({ of: b.of, text: `${branchLabel(b)} towards ${b.dst}: no flow takes it, not even from ${b.at}'s own loopback ${srcIp}: it cannot be probed` });
          for (const path of mine) {
            const key = pathLabel(path);
            const had = segments.get(key);
            if (had) for (const o of b.of) had.of.add(o);
            else segments.set(key, { ends, path, of: new Set(b.of) });
          }
          for (const text of e.problems) problems.push({ of: b.of, text });
          for (const u of e.untaken) if (u.prefix[0] && hopKey(u.prefix[0]) === hopKey(b.hop)) merge(next, { at: u.at, hop: u.hop, dst: b.dst, dstTep: b.dstTep, of: b.of });
        } catch (err) {
          problems.push({ of: b.of, text: `${branchLabel(b)} towards ${b.dst}: ${(err as Error).message}` });
        }
      }),
    );
    level = next;
  }
  return { segments: [...segments.values()], problems };
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

const byLabel = (a: { path: UnderlayPath }, b: { path: UnderlayPath }) => pathLabel(a.path).localeCompare(pathLabel(b.path), 'en', { numeric: true });

/**
 * Both ways of every tunnel pair, every path: follow the paths (all pairs at once) and the
 * branches none of their flows takes, read the MTUs on them, then search each one's largest DF
 * packet, those that share no link the same way at once. A path whose search stops below its
 * ceiling is followed again afterwards, to tell a route that moved during the search from a path
 * that drops.
 */
export async function measureTunnelPaths(lab: StartedLab, pairs: readonly TunnelEnds[]): Promise<TunnelPathsMeasurement> {
  const book = await addressBook(lab);
  const pairLabel = (e: TunnelEnds) => `${e.src} → ${e.dst}`;
  const walked = await Promise.all(
    pairs.map(async (ends) => {
      try {
        return { ends, ...(await underlayPaths(lab, ends, book.owners)) };
      } catch (e) {
        return { ends, paths: [] as UnderlayPath[], untaken: [], problems: [`${pairLabel(ends)}: ${(e as Error).message}`] };
      }
    }),
  );
  const followed = await followBranches(lab, walked.flatMap((w) => w.untaken.map((u) => ({ at: u.at, hop: u.hop, dst: w.ends.dst, dstTep: w.ends.dstTep, of: new Set([pairLabel(w.ends)]) }))), book);
  const problemsOf = new Map(walked.map((w) => [pairLabel(w.ends), w.problems]));
  for (const p of followed.problems) for (const o of p.of) problemsOf.get(o)!.push(p.text);

  type Item = { ends: TunnelEnds; path: UnderlayPath; done: (m: PathMtuMeasurement) => void; fail: (text: string) => void };
  const realized = new Map(walked.map((w) => [w, [] as PathMtuMeasurement[]]));
  const branches: BranchMeasurement[] = [];
  const items: Item[] = [
    ...walked.flatMap((w) => w.paths.map((path): Item => ({ ends: w.ends, path, done: (m) => realized.get(w)!.push(m), fail: (text) => w.problems.push(`${pathLabel(path)}: ${text}`) }))),
    ...followed.segments.map((s): Item => ({ ends: s.ends, path: s.path, done: (m) => branches.push({ ...m, of: [...s.of].sort(), srcIp: s.ends.srcTep }), fail: (text) => { for (const o of s.of) problemsOf.get(o)!.push(`${pathLabel(s.path)}: ${text}`); } })),
  ];
  const mtus = await nodeMtus(lab, items.flatMap((i) => pathInterfaces(i.path).map((x) => x.split(':')[0]!)));
  const receivers = new Map<string, DfReceiver>();
  try {
    const dsts = new Map(items.map((i) => [i.ends.dst, i.ends.dstTep]));
    // Settled, not all: every receiver that got made is in `receivers` before any failure is thrown, so none is left behind.
    for (const s of await Promise.allSettled([...dsts].map(async ([dst, tep]) => receivers.set(dst, await startDfReceiver(lab.node(dst), tep))))) if (s.status === 'rejected') throw s.reason;
    for (const round of disjointRounds(items, (i) => pathEgresses(i.path))) {
      await Promise.all(
        round.map(async (i) => {
          const port = i.path.ports[0]!;
          const crossed = pathInterfaces(i.path);
          const onPath = Object.fromEntries(crossed.flatMap((x) => (mtus[x] !== undefined ? [[x, mtus[x]!] as const] : [])));
          try {
            const search = await largestPassing(DF_FLOOR_BYTES, searchCeiling(crossed.map((x) => mtus[x])), dfProber(lab, i.ends, port, receivers.get(i.ends.dst)!));
            const m: PathMtuMeasurement = { path: i.path, port, search, mtus: onPath };
            if (search.largest < search.ceiling) {
              const again = await enumeratePaths({ src: i.ends.src, dst: i.ends.dst, links: lab.topology.links, owners: book.owners, ports: [port], lookup: lookupFor(lab, i.ends) }).catch(() => undefined);
              const now = again?.paths[0];
              if (now && pathLabel(now) !== pathLabel(i.path)) m.movedTo = pathLabel(now);
            }
            i.done(m);
          } catch (e) {
            i.fail((e as Error).message);
          }
        }),
      );
    }
  } finally {
    for (const r of receivers.values()) await r.remove().catch(() => undefined);
  }
  return {
    tunnels: walked.map((w) => ({ ...w.ends, paths: realized.get(w)!.sort(byLabel), problems: w.problems })),
    branches: branches.sort(byLabel),
  };
}
