// The largest don't-fragment packet a path carries, found with few probes: the ceiling is the
// smallest MTU of the path's interfaces (no larger packet can cross them), so on a healthy path
// one probe at the ceiling settles it; only when that fails, a binary search between the floor
// and the ceiling. Pure: the probe is handed in.

/** Every IPv4 host must accept a datagram of 576 bytes: a path that drops those does not forward at all. */
export const DF_FLOOR_BYTES = 576;
/** The ceiling when no MTU on the path could be read: jumbo frames. */
export const DF_CEILING_BYTES = 9000;

/** The smallest of the path's interface MTUs that could be read; DF_CEILING_BYTES when none could. */
export function searchCeiling(mtus: readonly (number | undefined)[]): number {
  const known = mtus.filter((m): m is number => m !== undefined && m > 0);
  return known.length ? Math.min(...known) : DF_CEILING_BYTES;
}

export interface DfSearch {
  /** The largest size that arrived; 0 when not even the floor (or a lower ceiling) did. */
  largest: number;
  floor: number;
  ceiling: number;
  /** Every size tried, in order, and whether it arrived. */
  probes: { bytes: number; passed: boolean }[];
}

/**
 * The largest size in [floor, ceiling] for which `passes` holds, assuming every smaller size
 * passes too (a path drops packets above its MTU). The ceiling is tried first, then the floor,
 * then halves of what lies between: at most 2 + log2(ceiling − floor) probes.
 */
export async function largestPassing(floor: number, ceiling: number, passes: (bytes: number) => Promise<boolean>): Promise<DfSearch> {
  const probes: DfSearch['probes'] = [];
  const tryBytes = async (bytes: number) => {
    const passed = await passes(bytes);
    probes.push({ bytes, passed });
    return passed;
  };
  const done = (largest: number): DfSearch => ({ largest, floor, ceiling, probes });
  if (await tryBytes(ceiling)) return done(ceiling);
  if (ceiling <= floor || !(await tryBytes(floor))) return done(0);
  let lo = floor; // passes
  let hi = ceiling; // fails
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await tryBytes(mid)) lo = mid;
    else hi = mid;
  }
  return done(lo);
}
