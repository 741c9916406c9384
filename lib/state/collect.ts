// Read a running lab into the normalised router part of a snapshot: BGP sessions by peer node,
// zebra's RIB and the kernel FIB per prefix with next hops by neighbour (IPv6 too on a dual-stack router), BFD sessions with
// their negotiated timers, the multipath hash and every link end's MTU. Read only; polled
// until two looks agree, so a lab still settling (after a failover test) is not caught mid-way.
import { Address4 } from 'ip-address';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import type { LabLink } from '../model/topology.ts';
import { hashPolicyName } from '../model/intent.ts';
import { vtyshJson, type BgpSummary, type RibEntry } from '../probes/frr.ts';
import type { BfdPeer } from '../probes/failover.ts';
import { addresses, anonymousGateway, interfaceMtus, kernelRoutes, multipathHashPolicy, type KernelRoute } from '../probes/kernel.ts';
import { waitFor } from '../wait-for.ts';
import { familyOf } from '../plan/expected-routing.ts';
import type { BfdState, RouteState, RouterState, SessionState, Snapshot } from './snapshot.ts';

/** Remote timers FRR reports next to the local ones (`show bfd peers json`). */
type BfdPeerJson = BfdPeer & { 'transmit-interval': number; 'remote-receive-interval': number };

/** Every IPv4 address of the lab → the node that owns it, to name peers and next hops by node. */
export async function addressOwners(lab: StartedLab): Promise<Map<string, string>> {
  const all = await Promise.all(lab.nodes().map(async (n) => (await addresses(n)).filter((a) => a.family === 'inet').map((a) => [a.local, n.name] as const)));
  return new Map(all.flat().filter(([ip]) => !ip.startsWith('127.')));
}

/** Every IPv6 link-local address on the lab's links → `node:iface`: BGP unnumbered's next hops and BFD peers. */
async function linkLocalOwners(lab: StartedLab): Promise<Map<string, string>> {
  const all = await Promise.all(lab.nodes().map(async (n) => (await addresses(n)).filter((a) => a.family === 'inet6' && a.scope === 'link').map((a) => [a.local, `${n.name}:${a.iface}`] as const)));
  return new Map(all.flat());
}

/** The other end of each link end, from the topology: `node:iface` → `node:iface`. */
export function linkEnds(links: readonly LabLink[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [a, b] of links.map((l) => l.endpoints)) {
    out.set(`${a.node}:${a.iface}`, `${b.node}:${b.iface}`);
    out.set(`${b.node}:${b.iface}`, `${a.node}:${a.iface}`);
  }
  return out;
}

const nodeOf = (end: string | undefined) => end?.split(':')[0];

/**
 * The lab is dual-stack where its intent declares IPv6 loopbacks: then every router's IPv6 routes
 * are read too (a lab whose routers merely have IPv6 addresses keeps the IPv4 snapshot it had).
 */
const declaresIpv6 = (lab: StartedLab) => Object.values(lab.topology.intent?.routers ?? {}).some((r) => r.loopbacks?.some((l) => familyOf(l) === 6));

/** IPv6 prefixes a router has of itself on every link (link-local, multicast, ::1): not routing, left out of the snapshot. */
export const isRoutedIpv6Prefix = (prefix: string) => !/^(fe[89ab][0-9a-f]?:|ff[0-9a-f]{2}:|::1\/128$)/i.test(prefix);

/** How a next hop is written in the snapshot: `eth1 → spine1`, by its gateway's owner, or by the neighbor on its interface where the gateway names none. */
export const byNeighbour = (owners: Map<string, string>, neighbourOn: (dev: string) => string | undefined = () => undefined) => (dev: string | undefined, gateway: string | undefined): string => {
  if (!gateway) return dev ?? '?';
  const owner = owners.get(gateway) ?? (dev !== undefined && anonymousGateway(gateway) ? neighbourOn(dev) : undefined);
  return `${dev ?? '?'} → ${owner ?? gateway}`;
};

/** The next hops' weights by label, when they differ (weighted ECMP); undefined when all are alike, as on a plain ECMP route. */
function weightsOf(hops: readonly { label: string; weight?: number }[]): Record<string, number> | undefined {
  const weights = hops.map((h) => h.weight ?? 1);
  if (weights.every((w) => w === weights[0])) return undefined;
  return Object.fromEntries(hops.map((h) => [h.label, h.weight ?? 1]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

function ribState(rib: Record<string, RibEntry[]>, label: ReturnType<typeof byNeighbour>): Record<string, RouteState> {
  const out: Record<string, RouteState> = {};
  for (const [prefix, entries] of Object.entries(rib)) {
    const selected = entries.find((e) => e.selected);
    if (!selected) continue;
    const hops = selected.nexthops.filter((h) => h.active !== false).map((h) => ({ label: h.blackhole ? 'blackhole' : h.unreachable ? 'unreachable' : label(h.interfaceName, h.ip), weight: h.weight }));
    const weights = weightsOf(hops);
    out[prefix] = { protocol: selected.protocol, nexthops: [...new Set(hops.map((h) => h.label))].sort(), ...(weights ? { weights } : {}) };
  }
  return out;
}

function fibState(routes: KernelRoute[], label: ReturnType<typeof byNeighbour>): Record<string, RouteState> {
  const out: Record<string, RouteState> = {};
  for (const r of routes) {
    const hops = r.type && r.type !== 'unicast' ? [{ label: r.type }] : r.nexthops.map((h) => ({ label: label(h.dev, h.gateway), weight: h.weight }));
    const weights = weightsOf(hops);
    out[r.dst] = { protocol: r.protocol ?? 'boot', nexthops: [...new Set(hops.map((h) => h.label))].sort(), ...(weights ? { weights } : {}) };
  }
  return out;
}

/** A path of `show bgp ipv4 unicast json`: the fields that say whether it ties with the best. */
interface BgpPath {
  valid?: boolean;
  bestpath?: boolean;
  path?: string;
  nexthops?: { ip: string }[];
}

/** Per prefix, the next-hop addresses of every valid path whose AS path is as short as the best's: BGP's equal-cost candidates. */
export function equalCostCandidates(routes: Record<string, BgpPath[]>): Map<string, string[]> {
  const length = (p: BgpPath) => (p.path ? p.path.split(' ').length : 0);
  const out = new Map<string, string[]>();
  for (const [prefix, paths] of Object.entries(routes)) {
    const best = paths.find((p) => p.bestpath);
    if (!best) continue;
    const ips = paths.filter((p) => p.valid && length(p) === length(best)).flatMap((p) => (p.nexthops ?? []).map((h) => h.ip));
    out.set(prefix, [...new Set(ips)]);
  }
  return out;
}

/**
 * With maximum-paths below the number of equal-cost candidates, which one BGP installs is an
 * accident of timing (the oldest path wins): record the candidates and how many are used, so a
 * healthy lab snapshots the same every run.
 */
function withCandidates(routes: Record<string, RouteState>, candidates: Map<string, string[]>): Record<string, RouteState> {
  const out: Record<string, RouteState> = {};
  for (const [prefix, r] of Object.entries(routes)) {
    const all = candidates.get(prefix);
    const chosen = r.protocol === 'bgp' && all && all.length > r.nexthops.length && r.nexthops.every((h) => all.includes(h));
    out[prefix] = chosen ? { protocol: r.protocol, nexthops: [...all].sort(), uses: r.nexthops.length } : r;
  }
  return out;
}

/** The interface a next-hop address is reached by: the connected route whose subnet holds it (IPv4 only; undefined for a link-local IPv6 next hop). */
function deviceFor(kernel: KernelRoute[], ip: string): string | undefined {
  if (!Address4.isValid(ip)) return undefined;
  const a = new Address4(ip);
  // Connected IPv4 subnets only: a dual-stack router's kernel routes hold IPv6 ones too.
  return kernel.find((r) => r.protocol === 'kernel' && !r.nexthops.some((h) => h.gateway) && Address4.isValid(r.dst) && a.isInSubnet(new Address4(r.dst)))?.nexthops[0]?.dev;
}

/** Keyed by peer node; by node:address when one router has two sessions with one peer. */
function keyed<T extends { peer: string }>(items: (T & { address: string })[]): Record<string, T> {
  const count = new Map<string, number>();
  for (const i of items) count.set(i.peer, (count.get(i.peer) ?? 0) + 1);
  const out: Record<string, T> = {};
  for (const { address, ...item } of items) out[count.get(item.peer)! > 1 ? `${item.peer}@${address}` : item.peer] = item as unknown as T;
  return out;
}

async function routerState(node: NodeHandle, owners: Map<string, string>, ends: Map<string, string>, linkLocals: Map<string, string>, ipv6: boolean): Promise<RouterState> {
  const neighbourOn = (dev: string) => nodeOf(ends.get(`${node.name}:${dev}`));
  // This router's interface on the link whose far end owns a link-local address.
  const devTowards = (farEnd: string) => ends.get(farEnd)?.split(':')[1];
  const label = byNeighbour(owners, neighbourOn);
  const hasBgp = node.frrDaemons.includes('bgpd');
  const hasBfd = node.frrDaemons.includes('bfdd');
  // Each asked of the daemon that answers it, over the connection the node keeps open.
  // A dual-stack router's IPv6 tables too, keyed by prefix beside the IPv4 ones.
  const commands = [
    ...(hasBgp ? ['show bgp summary json', 'show bgp ipv4 unicast json', ...(ipv6 ? ['show bgp ipv6 unicast json'] : [])] : []),
    'show ip route json',
    ...(ipv6 ? ['show ipv6 route json'] : []),
    ...(hasBfd ? ['show bfd peers json'] : []),
  ];
  const [docs, kernel4, kernel6, hash, hash6] = await Promise.all([Promise.all(commands.map((c) => vtyshJson(node, c))), kernelRoutes(node), ipv6 ? kernelRoutes(node, 6) : [], multipathHashPolicy(node), ipv6 ? multipathHashPolicy(node, 6) : undefined]);
  const kernel = [...kernel4, ...kernel6.filter((r) => isRoutedIpv6Prefix(r.dst))];
  const output = <T>(command: string) => docs[commands.indexOf(command)] as T | undefined;
  const summary = output<{ ipv4Unicast?: BgpSummary }>('show bgp summary json')?.ipv4Unicast;
  const table = { ...output<{ routes?: Record<string, BgpPath[]> }>('show bgp ipv4 unicast json')?.routes, ...output<{ routes?: Record<string, BgpPath[]> }>('show bgp ipv6 unicast json')?.routes };
  const rib6 = Object.entries(output<Record<string, RibEntry[]>>('show ipv6 route json') ?? {}).filter(([prefix]) => isRoutedIpv6Prefix(prefix));
  const rib = { ...output<Record<string, RibEntry[]>>('show ip route json')!, ...Object.fromEntries(rib6) };
  const bfd = output<BfdPeerJson[]>('show bfd peers json') ?? [];
  const sessions = keyed<SessionState>(
    // An unnumbered peer is keyed by its interface: named by the neighbor on it.
    Object.entries(summary?.peers ?? {}).map(([address, p]) => ({ address, peer: owners.get(address) ?? neighbourOn(address) ?? address, state: p.state, prefixes: p.pfxRcd ?? 0 })),
  );
  const bfdSessions = keyed<BfdState>(
    bfd.map((p) => ({
      address: p.peer,
      peer: owners.get(p.peer) ?? nodeOf(linkLocals.get(p.peer)) ?? (p.interface !== undefined ? neighbourOn(p.interface) : undefined) ?? p.peer,
      status: p.status,
      // Negotiated: each side runs at the slower of what it wants and what the other accepts.
      transmitIntervalMs: Math.max(p['transmit-interval'], p['remote-receive-interval'] ?? 0),
      receiveIntervalMs: Math.max(p['receive-interval'], p['remote-transmit-interval'] ?? 0),
      detectMultiplier: p['detect-multiplier'],
    })),
  );
  // A link-local next hop (unnumbered) is named by its owner, as the kernel route's 169.254.0.1 is by the neighbor on its interface.
  const candidates = new Map([...equalCostCandidates(table)].map(([prefix, ips]) => [prefix, ips.map((ip) => (linkLocals.has(ip) ? `${devTowards(linkLocals.get(ip)!) ?? '?'} → ${nodeOf(linkLocals.get(ip))}` : label(deviceFor(kernel, ip), ip)))]));
  return {
    ...(summary ? { asn: summary.as } : {}),
    sessions,
    rib: withCandidates(ribState(rib, label), candidates),
    fib: withCandidates(fibState(kernel, label), candidates),
    bfd: bfdSessions,
    // A value the intent has no name for is kept raw, an unreadable one as '': a diff shows either.
    multipathHash: hashPolicyName(hash) ?? String(hash ?? ''),
    ...(ipv6 ? { multipathHash6: hashPolicyName(hash6) ?? String(hash6 ?? '') } : {}),
  };
}

/** MTU of every link end the topology declares, by `node:iface`. */
async function linkMtus(lab: StartedLab): Promise<Record<string, number>> {
  const ends = new Map<string, Set<string>>();
  for (const l of lab.topology.links) for (const e of l.endpoints) ends.set(e.node, (ends.get(e.node) ?? new Set()).add(e.iface));
  const out: Record<string, number> = {};
  await Promise.all(
    [...ends].map(async ([node, ifaces]) => {
      for (const [iface, mtu] of await interfaceMtus(lab.node(node))) if (ifaces.has(iface)) out[`${node}:${iface}`] = mtu;
    }),
  );
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
}

export type LiveState = Pick<Snapshot, 'routers' | 'mtu'> & {
  /** Routers that could not be read (a daemon down), with why: left out of the snapshot, so a diff shows them gone. */
  unreadable: Record<string, string>;
};

/** One look at every FRR router and every link end. */
export async function readLiveState(lab: StartedLab): Promise<LiveState> {
  const owners = await addressOwners(lab);
  const linkLocals = await linkLocalOwners(lab);
  const ipv6 = declaresIpv6(lab);
  const ends = linkEnds(lab.topology.links);
  const frr = lab.nodes().filter((n) => n.frrDaemons.includes('zebra'));
  const read = await Promise.all(frr.map(async (n) => [n.name, await routerState(n, owners, ends, linkLocals, ipv6).catch((e: unknown) => (e as Error).message)] as const));
  const routers = Object.fromEntries(read.filter((r): r is readonly [string, RouterState] => typeof r[1] !== 'string'));
  const unreadable = Object.fromEntries(read.filter((r): r is readonly [string, string] => typeof r[1] === 'string'));
  return { routers, mtu: await linkMtus(lab), unreadable };
}

/** How long apart the snapshot's two looks are: a route still moving shows as a difference. */
export const SETTLE_LOOK_MS = 500;

/**
 * The live state once two looks SETTLE_LOOK_MS apart agree, or the last look when the lab has
 * not settled within `timeoutMs` (a broken lab still gets a snapshot: that is what diffs find).
 */
export async function settledLiveState(lab: StartedLab, timeoutMs: number): Promise<{ state: LiveState; settled: boolean }> {
  let previous: string | undefined;
  let last: LiveState | undefined;
  try {
    await waitFor(
      async () => {
        last = await readLiveState(lab);
        const text = JSON.stringify(last);
        const same = text === previous;
        previous = text;
        return same ? { ok: true, value: true } : { ok: false, reason: 'routers still changing between two looks' };
      },
      { timeoutMs, intervalsMs: [SETTLE_LOOK_MS], description: 'the lab to settle for its state snapshot' },
    );
    return { state: last!, settled: true };
  } catch {
    return { state: last ?? (await readLiveState(lab)), settled: false };
  }
}
