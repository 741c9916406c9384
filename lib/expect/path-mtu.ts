// Does every equal-cost underlay path between two chassis carry the VM MTU plus the tunnel's
// overhead without fragmenting, and every equal-cost branch no flow between them takes today? A
// path that does not is named with its largest DF packet and the link (or device) with the lowest
// MTU on it, e.g.
//   host1 → host2 via host1:eth1 → leaf1:eth2 → spine2:eth3 → leaf3:eth3: largest DF packet
//   1400 B (inner 1342 B) < VM MTU 1442 (vm1) + 58 B GENEVE overhead; spine2:eth3 <-> leaf3:eth2 runs MTU 1400
// Pure.
import { linkLabel } from '../model/topology.ts';
import { pathLabel, type UnderlayPath } from '../plan/ecmp-paths.ts';
import type { TunnelPair } from '../plan/tunnel-pairs.ts';
import type { PathMtuMeasurement, TunnelPathsMeasurement } from '../probes/path-mtu.ts';

export interface LowestMtu {
  mtu: number;
  /** The links (or devices) that run it, each said in words: `spine2:eth3 <-> leaf3:eth2 runs MTU 1400`. */
  where: string[];
}

/**
 * The lowest MTU among the path's links (the lower of a link's two ends) and the devices its
 * kernels send by (a chassis' br-phy); undefined when none could be read.
 */
export function lowestMtuOnPath(path: UnderlayPath, mtus: Readonly<Record<string, number>>): LowestMtu | undefined {
  const parts: { mtu: number; text: (verb: string) => string }[] = [];
  for (const h of path.hops) {
    if (h.dev) {
      const m = mtus[`${h.out.node}:${h.dev}`];
      if (m !== undefined) parts.push({ mtu: m, text: (verb) => `${h.out.node}:${h.dev} (the device ${h.out.node}'s kernel sends by) ${verb} MTU ${m}` });
    }
    const ends = h.link.endpoints.map((e) => ({ name: `${e.node}:${e.iface}`, mtu: mtus[`${e.node}:${e.iface}`] }));
    const known = ends.filter((e): e is { name: string; mtu: number } => e.mtu !== undefined);
    if (!known.length) continue;
    const low = known.reduce((a, b) => (b.mtu < a.mtu ? b : a));
    const other = known.find((e) => e !== low);
    const uneven = other && other.mtu !== low.mtu ? ` at ${low.name} (${other.mtu} at ${other.name})` : '';
    parts.push({ mtu: low.mtu, text: (verb) => `${linkLabel(h.link)} ${verb} MTU ${low.mtu}${uneven}` });
  }
  if (!parts.length) return undefined;
  const mtu = Math.min(...parts.map((p) => p.mtu));
  const lowest = parts.filter((p) => p.mtu === mtu);
  return { mtu, where: lowest.map((p) => p.text('runs')) };
}

/** Why a path carries no more than it does: the lowest MTU on it when that explains it, else what the numbers say. */
function why(m: PathMtuMeasurement): string {
  const lowest = lowestMtuOnPath(m.path, m.mtus);
  const moved = m.movedTo ? `; source port ${m.port} now takes ${m.movedTo.replace(/^.* via /, 'the path via ')}: routes changed while measuring` : '';
  if (lowest && lowest.mtu <= m.search.largest) return `${lowest.where.join(' and ')}${moved}`;
  if (m.search.largest === 0) return `the path drops even small packets (a link down, a filter)${moved}`;
  if (!lowest) return `no MTU on the path could be read${moved}`;
  return `every link on the path runs MTU ≥ ${lowest.mtu}: something else drops don't-fragment packets above ${m.search.largest} B (a filter, OVS)${moved}`;
}

/**
 * One line per path whose largest DF packet is below what the sending host's VMs need: their
 * MTU plus the measured overhead; and per branch no flow takes, below what the largest need of
 * the pairs it belongs to. Paths that could not be followed or measured are named too.
 */
export function pathMtuCulprits(measured: TunnelPathsMeasurement, pairs: readonly TunnelPair[], overheadBytes: number): string[] {
  const need = new Map(pairs.map((p) => [`${p.src} → ${p.dst}`, p]));
  const verdict = (m: PathMtuMeasurement, pair: TunnelPair, what: string): string | undefined => {
    const needed = pair.vmMtu + overheadBytes;
    const { largest, floor, ceiling } = m.search;
    if (largest >= needed) return undefined;
    const vm = `VM MTU ${pair.vmMtu} (${pair.vm}) + ${overheadBytes} B GENEVE overhead`;
    const seen = largest === 0 ? `not even a ${Math.min(floor, ceiling)}-byte DF packet arrives (source port ${m.port}); ${vm} needs ${needed} B` : `largest DF packet ${largest} B (inner ${largest - overheadBytes} B) < ${vm}`;
    return `${what}: ${seen}; ${why(m)}`;
  };
  const out: string[] = [];
  for (const t of measured.tunnels) {
    const pair = need.get(`${t.src} → ${t.dst}`);
    out.push(...t.problems);
    if (!t.paths.length && !t.problems.length) out.push(`${t.src} → ${t.dst}: no path to ${t.dst}'s TEP ${t.dstTep} was found from ${t.src}'s TEP ${t.srcTep}`);
    if (pair) out.push(...t.paths.flatMap((m) => verdict(m, pair, pathLabel(m.path)) ?? []));
  }
  for (const b of measured.branches) {
    // The most demanding of the pairs it belongs to.
    const pair = b.of.map((o) => need.get(o)).reduce<TunnelPair | undefined>((a, p) => (p && (!a || p.vmMtu > a.vmMtu) ? p : a), undefined);
    const whose = b.of.length === 1 ? `of ${b.of[0]} that no flow from its TEP takes` : `of ${b.of.join(', ')} that no flow from their TEPs takes`;
    const found = pair && verdict(b, pair, `${pathLabel(b.path)} (an equal-cost branch ${whose}, probed from ${b.path.src}'s loopback ${b.srcIp})`);
    if (found) out.push(found);
  }
  return out;
}

/** The largest inner packet a path carries: its largest DF packet minus the overhead (0 when none arrived). */
export const innerBytes = (m: PathMtuMeasurement, overheadBytes: number): number => Math.max(0, m.search.largest - overheadBytes);
