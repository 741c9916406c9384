// The failover timeline as an image for the report: probe packets received per time bucket
// (by send time), with the moments that matter marked (fault, detection, withdrawal, restore).
// Plain SVG, no dependencies. Pure.
import { escapeXml as esc } from './escape-xml.ts';

export interface TimelineMark {
  atMs: number;
  label: string;
  color: string;
}

export interface TimelineInput {
  title: string;
  bucketMs: number;
  /** Packets received in each bucket, from the start of the flow. */
  buckets: number[];
  /** Packets the sender sent per bucket at its steady rate (the "all arrived" line). */
  expectedPerBucket: number;
  marks: TimelineMark[];
}

export function timelineSvg(t: TimelineInput): string {
  const width = 900;
  const height = 320;
  const pad = { left: 60, right: 20, top: 40, bottom: 50 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const spanMs = Math.max(t.buckets.length * t.bucketMs, 1);
  const yMax = Math.max(t.expectedPerBucket, ...t.buckets, 1) * 1.1;
  const x = (ms: number) => pad.left + (ms / spanMs) * plotW;
  const y = (n: number) => pad.top + plotH - (n / yMax) * plotH;
  const bars = t.buckets
    .map((n, i) => `<rect x="${x(i * t.bucketMs).toFixed(1)}" y="${y(n).toFixed(1)}" width="${Math.max((plotW / t.buckets.length) - 0.5, 0.5).toFixed(2)}" height="${(pad.top + plotH - y(n)).toFixed(1)}" fill="${n === 0 ? '#d33' : '#3a7'}"/>`)
    .join('');
  const marks = t.marks
    .map((m, i) => `<line x1="${x(m.atMs)}" x2="${x(m.atMs)}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="${m.color}" stroke-dasharray="4 3"/><text x="${x(m.atMs) + 3}" y="${pad.top + 12 + i * 13}" font-size="11" fill="${m.color}">${esc(m.label)} (${(m.atMs / 1000).toFixed(3)} s)</text>`)
    .join('');
  const ticks = Array.from({ length: 11 }, (_, i) => (spanMs * i) / 10)
    .map((ms) => `<text x="${x(ms)}" y="${height - pad.bottom + 16}" font-size="10" text-anchor="middle">${(ms / 1000).toFixed(1)}</text>`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${pad.left}" y="22" font-size="14" font-weight="bold">${esc(t.title)}</text>`,
    bars,
    `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${y(t.expectedPerBucket)}" y2="${y(t.expectedPerBucket)}" stroke="#888" stroke-dasharray="2 2"/>`,
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="black"/>`,
    `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="black"/>`,
    ticks,
    `<text x="${pad.left + plotW / 2}" y="${height - 12}" font-size="11" text-anchor="middle">seconds since the flow started (send time)</text>`,
    `<text x="14" y="${pad.top + plotH / 2}" font-size="11" transform="rotate(-90 14 ${pad.top + plotH / 2})" text-anchor="middle">packets per ${t.bucketMs} ms</text>`,
    marks,
    '</svg>',
  ].join('\n');
}
