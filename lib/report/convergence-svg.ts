// How the lab converged after deploy, as an image for the report: BGP sessions established and
// routes installed over time as step lines (a count holds until the next sample), as a share of
// what is expected where that is known, with the convergence budget and the moment convergence
// was declared marked. Plain SVG, no dependencies. Pure.
import { escapeXml as esc } from './escape-xml.ts';

export interface ConvergenceSample {
  /** Seconds since deploy start. */
  t: number;
  /** Absent: not counted in this sample; the series is drawn only from the samples that have it. */
  sessionsEstablished?: number;
  routesInstalled?: number;
}

export interface ConvergenceCurveInput {
  title: string;
  /** In any order; may be empty. */
  samples: readonly ConvergenceSample[];
  sessionsExpected?: number;
  routesExpected?: number;
  /** The convergence deadline in seconds since deploy start, drawn as a vertical dashed budget line with its value. */
  budgetS?: number;
  /** When convergence was declared (seconds since deploy), drawn as a vertical mark. */
  convergedAtS?: number;
}

export type SeriesKey = 'sessionsEstablished' | 'routesInstalled';

const SERIES: readonly { key: SeriesKey; expected: 'sessionsExpected' | 'routesExpected'; name: string; color: string }[] = [
  { key: 'sessionsEstablished', expected: 'sessionsExpected', name: 'sessions established', color: '#37a' },
  { key: 'routesInstalled', expected: 'routesExpected', name: 'routes installed', color: '#e80' },
];
const BUDGET = '#555';
const ON_TIME = '#080';
const LATE = '#d33';

/** One series' samples as [t, count], by time (stable: samples at the same t keep their order). */
export function seriesPoints(samples: readonly ConvergenceSample[], key: SeriesKey): [number, number][] {
  return samples
    .flatMap((s): [number, number][] => {
      const v = s[key];
      return v !== undefined && Number.isFinite(v) && Number.isFinite(s.t) ? [[s.t, v]] : [];
    })
    .sort((a, b) => a[0] - b[0]);
}

/** A post-step line through the points: each count holds until the next sample, the last one until `end`. */
export function stepLine(points: readonly [number, number][], end: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [i, [t, v]] of points.entries()) {
    if (i > 0) out.push([t, points[i - 1]![1]]);
    out.push([t, v]);
  }
  const last = points.at(-1);
  if (last && end > last[0]) out.push([end, last[1]]);
  return out;
}

export interface YScale {
  /** `%`: each series as a share of its expected count (of its highest, for one with none); `count`: raw counts. */
  unit: '%' | 'count';
  /** Top of the y axis, in `unit`. */
  top: number;
  ticks: number[];
  /** A count of the series in axis units. */
  value(key: SeriesKey, count: number): number;
  /** The count drawn at 100 % (`%` only): the expected count, or the series' highest when none is given. */
  reference(key: SeriesKey): number | undefined;
}

const expectedOf = (c: ConvergenceCurveInput, key: SeriesKey) => {
  const e = c[SERIES.find((s) => s.key === key)!.expected];
  return e !== undefined && e > 0 ? e : undefined;
};

/**
 * Percent of expected when any drawn series has an expected count, raw counts when none does. A
 * series with no expected count next to one with is drawn as a share of its own highest count:
 * one axis cannot carry a percentage and a count at once.
 */
export function convergenceScale(c: ConvergenceCurveInput): YScale {
  const drawn = SERIES.map((s) => ({ key: s.key, counts: seriesPoints(c.samples, s.key).map((p) => p[1]) })).filter((s) => s.counts.length);
  const maxOf = (key: SeriesKey) => Math.max(0, ...(drawn.find((s) => s.key === key)?.counts ?? []));
  if (drawn.length && drawn.every((s) => expectedOf(c, s.key) === undefined)) {
    const step = Math.max(1, niceStep(Math.max(...drawn.map((s) => maxOf(s.key))) / 5)); // counts are whole
    const top = Math.max(step, Math.ceil(Math.max(...drawn.map((s) => maxOf(s.key))) / step) * step);
    return { unit: 'count', top, ticks: range(top, step), value: (_k, n) => n, reference: () => undefined };
  }
  const reference = (key: SeriesKey) => expectedOf(c, key) ?? (maxOf(key) || 1);
  const value = (key: SeriesKey, n: number) => (100 * n) / reference(key);
  const highest = Math.max(100, ...drawn.map((s) => value(s.key, maxOf(s.key))));
  const step = highest > 200 ? niceStep(highest / 5) : 25;
  const top = Math.ceil(highest / step) * step;
  return { unit: '%', top, ticks: range(top, step), value, reference };
}

/** 12, 12.5, 0.25: whole seconds as they are, the rest to what a reader can use. */
export const seconds = (s: number) => String(Number(s.toFixed(Math.abs(s) < 10 ? 2 : 1)));

export function convergenceSvg(c: ConvergenceCurveInput): string {
  const width = 900;
  const pad = { left: 64, right: 24, top: 60, bottom: 46 };
  const plotH = 240;
  const plotW = width - pad.left - pad.right;
  const legendY = pad.top + plotH + pad.bottom + 8;
  const height = legendY + SERIES.length * 16 + 14;

  const times = c.samples.map((s) => s.t).filter(Number.isFinite);
  const marks = [c.budgetS, c.convergedAtS].filter((x): x is number => x !== undefined && Number.isFinite(x));
  const x0 = Math.min(0, ...times, ...marks);
  const x1 = Math.max(x0 + 1, ...times, ...marks);
  const lastT = Math.max(x0, ...times);
  const x = (s: number) => pad.left + ((s - x0) / (x1 - x0)) * plotW;
  const scale = convergenceScale(c);
  // A little headroom so a series at the top is not lost in the frame.
  const y = (v: number) => pad.top + plotH - (v / (scale.top * 1.05)) * plotH;

  const series = SERIES.map((s) => ({ ...s, points: seriesPoints(c.samples, s.key) }));
  const lines = series
    .filter((s) => s.points.length)
    .map((s) => {
      const pts = stepLine(s.points, lastT).map(([t, n]) => `${x(t).toFixed(1)},${y(scale.value(s.key, n)).toFixed(1)}`);
      return `<polyline class="series ${s.key}" points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`;
    })
    .join('\n');

  const xStep = niceStep((x1 - x0) / 8);
  const xTicks = range(x1 - x0, xStep)
    .map((d) => x0 + d)
    .map((s) => `<line x1="${x(s).toFixed(1)}" x2="${x(s).toFixed(1)}" y1="${pad.top + plotH}" y2="${pad.top + plotH + 4}" stroke="black"/><text x="${x(s).toFixed(1)}" y="${pad.top + plotH + 16}" font-size="10" text-anchor="middle">${seconds(s)}</text>`)
    .join('');
  const yTicks = scale.ticks
    .map((v) => `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 100 && scale.unit === '%' ? '#888' : '#eee'}"${v === 100 && scale.unit === '%' ? ' stroke-dasharray="2 2"' : ''}/><text x="${pad.left - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="10" text-anchor="end">${v}${scale.unit === '%' ? ' %' : ''}</text>`)
    .join('');
  const yLabel = scale.unit === 'count' ? 'count' : series.some((s) => s.points.length && expectedOf(c, s.key) === undefined) ? '% of expected (or of its highest count)' : '% of expected';

  // A label near the right edge reads leftwards so it stays inside the picture.
  const vertical = (at: number, text: string, color: string, row: number, dashed: boolean, cls: string) => {
    const left = x(at) > pad.left + plotW * 0.8;
    return `<g class="${cls}"><line x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="${color}" stroke-width="${dashed ? 1.5 : 2}"${dashed ? ' stroke-dasharray="6 3"' : ''}/><text x="${(x(at) + (left ? -4 : 4)).toFixed(1)}" y="${pad.top + 28 + row * 14}" font-size="11" fill="${color}"${left ? ' text-anchor="end"' : ''}>${esc(text)}</text></g>`;
  };
  const late = c.budgetS !== undefined && c.convergedAtS !== undefined && c.convergedAtS > c.budgetS;
  const budget = c.budgetS !== undefined && Number.isFinite(c.budgetS) ? vertical(c.budgetS, `budget ${seconds(c.budgetS)} s`, BUDGET, 0, true, 'budget') : '';
  const converged = c.convergedAtS !== undefined && Number.isFinite(c.convergedAtS) ? vertical(c.convergedAtS, `converged ${seconds(c.convergedAtS)} s`, late ? LATE : ON_TIME, 1, false, 'converged') : '';

  const legend = series
    .map((s, i) => {
      const ly = legendY + i * 16;
      const expected = c[s.expected];
      const last = s.points.at(-1)?.[1];
      const text =
        last === undefined
          ? `${s.name}: no sample`
          : expected !== undefined
            ? `${s.name}: ${last} / ${expected}`
            : `${s.name}: ${last} (no expected count${scale.unit === '%' ? `; 100 % = its highest, ${scale.reference(s.key)}` : ''})`;
      return `<line x1="20" x2="40" y1="${ly - 4}" y2="${ly - 4}" stroke="${last === undefined ? '#bbb' : s.color}" stroke-width="2"/><text x="46" y="${ly}" font-size="11"${last === undefined ? ' fill="#888"' : ''}>${esc(text)}</text>`;
    })
    .join('');

  const verdict =
    c.convergedAtS === undefined
      ? `no convergence declared${c.budgetS !== undefined ? ` (budget ${seconds(c.budgetS)} s)` : ''}`
      : `converged at ${seconds(c.convergedAtS)} s${c.budgetS === undefined ? '' : late ? `, over the ${seconds(c.budgetS)} s budget` : `, within the ${seconds(c.budgetS)} s budget`}`;
  const summary = `${c.samples.length} sample${c.samples.length === 1 ? '' : 's'}; each count holds until the next sample; ${verdict}`;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="20" y="22" font-size="14" font-weight="bold">${esc(c.title)}</text>`,
    `<text x="20" y="40" font-size="11"${late ? ` fill="${LATE}"` : ''}>${esc(summary)}</text>`,
    yTicks,
    c.samples.length ? '' : `<text x="${pad.left + plotW / 2}" y="${pad.top + plotH / 2}" font-size="14" fill="#888" text-anchor="middle">no samples</text>`,
    lines,
    budget,
    converged,
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="black"/>`,
    `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="black"/>`,
    xTicks,
    `<text x="${pad.left + plotW / 2}" y="${pad.top + plotH + 34}" font-size="11" text-anchor="middle">seconds since deploy start</text>`,
    `<text x="16" y="${pad.top + plotH / 2}" font-size="11" transform="rotate(-90 16 ${pad.top + plotH / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
    legend,
    '</svg>',
  ]
    .filter((s) => s !== '')
    .join('\n');
}

/** 0, step, 2·step… up to `top` (within rounding). */
function range(top: number, step: number): number[] {
  return Array.from({ length: Math.floor(top / step + 1e-9) + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** 1, 2 or 5 × a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * p;
}
