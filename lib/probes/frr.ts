// Read FRR state through vtysh's JSON output. Never screen-scrape, never turn bad JSON into {}.
import { parseJson } from '../exec.ts';
import type { NodeHandle } from '../lab/started-lab.ts';
import { familyOf } from '../plan/expected-routing.ts';

export async function vtyshJson<T = unknown>(node: NodeHandle, command: string): Promise<T> {
  const r = await node.vtysh(command);
  if (r.exitCode !== 0) throw new Error(`${node.name}: vtysh -c '${command}' failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return parseJson<T>(r);
}

export interface BgpPeer {
  state: string;
  remoteAs: number;
  hostname?: string;
  pfxRcd?: number;
  peerUptimeMsec?: number;
  /** Why the session last went down, from `show bgp neighbors json` (only fetched for sessions that are down). */
  lastReset?: string;
}

export interface BgpSummary {
  /** Local ASN. */
  as: number;
  routerId: string;
  peers: Record<string, BgpPeer>;
}

/** IPv4 unicast BGP summary; throws while bgpd has not loaded its configuration yet. */
export async function bgpSummary(node: NodeHandle): Promise<BgpSummary> {
  const json = await vtyshJson<{ ipv4Unicast?: BgpSummary }>(node, 'show bgp summary json');
  if (!json.ipv4Unicast) throw new Error(`${node.name}: bgpd shows no IPv4 unicast BGP instance (not configured yet, or no "router bgp" in its frr.conf)`);
  return json.ipv4Unicast;
}

/** Add the reason each session that is not Established last reset (e.g. "OPEN Message Error/Bad Peer AS"). */
export async function explainDownSessions(node: NodeHandle, summary: BgpSummary): Promise<BgpSummary> {
  if (Object.values(summary.peers).every((p) => p.state === 'Established')) return summary;
  const neighbors = await vtyshJson<Record<string, { lastResetDueTo?: string; lastNotificationReason?: string }>>(node, 'show bgp neighbors json');
  // An unnumbered peer (keyed by its interface) needs the interface's IPv6 link-local address: say when it has none.
  const down = Object.entries(summary.peers).filter(([, p]) => p.state !== 'Established').map(([key]) => key);
  const linkLocal = down.some((key) => !key.includes('.') && !key.includes(':')) ? await linkLocalInterfaces(node) : new Set<string>();
  const peers = Object.fromEntries(
    Object.entries(summary.peers).map(([key, peer]) => {
      const n = neighbors[key];
      const noLinkLocal = down.includes(key) && !key.includes('.') && !key.includes(':') && !linkLocal.has(key) ? `${node.name}:${key} has no IPv6 link-local address` : '';
      const reason = [noLinkLocal, n?.lastResetDueTo, n?.lastNotificationReason].filter(Boolean).join(': ');
      return [key, peer.state !== 'Established' && reason ? { ...peer, lastReset: reason } : peer];
    }),
  );
  return { ...summary, peers };
}

/** The node's interfaces that have an IPv6 link-local address (`ip -j addr show scope link`). */
async function linkLocalInterfaces(node: NodeHandle): Promise<Set<string>> {
  const links = JSON.parse((await node.ipJson(['addr', 'show', 'scope', 'link'])) || '[]') as { ifname: string; addr_info?: { family?: string }[] }[];
  return new Set(links.filter((l) => l.addr_info?.some((a) => a.family === 'inet6')).map((l) => l.ifname));
}

export interface RibNexthop {
  ip?: string;
  interfaceName?: string;
  fib?: boolean;
  active?: boolean;
  blackhole?: boolean;
  unreachable?: boolean;
  /** Weighted ECMP: the next hop's weight (FRR shows none on an unweighted route). */
  weight?: number;
}

export interface RibEntry {
  prefix: string;
  protocol: string;
  selected?: boolean;
  installed?: boolean;
  nexthops: RibNexthop[];
}

/** zebra's selected route for exactly `prefix`, if any. */
export async function ribRoute(node: NodeHandle, prefix: string): Promise<RibEntry | undefined> {
  const json = await vtyshJson<Record<string, RibEntry[]>>(node, `show ${familyOf(prefix) === 6 ? 'ipv6' : 'ip'} route ${prefix} json`);
  return json[prefix]?.find((e) => e.selected);
}

/** Next hops zebra installed in the kernel for the route (fib flag set). */
export function fibNexthops(e: RibEntry | undefined): RibNexthop[] {
  return e?.nexthops.filter((n) => n.fib) ?? [];
}
