// IS-IS adjacencies against what the configuration and the topology imply: every expected one
// Up at the levels both ends declare, named by both interfaces when it is not. A neighbor is
// told by the local interface and its IPv4 address on the link, never by its hostname (what the
// router calls itself, which a user's lab need not keep equal to the topology's name). Pure.
import type { IsisAdjacency, IsisLevel } from '../plan/isis.ts';

/**
 * One adjacency as `show isis neighbor detail json` lists it (FRR 8.4: areas[].circuits[]).
 * A passive circuit is listed as `{"circuit":0}` alone; `show isis neighbor json` (without
 * detail) gives the interface as a string and the state beside it.
 */
export interface IsisNeighbor {
  circuit?: number;
  /** The neighbor's hostname (or system ID). */
  adj?: string;
  interface?:
    | string
    | {
        name?: string;
        /** "Up", "Initializing", "Down". */
        state?: string;
        /** "L1", "L2", "L1L2". */
        'circuit-type'?: string;
        'area-address'?: { isonet?: string };
        'ipv4-address'?: { ipv4?: string };
      };
  /** 1, 2, or 3 for both. */
  level?: number;
  state?: string;
}

export interface IsisNeighbors {
  areas?: { area?: string; circuits?: IsisNeighbor[] }[];
}

const where = (a: IsisAdjacency) => `${a.at}:${a.iface} ↔ ${a.neighbor}:${a.neighborIface}`;

const levelNames = (levels: readonly IsisLevel[]) => levels.map((l) => `level-${l}`).join(' and ');

const ifaceOf = (n: IsisNeighbor) => (typeof n.interface === 'string' ? n.interface : n.interface?.name);
const stateOf = (n: IsisNeighbor) => (typeof n.interface === 'object' ? n.interface.state : undefined) ?? n.state;
const addressOf = (n: IsisNeighbor) => (typeof n.interface === 'object' ? n.interface['ipv4-address']?.ipv4 : undefined);

/** The levels an adjacency is at: its `level` (3 is both), else its circuit type. */
function levelsOf(n: IsisNeighbor): IsisLevel[] | undefined {
  if (n.level === 1 || n.level === 2) return [n.level];
  if (n.level === 3) return [1, 2];
  const t = typeof n.interface === 'object' ? n.interface['circuit-type'] : undefined;
  return t === 'L1' ? [1] : t === 'L2' ? [2] : t === 'L1L2' ? [1, 2] : undefined;
}

/** Every expected adjacency that is missing, with another neighbor, not Up, or Up at fewer levels than expected (undefined: isisd did not answer). */
export function isisAdjacencyCulprits(expected: readonly IsisAdjacency[], seen: ReadonlyMap<string, IsisNeighbors | undefined>): string[] {
  const out: string[] = [];
  const silent = new Set<string>();
  for (const a of expected) {
    const doc = seen.get(a.at);
    const peer = `${a.neighbor}${a.neighborAddress ? ` (${a.neighborAddress})` : ''}`;
    if (!doc) {
      if (!silent.has(a.at)) out.push(`${a.at}: isisd not answering ("show isis neighbor detail json"); expected an adjacency on ${a.iface} with ${peer}`);
      silent.add(a.at);
      continue;
    }
    const onIface = (doc.areas ?? []).flatMap((x) => x.circuits ?? []).filter((n) => ifaceOf(n) === a.iface);
    if (!onIface.length) {
      const network = a.networkMismatch ? `; ${a.at}:${a.iface} and ${a.neighbor}:${a.neighborIface} declare different network types (isis network point-to-point at one end only)` : '';
      out.push(`${where(a)}: no IS-IS adjacency on ${a.at}:${a.iface}, expected one Up with ${peer} at ${levelNames(a.levels)}${network}`);
      continue;
    }
    // A neighbor that has not told its address yet may still be the expected one.
    const theirs = onIface.filter((n) => !a.neighborAddress || addressOf(n) === undefined || addressOf(n) === a.neighborAddress);
    if (!theirs.length) {
      out.push(`${where(a)}: IS-IS neighbor on ${a.at}:${a.iface} is ${onIface.map((n) => `${addressOf(n)} (${stateOf(n) ?? '?'})`).join(', ')}, expected ${peer}`);
      continue;
    }
    const up = theirs.filter((n) => stateOf(n) === 'Up');
    if (!up.length) {
      out.push(`${where(a)}: IS-IS adjacency with ${peer} is ${theirs.map((n) => stateOf(n) ?? '?').join(', ')}, expected Up`);
      continue;
    }
    const known = up.map(levelsOf);
    if (known.some((l) => l === undefined)) continue;
    const levels = new Set(known.flat());
    const missing = a.levels.filter((l) => !levels.has(l as IsisLevel));
    if (missing.length) out.push(`${where(a)}: IS-IS adjacency with ${peer} is Up at ${levelNames([...levels].sort() as IsisLevel[])} only, expected ${levelNames(a.levels)}`);
  }
  return out;
}
