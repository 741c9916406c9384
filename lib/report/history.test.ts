import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { appendHistory, historyEntry, historyOf, HISTORY_LIMIT, parseHistory, readHistory, trendFigures, trimHistory, withPrevious, type HistoryEntry } from './history.ts';

const entry = (lab: string, n: number, figures: Record<string, number> = {}): HistoryEntry => ({ at: `2026-01-0${n}T00:00:00.000Z`, lab, runtime: 'netns', passed: true, figures });

describe('parseHistory', () => {
  test('keeps the entries in order and counts the lines that are not entries', () => {
    const a = entry('dc', 1, { x: 1 });
    const b = { ...entry('dc', 2, { x: 2 }), passed: false };
    const text = [JSON.stringify(a), '{"at":"2026', '', JSON.stringify({ lab: 'dc', figures: {} }), JSON.stringify({ at: 'x', lab: 'dc', figures: null }), '  ', JSON.stringify(b), '42'].join('\n');
    expect(parseHistory(text)).toEqual({ entries: [a, b], skipped: 4 });
  });

  test('fills a missing runtime and reads a non-true passed as false', () => {
    const { entries } = parseHistory(JSON.stringify({ at: 't', lab: 'dc', figures: { x: 1 }, passed: 'yes' }));
    expect(entries).toEqual([{ at: 't', lab: 'dc', runtime: '', passed: false, figures: { x: 1 } }]);
  });
});

describe('trimHistory', () => {
  test('keeps the last N of each lab, leaving other labs untouched, in order', () => {
    const all = [entry('dc', 1), entry('small', 1), entry('dc', 2), entry('dc', 3), entry('small', 2), entry('dc', 4)];
    expect(trimHistory(all, 2)).toEqual([entry('small', 1), entry('dc', 3), entry('small', 2), entry('dc', 4)]);
    expect(trimHistory(all, 10)).toEqual(all);
  });
});

describe('historyOf', () => {
  test('the runs of one lab, oldest first', () => {
    const all = [entry('dc', 1), entry('small', 1), entry('dc', 2)];
    expect(historyOf(all, 'dc')).toEqual([entry('dc', 1), entry('dc', 2)]);
    expect(historyOf(all, 'none')).toEqual([]);
  });
});

describe('withPrevious', () => {
  test('previous from the last earlier run that measured the figure, change = value − previous', () => {
    const earlier = [entry('dc', 1, { conv: 2, loss: 100 }), entry('dc', 2, { conv: 3 }), entry('dc', 3, { other: 1 })];
    const out = withPrevious({ conv: { value: 2.5, unit: 's' }, loss: { value: 80, unit: 'ms', budget: 900 }, fresh: { value: 1, unit: 'ms' } }, earlier);
    expect(out).toEqual({
      conv: { value: 2.5, unit: 's', previous: 3, change: -0.5 },
      loss: { value: 80, unit: 'ms', budget: 900, previous: 100, change: -20 },
      fresh: { value: 1, unit: 'ms' },
    });
    expect(out.fresh).not.toHaveProperty('previous');
    expect(out.fresh).not.toHaveProperty('change');
  });

  test('rounds the change away from float noise', () => {
    expect(withPrevious({ f: { value: 0.3, unit: 's' } }, [entry('dc', 1, { f: 0.1 })]).f!.change).toBe(0.2);
  });
});

describe('historyEntry', () => {
  test('keeps each figure\'s value and the time given', () => {
    const e = historyEntry({ lab: 'dc', runtime: 'docker', passed: false, figures: { a: { value: 3, unit: 's', budget: 5 }, b: { value: 7, unit: 'ms' } } }, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(e).toEqual({ at: '2026-01-02T03:04:05.000Z', lab: 'dc', runtime: 'docker', passed: false, figures: { a: 3, b: 7 } });
  });
});

describe('trendFigures', () => {
  test('only ms and s figures some earlier run measured, in the order of the run', () => {
    const earlier = [entry('dc', 1, { loss: 1, bytes: 1 }), entry('dc', 2, { conv: 2 })];
    const current = { conv: { value: 1, unit: 's' }, never: { value: 1, unit: 'ms' }, bytes: { value: 1, unit: 'B' }, loss: { value: 1, unit: 'ms' } };
    expect(trendFigures(earlier, current)).toEqual(['conv', 'loss']);
    expect(trendFigures([], current)).toEqual([]);
  });
});

describe('appendHistory and readHistory', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a missing file reads as no entries', async () => {
    dir ||= await mkdtemp(join(tmpdir(), 'netproof-history-'));
    expect(await readHistory(join(dir, 'nope.jsonl'))).toEqual({ entries: [], skipped: 0 });
  });

  test('round trip: one JSON line per run, creating the directory, keeping the last `limit` of the lab', async () => {
    dir ||= await mkdtemp(join(tmpdir(), 'netproof-history-'));
    const file = join(dir, 'cache', 'history.jsonl');
    await appendHistory(file, entry('small', 1, { x: 9 }), 2);
    for (const n of [1, 2, 3]) await appendHistory(file, entry('dc', n, { conv: n }), 2);
    expect(await readHistory(file)).toEqual({ entries: [entry('small', 1, { x: 9 }), entry('dc', 2, { conv: 2 }), entry('dc', 3, { conv: 3 })], skipped: 0 });
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(3);
  });

  test('keeps HISTORY_LIMIT runs by default', async () => {
    dir ||= await mkdtemp(join(tmpdir(), 'netproof-history-'));
    const file = join(dir, 'default.jsonl');
    for (let n = 0; n < HISTORY_LIMIT + 1; n++) await appendHistory(file, { ...entry('dc', 1), at: String(n) });
    const { entries } = await readHistory(file);
    expect(entries.map((e) => e.at)).toEqual(Array.from({ length: HISTORY_LIMIT }, (_, i) => String(i + 1)));
  });
});
