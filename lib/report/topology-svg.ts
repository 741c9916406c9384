// The lab's topology as an image for the report: nodes as labelled boxes in rows by tier
// (superspine at the top, VMs at the bottom), links as lines between them, and what failed in
// red — a node filled, a link thick, a BGP/BFD session as a dashed arc (drawn even where no
// direct link exists) — each with a tooltip saying why. Culprits naming nothing in the picture
// are listed under it rather than dropped. Plain SVG, no dependencies. Pure.
import { escapeXml as esc } from './escape-xml.ts';

export interface TopologyPictureInput {
  title: string;
  /** `tier` is the `netproof.role` label: spine, leaf, compute, ovn-central, vm, external, border, superspine, host, router… */
  nodes: ReadonlyArray<{ name: string; tier?: string }>;
  links: ReadonlyArray<{ a: { node: string; iface: string }; b: { node: string; iface: string } }>;
  /** What failed, to be marked red with a tooltip (<title>) saying why. Keys: node name; link as `a:ifa <-> b:ifb` (either order matches); session as `x ↔ y` (node names, either order). */
  culprits?: { nodes?: Record<string, string>; links?: Record<string, string>; sessions?: Record<string, string> };
}

export const TOPOLOGY_COLORS = { node: '#eef3fa', nodeStroke: '#579', link: '#999', failing: '#d33', failingStroke: '#900' } as const;

/** Row of each tier, top to bottom; tiers not listed go after these, untiered nodes last. */
const TIER_ROW: Record<string, number> = {
  superspine: 0,
  spine: 1,
  border: 2,
  leaf: 3,
  compute: 4,
  host: 4,
  server: 4,
  router: 4,
  'ovn-central': 4,
  external: 4,
  vm: 5,
};
const OTHER_TIER_ROW = 6;
const UNTIERED_ROW = 7;

const CHAR_PX = 6.5;
const MARGIN = 30;
const GAP = 16;
const MIN_WIDTH = 620;
/** Past this the boxes shrink (and their labels turn) instead of the picture growing: 72 in a row still fit. */
const MAX_WIDTH = 1800;
const BOX_H = 26;
const MAX_BOX_W = 150;
const MIN_FLAT_BOX_W = 40;
const MAX_ROTATED_H = 110;
const ROW_GAP = 70;
/** Room above the top row for arcs between nodes of one row. */
const TOP = 64 + 44;

const collator = new Intl.Collator('en', { numeric: true });
/** leaf2 before leaf10; plain code-unit order breaks ties so the order never depends on the input's. */
export function compareNodeNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

export interface NodePlace {
  name: string;
  tier?: string;
  /** Index of its row, 0 at the top (empty rows dropped). */
  row: number;
  /** Centre of the box. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Label turned 90°: the row is too crowded for flat labels. */
  rotated: boolean;
  /** The name, shortened with … where the box is too small for it. */
  label: string;
}

export interface TopologyLayout {
  width: number;
  /** Bottom edge of the lowest row. */
  bottom: number;
  /** Node names per row, top to bottom, each row in name order. */
  rows: string[][];
  nodes: Map<string, NodePlace>;
}

const textW = (s: string) => Math.ceil(s.length * CHAR_PX) + 12;
const shorten = (s: string, maxChars: number) => (s.length <= maxChars ? s : `${s.slice(0, Math.max(1, maxChars - 1))}…`);

/**
 * Rows without tiers: breadth-first depth from the most connected node of each connected part
 * (a spine of an unlabelled leaf-spine lab comes out on top), nodes with no link in a last row.
 */
function rowsByDepth(names: readonly string[], links: TopologyPictureInput['links']): Map<string, number> {
  const known = new Set(names);
  const adj = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const l of links) {
    if (l.a.node === l.b.node || !known.has(l.a.node) || !known.has(l.b.node)) continue;
    adj.get(l.a.node)!.push(l.b.node);
    adj.get(l.b.node)!.push(l.a.node);
  }
  const byDegree = [...names].sort((a, b) => adj.get(b)!.length - adj.get(a)!.length || compareNodeNames(a, b));
  const depth = new Map<string, number>();
  let deepest = -1;
  for (const root of byDegree) {
    if (depth.has(root) || adj.get(root)!.length === 0) continue;
    depth.set(root, 0);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!;
      deepest = Math.max(deepest, depth.get(n)!);
      for (const m of adj.get(n)!) {
        if (depth.has(m)) continue;
        depth.set(m, depth.get(n)! + 1);
        queue.push(m);
      }
    }
  }
  for (const n of names) if (!depth.has(n)) depth.set(n, deepest + 1);
  return depth;
}

/** Where each node goes: rows by tier (or by link distance when no node has one), evenly spaced in name order. */
export function layoutTopology(t: Pick<TopologyPictureInput, 'nodes' | 'links'>): TopologyLayout {
  const tierOf = new Map<string, string | undefined>();
  for (const n of t.nodes) if (!tierOf.has(n.name)) tierOf.set(n.name, n.tier);
  const names = [...tierOf.keys()];
  const anyTier = [...tierOf.values()].some((x) => x !== undefined);
  const depth = anyTier ? undefined : rowsByDepth(names, t.links);
  const rawRow = (n: string) => {
    if (depth) return depth.get(n)!;
    const tier = tierOf.get(n);
    return tier === undefined ? UNTIERED_ROW : (TIER_ROW[tier] ?? OTHER_TIER_ROW);
  };
  const rowNumbers = [...new Set(names.map(rawRow))].sort((a, b) => a - b);
  const rows = rowNumbers.map((r) => names.filter((n) => rawRow(n) === r).sort(compareNodeNames));

  // Wide enough for the widest row at its natural box size, within bounds.
  const naturalBoxW = (row: readonly string[]) => Math.min(MAX_BOX_W, Math.max(MIN_FLAT_BOX_W, ...row.map(textW)));
  const natural = Math.max(0, ...rows.map((row) => row.length * (naturalBoxW(row) + GAP)));
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, natural + 2 * MARGIN));
  const plotW = width - 2 * MARGIN;

  const nodes = new Map<string, NodePlace>();
  let top = TOP;
  for (const [r, row] of rows.entries()) {
    const slot = plotW / row.length;
    const flatW = Math.min(naturalBoxW(row), slot - 6);
    const rotated = flatW < MIN_FLAT_BOX_W && flatW < Math.max(...row.map(textW));
    const w = rotated ? Math.max(8, Math.min(20, slot - 4)) : flatW;
    const h = rotated ? Math.min(MAX_ROTATED_H, Math.max(30, ...row.map(textW))) : BOX_H;
    const maxChars = Math.floor(((rotated ? h : w) - 8) / CHAR_PX);
    for (const [i, name] of row.entries()) {
      const tier = tierOf.get(name);
      nodes.set(name, { name, ...(tier !== undefined ? { tier } : {}), row: r, x: MARGIN + (i + 0.5) * slot, y: top + h / 2, w, h, rotated, label: shorten(name, maxChars) });
    }
    top += h + ROW_GAP;
  }
  return { width, bottom: rows.length ? top - ROW_GAP : TOP, rows, nodes };
}

const endpointLabel = (e: { node: string; iface: string }) => `${e.node}:${e.iface}`;
/** The same key whichever end comes first. */
const pairKey = (a: string, b: string) => (a <= b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
const f = (n: number) => n.toFixed(1);

/** A quadratic curve from p to q bulging `bulge` px to one side (the same side whichever end is given first). */
function arc(p: NodePlace, q: NodePlace, bulge: number): string {
  const [s, e] = p.x < q.x || (p.x === q.x && p.y <= q.y) ? [p, q] : [q, p];
  const [dx, dy] = [e.x - s.x, e.y - s.y];
  const len = Math.hypot(dx, dy) || 1;
  const [cx, cy] = [(s.x + e.x) / 2 + (dy / len) * bulge, (s.y + e.y) / 2 - (dx / len) * bulge];
  return `M ${f(s.x)} ${f(s.y)} Q ${f(cx)} ${f(cy)} ${f(e.x)} ${f(e.y)}`;
}

export function topologySvg(t: TopologyPictureInput): string {
  const layout = layoutTopology(t);
  const { width, nodes } = layout;
  const c = t.culprits ?? {};
  const culpritNodes = c.nodes ?? {};
  const culpritLinks = c.links ?? {};
  const culpritSessions = c.sessions ?? {};
  const unknown: string[] = [];
  const RED = TOPOLOGY_COLORS.failing;

  // Link keys by the pair of endpoint labels, so either order matches.
  const linkReason = new Map<string, { keys: string[]; reasons: string[] }>();
  for (const [key, reason] of Object.entries(culpritLinks)) {
    const ends = key.split('<->').map((s) => s.trim());
    if (ends.length !== 2 || !ends[0] || !ends[1]) {
      unknown.push(`link ${key}: ${reason}`);
      continue;
    }
    const k = pairKey(ends[0], ends[1]);
    const entry = linkReason.get(k) ?? { keys: [], reasons: [] };
    entry.keys.push(key);
    entry.reasons.push(reason);
    linkReason.set(k, entry);
  }
  const drawnLinkKeys = new Set<string>();

  // Parallel links between one pair fan out a little so each can be seen (and hovered).
  const perPair = new Map<string, number>();
  const drawable = t.links.filter((l) => nodes.has(l.a.node) && nodes.has(l.b.node) && l.a.node !== l.b.node);
  for (const l of drawable) perPair.set(pairKey(l.a.node, l.b.node), (perPair.get(pairKey(l.a.node, l.b.node)) ?? 0) + 1);
  const seenInPair = new Map<string, number>();
  const links = drawable.map((l) => {
    const pk = pairKey(l.a.node, l.b.node);
    const k = seenInPair.get(pk) ?? 0;
    seenInPair.set(pk, k + 1);
    const [p, q] = [nodes.get(l.a.node)!, nodes.get(l.b.node)!];
    const name = `${endpointLabel(l.a)} <-> ${endpointLabel(l.b)}`;
    const failing = linkReason.get(pairKey(endpointLabel(l.a), endpointLabel(l.b)));
    if (failing) drawnLinkKeys.add(pairKey(endpointLabel(l.a), endpointLabel(l.b)));
    const stroke = failing ? `stroke="${RED}" stroke-width="4"` : `stroke="${TOPOLOGY_COLORS.link}" stroke-width="1.5"`;
    const fan = (k - ((perPair.get(pk) ?? 1) - 1) / 2) * 6;
    // Within one row a straight line would run through the boxes between: curve over them.
    const bulge = p.row === q.row ? Math.min(60, Math.abs(p.x - q.x) * 0.2 + 16) + fan : fan;
    const shape = bulge === 0 ? `<line x1="${f(p.x)}" y1="${f(p.y)}" x2="${f(q.x)}" y2="${f(q.y)}" ${stroke}/>` : `<path d="${arc(p, q, bulge)}" fill="none" ${stroke}/>`;
    const tip = failing ? `${name}: ${failing.reasons.join('; ')}` : name;
    return { failing: !!failing, svg: `<g class="link${failing ? ' culprit' : ''}"><title>${esc(tip)}</title>${shape}</g>` };
  });
  for (const [k, entry] of linkReason) if (!drawnLinkKeys.has(k)) entry.keys.forEach((key, i) => unknown.push(`link ${key}: ${entry.reasons[i]!}`));

  const sessions = Object.entries(culpritSessions).flatMap(([key, reason]) => {
    const ends = key.split('↔').map((s) => s.trim());
    const [p, q] = [nodes.get(ends[0] ?? ''), nodes.get(ends[1] ?? '')];
    if (ends.length !== 2 || !p || !q) {
      unknown.push(`session ${key}: ${reason}`);
      return [];
    }
    // Bulges further than a link between the same two would, so the two stay apart.
    const bulge = Math.min(80, Math.hypot(p.x - q.x, p.y - q.y) * 0.25 + 24);
    return [`<g class="session culprit"><title>${esc(`${key}: ${reason}`)}</title><path d="${arc(p, q, bulge)}" fill="none" stroke="${RED}" stroke-width="2" stroke-dasharray="6 4"/></g>`];
  });

  for (const [name, reason] of Object.entries(culpritNodes)) if (!nodes.has(name)) unknown.push(`node ${name}: ${reason}`);
  const boxes = [...nodes.values()].map((n) => {
    const reason = Object.hasOwn(culpritNodes, n.name) ? culpritNodes[n.name] : undefined;
    const failing = reason !== undefined;
    const tip = failing ? `${n.name}: ${reason}` : n.tier ? `${n.name} (${n.tier})` : n.name;
    const rect = `<rect x="${f(n.x - n.w / 2)}" y="${f(n.y - n.h / 2)}" width="${f(n.w)}" height="${f(n.h)}" rx="4" fill="${failing ? RED : TOPOLOGY_COLORS.node}" stroke="${failing ? TOPOLOGY_COLORS.failingStroke : TOPOLOGY_COLORS.nodeStroke}" stroke-width="${failing ? 2 : 1}"/>`;
    const paint = failing ? ' fill="white" font-weight="bold"' : '';
    const label = n.rotated
      ? `<text x="${f(n.x + 3.5)}" y="${f(n.y)}" font-size="10" text-anchor="middle" transform="rotate(-90 ${f(n.x + 3.5)} ${f(n.y)})"${paint}>${esc(n.label)}</text>`
      : `<text x="${f(n.x)}" y="${f(n.y + 4)}" font-size="11" text-anchor="middle"${paint}>${esc(n.label)}</text>`;
    return `<g class="node${failing ? ' culprit' : ''}"><title>${esc(tip)}</title>${rect}${label}</g>`;
  });

  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const failingNodes = [...nodes.keys()].filter((n) => Object.hasOwn(culpritNodes, n)).length;
  const failingLinks = links.filter((l) => l.failing).length;
  const anyCulprit = Object.keys(culpritNodes).length + Object.keys(culpritLinks).length + Object.keys(culpritSessions).length > 0;
  const caption = !anyCulprit
    ? 'no failing node, link or session'
    : `failing, in red: ${count(failingNodes, 'node')}, ${count(failingLinks, 'link')}, ${count(sessions.length, 'session')}${unknown.length ? `; ${unknown.length} not in the picture (listed below)` : ''} — hover for why`;

  let y = layout.bottom + 36;
  const legend = anyCulprit
    ? [
        `<rect x="20" y="${y - 10}" width="18" height="12" rx="3" fill="${RED}" stroke="${TOPOLOGY_COLORS.failingStroke}" stroke-width="2"/><text x="44" y="${y}" font-size="11">failing node</text>`,
        `<line x1="140" y1="${y - 4}" x2="170" y2="${y - 4}" stroke="${RED}" stroke-width="4"/><text x="176" y="${y}" font-size="11">failing link</text>`,
        `<path d="M 270 ${y - 4} L 300 ${y - 4}" fill="none" stroke="${RED}" stroke-width="2" stroke-dasharray="6 4"/><text x="306" y="${y}" font-size="11">failing session</text>`,
        `<text x="20" y="${y + 18}" font-size="11" fill="#555">red = failing (a session between its two nodes, linked or not); hover for names and why</text>`,
      ].join('')
    : '';
  if (anyCulprit) y += 40;
  const unknownLines = unknown.map((u, i) => `<text class="unknown" x="20" y="${y + i * 16}" font-size="11" fill="${RED}">${esc(`not in the picture: ${u}`)}</text>`).join('');
  const height = y + unknown.length * 16 + (anyCulprit ? 0 : -20);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="20" y="22" font-size="14" font-weight="bold">${esc(t.title)}</text>`,
    `<text x="20" y="40" font-size="11"${anyCulprit ? ` fill="${RED}"` : ''}>${esc(caption)}</text>`,
    nodes.size ? '' : `<text x="20" y="${TOP}" font-size="11" fill="#555">no nodes</text>`,
    links.filter((l) => !l.failing).map((l) => l.svg).join('\n'),
    links.filter((l) => l.failing).map((l) => l.svg).join('\n'),
    sessions.join('\n'),
    boxes.join('\n'),
    legend,
    unknownLines,
    '</svg>',
  ]
    .filter((s) => s !== '')
    .join('\n');
}
