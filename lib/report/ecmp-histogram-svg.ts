// One router's ECMP split as an image for the report: flows per equal-cost path (next-hop
// interface → neighbour) as horizontal bars, the flows each path should carry (a uniform share,
// or the declared weights) as a dashed mark over its bar, and the chi-square verdict in the
// caption. Plain SVG, no dependencies. Pure.
import type { UniformityTest } from '../stats/chi-square.ts';
import { escapeXml as esc } from './escape-xml.ts';

export interface EcmpHistogramInput {
  title: string;
  /** Per path, in the order the router lists its next hops: e.g. `leaf1:eth1 → spine1`. */
  histogram: readonly { path: string; flows: number }[];
  /** The test the suite ran on these counts; absent when none could be (fewer than two paths, no flow counted). */
  chiSquare?: UniformityTest | undefined;
  /** Relative weight per path (same order as `histogram`); absent: every path an equal share. */
  weights?: readonly number[];
}

const BAR = '#3a7';
const UNUSED = '#d33';
const PASS = '#080';
const FAIL = '#d33';

/** Flows each path should carry out of those counted: `total` split by `weights`, or evenly. */
export function expectedFlows(histogram: EcmpHistogramInput['histogram'], weights?: readonly number[]): number[] {
  const total = histogram.reduce((n, h) => n + h.flows, 0);
  if (weights && weights.length !== histogram.length) throw new Error(`${weights.length} weights for ${histogram.length} paths`);
  const w = weights ?? histogram.map(() => 1);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (sum > 0 ? (total * x) / sum : 0));
}

/** `χ² = 3.52 ≤ critical 14.70 (α = 0.00013, 1 dof, p = 0.061): pass, uniform split not rejected`. */
export function chiSquareCaption(t: UniformityTest | undefined, weighted = false): string {
  if (!t) return 'no chi-square test: fewer than two paths, or no flow counted';
  const split = weighted ? 'declared split' : 'uniform split';
  const verdict = t.pass ? `pass, ${split} not rejected` : `fail, ${split} rejected`;
  return `χ² = ${t.statistic.toFixed(2)} ${t.pass ? '≤' : '>'} critical ${t.critical.toFixed(2)} (α = ${t.alpha.toPrecision(2)}, ${t.dof} dof, p = ${t.pValue.toPrecision(2)}): ${verdict}`;
}

export function ecmpHistogramSvg(e: EcmpHistogramInput): string {
  const expected = expectedFlows(e.histogram, e.weights);
  const total = e.histogram.reduce((n, h) => n + h.flows, 0);
  const width = 900;
  const rowH = 30;
  const barH = 18;
  const longest = Math.max(0, ...e.histogram.map((h) => h.path.length));
  const pad = { left: Math.min(360, Math.max(120, 7 * longest + 20)), right: 110, top: 64, bottom: 78 };
  const plotW = width - pad.left - pad.right;
  const plotH = Math.max(e.histogram.length, 1) * rowH;
  const height = pad.top + plotH + pad.bottom;
  const xMax = Math.max(1, ...e.histogram.map((h) => h.flows), ...expected) * 1.1;
  const x = (n: number) => pad.left + (n / xMax) * plotW;
  const rowY = (i: number) => pad.top + i * rowH;
  const pct = (n: number) => (total > 0 ? `${((100 * n) / total).toFixed(1)} %` : '–');
  const rows = e.histogram
    .map((h, i) => {
      const y = rowY(i) + (rowH - barH) / 2;
      return [
        `<text x="${pad.left - 8}" y="${(y + barH / 2 + 4).toFixed(1)}" font-size="11" text-anchor="end"${h.flows === 0 ? ` fill="${UNUSED}"` : ''}>${esc(h.path)}</text>`,
        `<rect x="${pad.left}" y="${y.toFixed(1)}" width="${(x(h.flows) - pad.left).toFixed(2)}" height="${barH}" fill="${BAR}"/>`,
        `<line x1="${x(expected[i]!).toFixed(2)}" x2="${x(expected[i]!).toFixed(2)}" y1="${rowY(i) + 2}" y2="${rowY(i) + rowH - 2}" stroke="#333" stroke-width="2" stroke-dasharray="4 2"/>`,
        `<text x="${(x(h.flows) + 4).toFixed(1)}" y="${(y + barH / 2 + 4).toFixed(1)}" font-size="11"${h.flows === 0 ? ` fill="${UNUSED}"` : ''}>${h.flows === 0 ? '0 (unused)' : `${h.flows} (${pct(h.flows)})`}</text>`,
      ].join('');
    })
    .join('\n');
  const tickStep = niceStep(xMax / 8);
  const ticks = Array.from({ length: Math.floor(xMax / tickStep) + 1 }, (_, i) => i * tickStep)
    .map((n) => `<line x1="${x(n).toFixed(1)}" x2="${x(n).toFixed(1)}" y1="${pad.top + plotH}" y2="${pad.top + plotH + 4}" stroke="black"/><text x="${x(n).toFixed(1)}" y="${pad.top + plotH + 16}" font-size="10" text-anchor="middle">${n}</text>`)
    .join('');
  const share = e.weights ? `declared weights ${e.weights.join(':')}` : `uniform, 1/${e.histogram.length} each`;
  const t = e.chiSquare;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="20" y="22" font-size="14" font-weight="bold">${esc(e.title)}</text>`,
    `<text x="20" y="42" font-size="11">${total} flows counted over ${e.histogram.length} equal-cost paths; dashed: the flows each path should carry (${share})</text>`,
    rows,
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="black"/>`,
    `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="black"/>`,
    ticks,
    `<text x="${pad.left + plotW / 2}" y="${pad.top + plotH + 32}" font-size="11" text-anchor="middle">flows that left by the path</text>`,
    `<text x="20" y="${height - 16}" font-size="12" font-weight="bold" fill="${!t ? '#555' : t.pass ? PASS : FAIL}">${esc(chiSquareCaption(t, e.weights !== undefined))}</text>`,
    '</svg>',
  ].join('\n');
}

/** 1, 2 or 5 × a power of ten, at least `raw` (and at least 1: flows are whole). */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}
