// Compare what the routers report with what the topology implies, and name every culprit:
// the node, the session or prefix, what was expected and what was seen. Pure.
import { sessionWhere, type ExpectedRoute, type ExpectedSession } from '../plan/expected-routing.ts';
import type { ObservedRoutes } from '../probes/fabric.ts';
import type { BgpPeer, BgpSummary, RibEntry } from '../probes/frr.ts';

/** The first thing wrong with each expected session, plus configured sessions that are down. */
export function sessionCulprits(expected: ExpectedSession[], summaries: Map<string, BgpSummary | undefined>): string[] {
  const out: string[] = [];
  const covered = new Set<string>();
  for (const s of expected) {
    const summary = summaries.get(s.at);
    // An unnumbered session is named by both interfaces: `leaf1:eth1 ↔ spine1:eth1: …`.
    const to = s.unnumbered ? `${sessionWhere(s)}:` : `${s.at}:`;
    const what = s.unnumbered ? 'unnumbered session' : `session to ${s.neighbor} (${s.peerAddress}) over ${s.iface}`;
    if (!summary) {
      out.push(`${to} bgpd is not answering (no BGP summary), expected ${s.unnumbered ? 'an unnumbered session' : `a session to ${s.neighbor} (${s.peerAddress}) over ${s.iface}`}`);
      continue;
    }
    // Numbered peers are keyed by address, unnumbered ones by interface name.
    const key = summary.peers[s.peerAddress] ? s.peerAddress : summary.peers[s.iface] ? s.iface : undefined;
    if (!key) {
      out.push(`${to} no ${s.unnumbered ? 'unnumbered BGP session (neighbor ' + s.iface + ' interface)' : `BGP session to ${s.neighbor} (${s.peerAddress}) over ${s.iface}`} is configured, expected one on every fabric link (configured peers: ${Object.keys(summary.peers).join(', ') || 'none'})`);
      continue;
    }
    covered.add(`${s.at}|${key}`);
    const peer = summary.peers[key]!;
    if (peer.state !== 'Established') out.push(`${to} ${what} is ${peer.state}, expected Established${lastReset(peer)}`);
  }
  for (const [node, summary] of summaries) {
    for (const [key, peer] of Object.entries(summary?.peers ?? {})) {
      if (!covered.has(`${node}|${key}`) && peer.state !== 'Established') out.push(`${node}: configured session to ${key} (AS ${peer.remoteAs}) is ${peer.state}, expected Established${lastReset(peer)}`);
    }
  }
  return out;
}

const lastReset = (peer: BgpPeer) => (peer.lastReset ? ` (last reset: ${peer.lastReset})` : '');

/** One observed next hop: the interface it leaves by, the gateway, if any, and its weight. */
interface Hop {
  iface?: string;
  gateway?: string;
  weight?: number;
}

/** How far an installed share may be from the declared one: FRR rounds each weight down to a whole per cent of the total. */
export const WEIGHT_SHARE_TOLERANCE = 0.02;

const percent = (share: number) => `${(share * 100).toFixed(0)} %`;

const expectedVia = (r: ExpectedRoute) => r.candidates.map((c) => `${c.iface} → ${c.neighbor}`).join(', ');

/**
 * Every expected loopback route that is missing, or has the wrong number of next hops in the
 * RIB or the kernel FIB. A next hop is identified by the node owning its gateway address
 * (`owners`: address → "node:iface"), so it matches whatever local interface carries the
 * session (eth1, or br-phy on an OVS chassis); without an owner it is matched by interface.
 * With `weights`, a weighted route's next hops must also carry the declared shares (the ECMP
 * suite asks; convergence is about reachability and width, and does not).
 */
export function routeCulprits(expected: ExpectedRoute[], observed: Map<string, ObservedRoutes>, owners?: Map<string, string>, o: { weights?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const r of expected) {
    const seen = observed.get(r.at);
    const what = r.description ?? `${r.prefix} (loopback of ${r.owner})`;
    const want = `expected ${r.width} (via ${r.width < r.candidates.length ? `${r.width} of ` : ''}${expectedVia(r)})`;
    const neighborOf = (h: Hop) => (h.gateway && owners?.get(h.gateway)?.split(':')[0]) || r.candidates.find((c) => c.iface === h.iface)?.neighbor;
    const describe = (hops: Hop[]) => hops.map((h) => `${h.iface ?? '?'} → ${neighborOf(h) ?? h.gateway ?? '?'}`).join(', ') || 'nothing';
    const fits = (hops: Hop[]) => {
      if (hops.length !== r.width) return false;
      const left = r.candidates.map((c) => c.neighbor);
      for (const h of hops) {
        const i = left.indexOf(neighborOf(h) ?? '');
        if (i < 0) return false;
        left.splice(i, 1);
      }
      return true;
    };
    const plural = (n: number) => `${n} next hop${n === 1 ? '' : 's'}`;
    const protocol = r.protocol ?? 'bgp';
    const rib = seen?.rib[r.prefix]?.find((e) => e.selected);
    if (!rib) {
      out.push(`${r.at}: ${what} is not in the RIB, ${want}`);
      continue;
    }
    // The route that forwards is the selected one: a static, connected or blackhole route that
    // wins over BGP is the culprit, however well BGP itself converged.
    if (rib.protocol !== protocol) {
      out.push(`${r.at}: ${what} is routed by ${rib.protocol} in the RIB (via ${describeRibHops(rib)}), not by ${protocol.toUpperCase()}; ${want.replace('expected', `expected ${protocol}`)}`);
      continue;
    }
    if (rib.installed === false) {
      out.push(`${r.at}: ${what} is selected but not installed in the kernel FIB by zebra, ${want}`);
      continue;
    }
    const ribHops = rib.nexthops.filter((n) => n.fib).map((n) => ({ iface: n.interfaceName, gateway: n.ip, weight: n.weight }));
    if (!fits(ribHops)) {
      out.push(`${r.at}: ${what} has ${plural(ribHops.length)} in the RIB (via ${describe(ribHops)}), ${want}`);
      continue;
    }
    // Weighted ECMP: each next hop's share of the weights must be the declared bandwidth's share.
    const weights = (hops: Hop[]) => {
      const total = hops.reduce((n, h) => n + (h.weight ?? 1), 0);
      const wrong = hops.some((h) => Math.abs((h.weight ?? 1) / total - (r.candidates.find((c) => c.neighbor === neighborOf(h))?.weight?.share ?? 0)) > WEIGHT_SHARE_TOLERANCE);
      return { wrong, seen: hops.map((h) => `${h.iface ?? '?'} → ${neighborOf(h) ?? '?'} ${h.weight === undefined ? 'unweighted' : `weight ${h.weight}`} (${percent((h.weight ?? 1) / total)})`).join(', ') };
    };
    const declared = () => `expected ${r.candidates.map((c) => `${c.iface} → ${c.neighbor} ${percent(c.weight!.share)} (${c.weight!.bandwidthMbps} Mbit/s)`).join(', ')}, from the declared link bandwidths`;
    const ribWeights = o.weights && r.weighted ? weights(ribHops) : undefined;
    if (ribWeights?.wrong) {
      out.push(`${r.at}: ${what} is not weighted as declared in the RIB: ${ribWeights.seen}; ${declared()}`);
      continue;
    }
    const k = seen?.kernel.find((e) => e.dst === r.prefix);
    if (k && ((k.type ?? 'unicast') !== 'unicast' || (k.protocol !== undefined && k.protocol !== protocol))) {
      out.push(`${r.at}: ${what} is a ${k.type ?? 'unicast'} route of protocol ${k.protocol ?? '?'} in the kernel FIB, ${want.replace('expected', `expected ${protocol}`)}`);
      continue;
    }
    const kernelHops = k?.nexthops.map((n) => ({ iface: n.dev, gateway: n.gateway, weight: n.weight })) ?? [];
    if (!fits(kernelHops)) out.push(`${r.at}: ${what} has ${plural(kernelHops.length)} in the kernel FIB (via ${describe(kernelHops)}), ${want}`);
    else if (o.weights && r.weighted) {
      const kernelWeights = weights(kernelHops);
      if (kernelWeights.wrong) out.push(`${r.at}: ${what} is not weighted as declared in the kernel FIB: ${kernelWeights.seen}; ${declared()}`);
    }
  }
  return out;
}

/** A RIB entry's next hops as FRR shows them: `blackhole`, `eth1 → 10.1.0.0`, `eth1` (connected). */
function describeRibHops(e: RibEntry): string {
  const hops = e.nexthops.map((n) => (n.blackhole ? 'blackhole' : n.unreachable ? 'unreachable' : [n.interfaceName, n.ip].filter(Boolean).join(' → ') || '?'));
  return hops.join(', ') || 'nothing';
}
