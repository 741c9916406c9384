// Which chassis the overlay tunnels between, each way, and the largest inner packet each way must
// carry: the largest MTU among the sending host's VMs that the overlay connects to a VM on the
// receiving host (a VM sends up to its own MTU). Security groups do not matter here: a port they
// close today may open tomorrow, and the underlay has to carry it then. Pure.
import type { Overlay } from '../model/overlay.ts';
import { reachablePairs } from './acl-matrix.ts';

export interface TunnelPair {
  /** The sending and the receiving chassis. */
  src: string;
  dst: string;
  /** The VM on `src` with the largest MTU among those that reach a VM on `dst`, and that MTU. */
  vm: string;
  vmMtu: number;
}

/** Ordered pairs of distinct chassis, sorted by sender then receiver. */
export function tunnelPairs(overlay: Overlay): TunnelPair[] {
  const pairs = new Map<string, TunnelPair>();
  for (const { src, dst } of reachablePairs(overlay)) {
    if (src.host === dst.host) continue;
    const key = `${src.host}>${dst.host}`;
    const had = pairs.get(key);
    if (!had || src.mtu > had.vmMtu) pairs.set(key, { src: src.host, dst: dst.host, vm: src.name, vmMtu: src.mtu });
  }
  const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  return [...pairs.values()].sort((a, b) => byName(a.src, b.src) || byName(a.dst, b.dst));
}
