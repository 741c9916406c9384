// OSPF adjacencies against what the configuration and the topology imply: every expected one
// Full, named by both interfaces when it is not. Pure.
import type { OspfAdjacency } from '../plan/ospf.ts';

/** One neighbor as `show ip ospf neighbor json` lists it (FRR 8.4: under neighbors[routerId]). */
export interface OspfNeighbor {
  /** e.g. "Full/DR", "Full/-" (point-to-point), "ExStart/DROther". */
  state?: string;
  /** The neighbor's address on the link. */
  address?: string;
  /** "eth1:192.168.1.1": the local interface and its address. */
  ifaceName?: string;
}

export interface OspfNeighbors {
  neighbors?: Record<string, OspfNeighbor[]>;
}

const where = (a: OspfAdjacency) => `${a.at}:${a.iface} ↔ ${a.neighbor}:${a.neighborIface}`;

/** Every expected adjacency that is missing or not Full at its router (undefined: ospfd did not answer). */
export function adjacencyCulprits(expected: readonly OspfAdjacency[], seen: ReadonlyMap<string, OspfNeighbors | undefined>): string[] {
  const out: string[] = [];
  const silent = new Set<string>();
  for (const a of expected) {
    const doc = seen.get(a.at);
    if (!doc) {
      if (!silent.has(a.at)) out.push(`${a.at}: ospfd does not answer ("show ip ospf neighbor json"); expected an adjacency on ${a.iface} with ${a.neighbor}`);
      silent.add(a.at);
      continue;
    }
    const onIface = Object.values(doc.neighbors ?? {})
      .flat()
      .filter((n) => n.ifaceName?.split(':')[0] === a.iface);
    if (!onIface.length) {
      const areas = a.neighborArea !== undefined ? `; the configurations put the link in area ${a.area} here and ${a.neighborArea} at ${a.neighbor}` : '';
      out.push(`${where(a)}: no OSPF neighbor on ${a.at}:${a.iface} (area ${a.area}), expected a Full adjacency with ${a.neighbor}${areas}`);
      continue;
    }
    const full = onIface.find((n) => n.state?.startsWith('Full'));
    if (!full) out.push(`${where(a)}: OSPF neighbor ${onIface.map((n) => `${n.address ?? '?'} is ${n.state ?? '?'}`).join(', ')}, expected Full`);
  }
  return out;
}
