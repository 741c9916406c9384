// Figures across runs: one JSON line per run (lab, when, verdict, every figure's value), kept
// in the report directory or where `--history FILE` says (a CI cache). A run reads the lines of
// its own lab before it appends its own, so summary.json can say each figure's previous value
// and change, and the report can draw the trend.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Figure } from './figures.ts';

export interface HistoryEntry {
  /** ISO time the run finished. */
  at: string;
  lab: string;
  runtime: string;
  passed: boolean;
  figures: Record<string, number>;
}

/** How many runs a history file keeps: enough for a trend, small enough to cache. */
export const HISTORY_LIMIT = 50;

/** The history file's lines, oldest first; a line that is not an entry is reported, not fatal (a cache may be cut short). */
export async function readHistory(file: string): Promise<{ entries: HistoryEntry[]; skipped: number }> {
  if (!existsSync(file)) return { entries: [], skipped: 0 };
  return parseHistory(await readFile(file, 'utf8'));
}

export function parseHistory(text: string): { entries: HistoryEntry[]; skipped: number } {
  const entries: HistoryEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Partial<HistoryEntry>;
      if (typeof e.at !== 'string' || typeof e.lab !== 'string' || typeof e.figures !== 'object' || e.figures === null) throw new Error('not an entry');
      entries.push({ at: e.at, lab: e.lab, runtime: String(e.runtime ?? ''), passed: e.passed === true, figures: e.figures });
    } catch {
      skipped++;
    }
  }
  return { entries, skipped };
}

/** Append this run, keeping the last `limit` runs of every lab. */
export async function appendHistory(file: string, entry: HistoryEntry, limit = HISTORY_LIMIT): Promise<void> {
  const { entries } = await readHistory(file);
  const kept = trimHistory([...entries, entry], limit);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, kept.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

export function trimHistory(entries: readonly HistoryEntry[], limit: number): HistoryEntry[] {
  const seen = new Map<string, number>();
  const keep: HistoryEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    const n = seen.get(e.lab) ?? 0;
    if (n < limit) keep.push(e);
    seen.set(e.lab, n + 1);
  }
  return keep.reverse();
}

/** The runs of this lab, oldest first. */
export function historyOf(entries: readonly HistoryEntry[], lab: string): HistoryEntry[] {
  return entries.filter((e) => e.lab === lab);
}

/** Each figure with the value of the last earlier run of the lab that measured it, and the change. */
export function withPrevious<F extends Figure>(figures: Record<string, F>, earlier: readonly HistoryEntry[]): Record<string, F & { previous?: number; change?: number }> {
  const out: Record<string, F & { previous?: number; change?: number }> = {};
  for (const [name, f] of Object.entries(figures)) {
    const last = [...earlier].reverse().find((e) => typeof e.figures[name] === 'number');
    const previous = last?.figures[name];
    out[name] = previous === undefined ? { ...f } : { ...f, previous, change: Number((f.value - previous).toFixed(6)) };
  }
  return out;
}

export function historyEntry(o: { lab: string; runtime: string; passed: boolean; figures: Record<string, Figure> }, at = new Date()): HistoryEntry {
  return { at: at.toISOString(), lab: o.lab, runtime: o.runtime, passed: o.passed, figures: Object.fromEntries(Object.entries(o.figures).map(([k, f]) => [k, f.value])) };
}

/** The figures whose trend the report draws: times (convergence, loss windows, detection), in the order of the run. */
export function trendFigures(entries: readonly HistoryEntry[], current: Record<string, Figure>): string[] {
  return Object.keys(current).filter((name) => (current[name]!.unit === 'ms' || current[name]!.unit === 's') && entries.some((e) => typeof e.figures[name] === 'number'));
}
