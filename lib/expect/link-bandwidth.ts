// Weighted ECMP's cause, checked where it is set: every path a weighted route is learned over
// carries the BGP link-bandwidth extended community with the bandwidth declared for its
// interface. A missing or different community is named here, not only as wrong weights. Pure.
import type { ExpectedRoute } from '../plan/expected-routing.ts';

/** One path of `show bgp ipv4 unicast PREFIX json`, as far as this check reads it. */
export interface BgpPath {
  peer?: { peerId?: string; interface?: string };
  nexthops?: { ip?: string; interface?: string }[];
  extendedCommunity?: { string?: string };
}

/** The link bandwidth of a path in Mbit/s, from FRR's `LB:ASN:BYTES-PER-SECOND (…)`; undefined without one. */
export function linkBandwidthMbps(path: BgpPath): number | undefined {
  const m = /\bLB:\d+:(\d+)/.exec(path.extendedCommunity?.string ?? '');
  return m ? (Number(m[1]) * 8) / 1e6 : undefined;
}

/**
 * For each next hop of a weighted route: the path learned from that neighbor must carry the
 * declared bandwidth. `owners` maps peer addresses to "node:iface"; an unnumbered path is matched
 * by its interface. `declaredIn` names the intent file for the fix.
 */
export function linkBandwidthCulprits(route: ExpectedRoute, paths: readonly BgpPath[], owners: ReadonlyMap<string, string>, declaredIn: string): string[] {
  if (!route.weighted) return [];
  const what = route.description ?? `${route.prefix} (loopback of ${route.owner})`;
  const neighborOf = (p: BgpPath) => owners.get(p.peer?.peerId ?? '')?.split(':')[0] ?? route.candidates.find((c) => c.iface === (p.peer?.interface ?? p.nexthops?.[0]?.interface))?.neighbor;
  const out: string[] = [];
  for (const c of route.candidates) {
    const where = `${route.at}: ${what} learned from ${c.neighbor} over ${c.iface}`;
    const declared = `declared ${c.weight!.bandwidthMbps} Mbit/s (routers.${route.at}.link-bandwidth.${c.iface} in ${declaredIn})`;
    // A neighbor no path was learned from is the RIB check's culprit (a next hop short of the
    // declared ones, named by routeCulprits): one fault, one line.
    const path = paths.find((p) => neighborOf(p) === c.neighbor);
    if (!path) continue;
    const mbps = linkBandwidthMbps(path);
    if (mbps === undefined) out.push(`${where} carries no link-bandwidth community (extended communities: ${path.extendedCommunity?.string ?? 'none'}); ${declared}`);
    // The community carries bytes per second as a 32-bit float: a few bits of rounding.
    else if (Math.abs(mbps - c.weight!.bandwidthMbps) > c.weight!.bandwidthMbps * 1e-3) out.push(`${where} carries link bandwidth ${Number(mbps.toPrecision(6))} Mbit/s; ${declared}`);
  }
  return out;
}
