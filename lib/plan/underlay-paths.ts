// Which underlay links a tunnel between two chassis may cross, and the smallest MTU among
// them: every link on any shortest path through transit routers (ECMP may use any). Pure.
import { linkLabel, NON_TRANSIT_TIERS, type LabLink, type LabNode } from '../model/topology.ts';

export const DEFAULT_LINK_MTU = 1500;

export interface PathMtu {
  /** Smallest MTU on any shortest path between the two nodes. */
  mtu: number;
  /** A link with that MTU, e.g. "leaf2:eth3 <-> host3:eth2". */
  bottleneck: string;
  links: LabLink[];
}

export function underlayPathMtu(nodes: readonly LabNode[], links: readonly LabLink[], from: string, to: string): PathMtu | undefined {
  const routers = new Map(nodes.filter((n) => n.role === 'router').map((n) => [n.name, n]));
  const fabric = links.filter((l) => routers.has(l.endpoints[0].node) && routers.has(l.endpoints[1].node));
  const passable = (n: string, end: string) => n === end || !NON_TRANSIT_TIERS.has(routers.get(n)?.tier ?? '');
  const distances = (start: string, other: string) => {
    const d = new Map([[start, 0]]);
    for (let frontier = [start]; frontier.length; ) {
      const next: string[] = [];
      for (const u of frontier) {
        if (u !== start && !passable(u, other)) continue; // hosts originate, never forward
        for (const l of fabric) {
          const [a, b] = l.endpoints;
          const v = a.node === u ? b.node : b.node === u ? a.node : undefined;
          if (v && !d.has(v)) {
            d.set(v, d.get(u)! + 1);
            next.push(v);
          }
        }
      }
      frontier = next;
    }
    return d;
  };
  const dFrom = distances(from, to);
  const dTo = distances(to, from);
  const total = dFrom.get(to);
  if (total === undefined || from === to) return undefined;
  const onPath = fabric.filter((l) => {
    const [a, b] = l.endpoints.map((e) => e.node) as [string, string];
    // x → y on a path from → to: x is the start or forwards, y is the end or forwards.
    const through = (x: string, y: string) =>
      (x === from || passable(x, to)) && (y === to || passable(y, to)) && dFrom.has(x) && dTo.has(y) && dFrom.get(x)! + 1 + dTo.get(y)! === total;
    return through(a, b) || through(b, a);
  });
  const mtuOf = (l: LabLink) => l.mtu ?? DEFAULT_LINK_MTU;
  const smallest = onPath.reduce((m, l) => (mtuOf(l) < mtuOf(m) ? l : m), onPath[0]!);
  return { mtu: mtuOf(smallest), bottleneck: linkLabel(smallest), links: onPath };
}
