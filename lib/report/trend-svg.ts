// Each timed figure over the last runs as a small line chart, one per figure in a grid: the
// current run is the last point, labelled with its value and its change from the run before;
// a budget, where there is one, is a dashed red line. Plain SVG, no dependencies. Pure.
import { escapeXml as esc } from './escape-xml.ts';

export interface TrendSeries {
  name: string;
  unit: string;
  /** Oldest first; the last is this run. Undefined: that run did not measure it. */
  values: ReadonlyArray<number | undefined>;
  budget?: number;
}

export interface TrendInput {
  title: string;
  series: readonly TrendSeries[];
}

const CELL_W = 260;
const CELL_H = 86;
const COLUMNS = 3;
const PAD = { top: 20, left: 8, right: 8, bottom: 8 };

/** Few digits, so a value and its change fit beside the chart: 767 ms, 12.3 s, 4.85 s. */
const fmt = (v: number) => String(Number.isInteger(v) ? v : Number(v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)));

/** Points of one series in a w×h box: x by run index, y from 0 to the larger of its maximum and its budget. */
export function trendPoints(s: Pick<TrendSeries, 'values' | 'budget'>, w: number, h: number): Array<{ x: number; y: number; value: number }> {
  const present = s.values.filter((v): v is number => v !== undefined);
  const top = Math.max(...present, s.budget ?? 0) || 1;
  const step = s.values.length > 1 ? w / (s.values.length - 1) : 0;
  return s.values.flatMap((v, i) => (v === undefined ? [] : [{ x: s.values.length > 1 ? i * step : w / 2, y: h - (v / top) * h, value: v }]));
}

export function trendSvg(t: TrendInput): string {
  const rows = Math.max(1, Math.ceil(t.series.length / COLUMNS));
  const width = COLUMNS * CELL_W;
  const height = 30 + rows * CELL_H + 10;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${esc(t.title)}</text>`,
  ];
  if (!t.series.length) out.push(`<text x="8" y="50">no timed figure has an earlier run to compare with yet</text>`);
  t.series.forEach((s, i) => {
    const x0 = (i % COLUMNS) * CELL_W;
    const y0 = 30 + Math.floor(i / COLUMNS) * CELL_H;
    // The chart leaves room on its right for the last value and its change (about 18 characters).
    const w = CELL_W - PAD.left - PAD.right - 112;
    const h = CELL_H - PAD.top - PAD.bottom;
    const pts = trendPoints(s, w, h).map((p) => ({ ...p, x: x0 + PAD.left + p.x, y: y0 + PAD.top + p.y }));
    const last = s.values[s.values.length - 1];
    const before = [...s.values.slice(0, -1)].reverse().find((v) => v !== undefined);
    const change = last !== undefined && before !== undefined ? ` (${last - before >= 0 ? '+' : ''}${fmt(last - before)})` : '';
    const over = last !== undefined && s.budget !== undefined && last > s.budget;
    out.push(`<g><title>${esc(`${s.name}: ${s.values.map((v) => (v === undefined ? '–' : fmt(v))).join(', ')} ${s.unit}${s.budget !== undefined ? `; budget ${fmt(s.budget)} ${s.unit}` : ''}`)}</title>`);
    out.push(`<rect x="${x0 + 2}" y="${y0 + 2}" width="${CELL_W - 4}" height="${CELL_H - 4}" fill="#fafafa" stroke="#ddd"/>`);
    out.push(`<text x="${x0 + PAD.left}" y="${y0 + 14}">${esc(s.name.length > 42 ? `${s.name.slice(0, 41)}…` : s.name)}</text>`);
    if (s.budget !== undefined) {
      const top = Math.max(...s.values.filter((v): v is number => v !== undefined), s.budget) || 1;
      const by = y0 + PAD.top + h - (s.budget / top) * h;
      out.push(`<line x1="${x0 + PAD.left}" x2="${x0 + PAD.left + w}" y1="${by.toFixed(1)}" y2="${by.toFixed(1)}" stroke="#d33" stroke-dasharray="4 3"/>`);
    }
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="#36c" stroke-width="1.5" points="${pts.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="2" fill="#36c"/>`);
    if (last !== undefined) out.push(`<text x="${x0 + PAD.left + w + 6}" y="${y0 + PAD.top + h / 2 + 4}" fill="${over ? '#d33' : '#222'}">${esc(`${fmt(last)} ${s.unit}${change}`)}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}
