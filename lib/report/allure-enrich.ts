// What netproof knows about a test that allure-vitest does not: the suite's epic, feature and
// severity, the plane a failure is in (the report's categories), every figure measured with its
// budget and previous value (as parameters excluded from the history id, so a figure changing
// does not make a new test), and whether it was flaky. Applied to each result file before the
// HTML report is built. Pure.
import type { Label, Parameter, StatusDetails, TestResult } from 'allure-js-commons';
import { PLANE_LABEL, planeOf, SUITE_CATALOG } from './allure-catalog.ts';
import type { Figure } from './figures.ts';
import type { TestSummary } from './summary-reporter.ts';

/** A figure as summary.json carries it after the history is applied. */
export type FigureWithTrend = Figure & { previous?: number; change?: number };

export interface EnrichContext {
  /** The built-in suite a test file (relative to the project root) is, or undefined for a user's check. */
  suiteOf(file: string): string | undefined;
  /** summary.json's tests, looked up by file and full name (`describe > test`). */
  tests: ReadonlyArray<Pick<TestSummary, 'file' | 'name' | 'flaky' | 'attempts' | 'skipReason'> & { figures: Record<string, FigureWithTrend> }>;
}

/** The file and the full name (`describe > test`) of an allure-vitest result, as summary.json names them. */
export function testKeyCandidates(r: Pick<TestResult, 'titlePath' | 'name'>): Array<{ file: string; name: string }> {
  // titlePath is [project, …path parts of the file…, …describe blocks…]: try each split.
  const path = r.titlePath ?? [];
  const out: Array<{ file: string; name: string }> = [];
  for (let k = 2; k <= path.length; k++) out.push({ file: path.slice(1, k).join('/'), name: [...path.slice(k), r.name].join(' > ') });
  return out;
}

export function formatFigure(f: FigureWithTrend): string {
  const n = (v: number) => String(Number.isInteger(v) ? v : Number(v.toFixed(Math.abs(v) < 10 ? 2 : 1)));
  const parts = [`${n(f.value)} ${f.unit}`];
  if (f.budget !== undefined) parts.push(`budget ≤ ${n(f.budget)} ${f.unit}: ${f.value <= f.budget ? 'within' : 'OVER'}`);
  if (f.previous !== undefined) parts.push(`previous ${n(f.previous)} ${f.unit} (${(f.change ?? 0) >= 0 ? '+' : ''}${n(f.change ?? f.value - f.previous)})`);
  return parts.join('; ');
}

/** A result file as Allure reads it: its status details may also say flaky (Allure 2's format, read by Allure 3). */
export type AllureResultFile = TestResult & { statusDetails: StatusDetails & { flaky?: boolean } };

export function enrichResult(r: TestResult, ctx: EnrichContext): AllureResultFile {
  const keys = testKeyCandidates(r);
  const summary = ctx.tests.find((t) => keys.some((k) => k.file === t.file && k.name === t.name));
  // Not in summary.json: the file is the candidate that names a test file (the rest of the path is describe blocks).
  const file = summary?.file ?? keys.find((k) => /\.test\.[cm]?[jt]s$/.test(k.file))?.file ?? '';
  const suite = ctx.suiteOf(file);
  const meta = suite !== undefined ? SUITE_CATALOG[suite] : undefined;
  const failed = r.status === 'failed' || r.status === 'broken';
  const labels: Label[] = [
    { name: 'epic', value: meta?.epic ?? 'Your checks' },
    { name: 'feature', value: meta?.feature ?? (file.split('/').pop()?.replace(/\.test\.[jt]s$/, '') || 'checks') },
    { name: 'severity', value: meta?.severity ?? 'normal' },
    { name: PLANE_LABEL, value: planeOf(suite, r.name ?? '', failed ? r.statusDetails?.message : undefined) },
  ];
  const replaced = new Set(labels.map((l) => l.name));
  const figures: Parameter[] = Object.entries(summary?.figures ?? {}).map(([name, f]) => ({ name, value: formatFigure(f), excluded: true }));
  const flaky = summary?.flaky === true;
  return {
    ...r,
    labels: [...r.labels.filter((l) => !replaced.has(l.name)), ...labels],
    parameters: [...(r.parameters ?? []), ...figures],
    ...(meta && !r.description ? { description: `Why it matters: ${meta.impact}.` } : {}),
    ...(flaky ? { statusDetails: { ...r.statusDetails, flaky: true, message: r.statusDetails?.message ?? `flaky: passed on attempt ${summary?.attempts ?? 2} after failing` } } : {}),
    // Why it did not apply ("not declared: …"), where allure-vitest left it out.
    ...(r.status === 'skipped' && summary?.skipReason && !r.statusDetails?.message ? { statusDetails: { ...r.statusDetails, message: summary.skipReason } } : {}),
  };
}
