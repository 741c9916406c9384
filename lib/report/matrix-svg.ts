// An allow/deny matrix as an image for the report: one row per source, one column per
// destination (and, under it, per protocol/port where there are several), each cell coloured by
// intended vs observed — green allowed as intended, grey denied as intended, red where the two
// differ, outlined, with A or D for what was observed. Blank: nothing was probed there (a VM
// and itself, a pair with no L3 path). Every cell carries a tooltip naming it. Plain SVG, no
// dependencies. Pure.
import { escapeXml as esc } from './escape-xml.ts';

export type Verdict = 'allow' | 'deny';

export interface MatrixCell {
  /** The source, e.g. a VM name. */
  row: string;
  /** The destination; columns of one group sit together under its name. Absent: `column` is the destination itself. */
  group?: string;
  /** Within the group, e.g. `tcp/22`; or the destination when there is no group. */
  column: string;
  expected: Verdict;
  observed: Verdict;
  /** Why this is expected (the rules that decide), for the tooltip. */
  because?: string;
}

export interface MatrixInput {
  title: string;
  cells: readonly MatrixCell[];
  /** What the legend calls each verdict; default `allowed` / `denied` (a reachability matrix: `reply` / `no reply`). */
  words?: { allow: string; deny: string };
}

export const MATRIX_COLORS = { allowed: '#3a7', denied: '#bbb', differs: '#d33' } as const;

export function cellColor(c: Pick<MatrixCell, 'expected' | 'observed'>): string {
  if (c.expected !== c.observed) return MATRIX_COLORS.differs;
  return c.observed === 'allow' ? MATRIX_COLORS.allowed : MATRIX_COLORS.denied;
}

const CELL = 16;
const CHAR_PX = 6.5;

export function matrixSvg(m: MatrixInput): string {
  // Names in order of first appearance, sources and destinations together, so that the same VMs
  // come in the same order down and across.
  const order = new Map<string, number>();
  for (const c of m.cells) for (const n of [c.row, c.group ?? c.column]) if (!order.has(n)) order.set(n, order.size);
  const byOrder = (a: string, b: string) => order.get(a)! - order.get(b)!;
  const rows = [...new Set(m.cells.map((c) => c.row))].sort(byOrder);
  const groups = [...new Set(m.cells.map((c) => c.group))].sort((a, b) => (a === undefined || b === undefined ? 0 : byOrder(a, b)));
  // Under a group, columns in the order given (probes); without one, a column is a destination.
  const columnsOf = (g: string | undefined) => {
    const names = [...new Set(m.cells.filter((c) => c.group === g).map((c) => c.column))];
    return g === undefined ? names.sort(byOrder) : names;
  };
  const columns = groups.flatMap((g) => columnsOf(g).map((column) => ({ group: g, column })));
  const colIndex = new Map(columns.map((c, i) => [`${c.group ?? ''}\u0000${c.column}`, i]));
  const rowIndex = new Map(rows.map((r, i) => [r, i]));
  const grouped = groups.some((g) => g !== undefined);

  const labelW = Math.max(60, Math.ceil(CHAR_PX * Math.max(0, ...rows.map((r) => r.length))) + 16);
  const columnLabelH = Math.ceil(CHAR_PX * Math.max(0, ...columns.map((c) => c.column.length))) + 10;
  const groupH = grouped ? 22 : 0;
  const pad = { left: labelW, top: 56 + groupH + columnLabelH, right: 20 };
  const gridW = columns.length * CELL;
  const gridH = rows.length * CELL;
  const legendY = pad.top + gridH + 28;
  const width = Math.max(pad.left + gridW + pad.right, 620);
  const height = legendY + 70;
  const cx = (i: number) => pad.left + i * CELL;
  const cy = (i: number) => pad.top + i * CELL;

  const differ = m.cells.filter((c) => c.expected !== c.observed).length;
  const summary = `${m.cells.length} cells: ${m.cells.length - differ} as intended, ${differ} differ${rows.length ? ` (rows: from; columns: to${grouped ? ', then protocol/port' : ''})` : ''}`;

  const rowLabels = rows.map((r, i) => `<text x="${pad.left - 6}" y="${cy(i) + CELL - 4}" font-size="11" text-anchor="end">${esc(r)}</text>`).join('');
  const columnLabels = columns
    .map((c, i) => {
      const x = cx(i) + CELL / 2 + 4;
      const y = pad.top - 4;
      return `<text x="${x}" y="${y}" font-size="10" transform="rotate(-90 ${x} ${y})">${esc(c.column)}</text>`;
    })
    .join('');
  // A group's name over its columns, a bracket under the name, a line between groups.
  const groupHeads = grouped
    ? groups
        .map((g) => {
          const first = columns.findIndex((c) => c.group === g);
          const n = columns.filter((c) => c.group === g).length;
          const [x0, x1] = [cx(first), cx(first + n)];
          return [
            `<text x="${(x0 + x1) / 2}" y="${56 + 12}" font-size="11" font-weight="bold" text-anchor="middle">${esc(g ?? '')}</text>`,
            `<line x1="${x0 + 1}" x2="${x1 - 1}" y1="${56 + 17}" y2="${56 + 17}" stroke="#333"/>`,
            first > 0 ? `<line x1="${x0}" x2="${x0}" y1="${56 + 17}" y2="${pad.top + gridH}" stroke="#333"/>` : '',
          ].join('');
        })
        .join('')
    : '';
  // Red cells after the others, so their outline is never painted over by a neighbour.
  const sorted = [...m.cells].sort((a, b) => Number(a.expected !== a.observed) - Number(b.expected !== b.observed));
  const cells = sorted
    .map((c) => {
      const [x, y] = [cx(colIndex.get(`${c.group ?? ''}\u0000${c.column}`)!), cy(rowIndex.get(c.row)!)];
      const differs = c.expected !== c.observed;
      const to = c.group === undefined ? c.column : `${c.group} ${c.column}`;
      const tip = `${c.row} → ${to}: intended ${c.expected}, observed ${c.observed}${c.because ? ` (${c.because})` : ''}`;
      const rect = `<rect class="cell" x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${cellColor(c)}" stroke="${differs ? '#000' : 'white'}" stroke-width="${differs ? 2 : 1}"/>`;
      const mark = differs ? `<text x="${x + CELL / 2}" y="${y + CELL - 4}" font-size="10" font-weight="bold" fill="white" text-anchor="middle">${c.observed === 'allow' ? 'A' : 'D'}</text>` : '';
      return `<g><title>${esc(tip)}</title>${rect}${mark}</g>`;
    })
    .join('\n');
  const w = m.words ?? { allow: 'allowed', deny: 'denied' };
  const legend = [
    { color: MATRIX_COLORS.allowed, text: `${w.allow}, as intended`, outline: false },
    { color: MATRIX_COLORS.denied, text: `${w.deny}, as intended`, outline: false },
    { color: MATRIX_COLORS.differs, text: `differs from the intent: A ${w.allow} (intended ${w.deny}), D ${w.deny} (intended ${w.allow})`, outline: true },
  ]
    .map((l, i) => {
      const y = legendY + i * 18;
      return `<rect class="legend" x="20" y="${y}" width="12" height="12" fill="${l.color}" stroke="${l.outline ? '#000' : 'white'}" stroke-width="${l.outline ? 2 : 1}"/><text x="38" y="${y + 10}" font-size="11">${esc(l.text)}</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="20" y="22" font-size="14" font-weight="bold">${esc(m.title)}</text>`,
    `<text x="20" y="40" font-size="11"${differ ? ` fill="${MATRIX_COLORS.differs}"` : ''}>${esc(summary)}</text>`,
    groupHeads,
    columnLabels,
    rowLabels,
    `<rect x="${pad.left}" y="${pad.top}" width="${gridW}" height="${gridH}" fill="#f7f7f7"/>`,
    cells,
    legend,
    `<text x="20" y="${legendY + 3 * 18 + 8}" font-size="11" fill="#555">blank: nothing probed there (e.g. a VM and itself); each cell’s tooltip names it and why it is intended</text>`,
    '</svg>',
  ].join('\n');
}
