// The verdict on a proposed change to a lab: its differences from the baseline, which of them
// the user said were intended, and whether that adds up to pass. Pure; the CLI writes it as
// diff.json, prints failureLines and posts diffMarkdown on the pull request.
import { DEFAULT_FIGURE_TOLERANCE, type FigureTolerance } from '../model/intent.ts';
import { applyAccepted, diffSnapshots, FIGURE_NOISE_FLOOR, formatValue, type Accepted, type Difference, type Unmet, type Value } from './diff.ts';
import type { Snapshot } from './snapshot.ts';

export interface DiffReport {
  /** label e.g. the file path or 'baseline state.json' */
  before: { label: string; lab: string };
  after: { label: string; lab: string };
  tolerance: FigureTolerance;
  /** Whether the proposed lab's own suites passed. */
  afterPassed: boolean;
  differences: Difference[];
  unmet: Unmet[];
  counts: { regressions: number; improvements: number; neutral: number; intended: number };
  /** fail when the proposed lab failed its suites, a regression was not intended, or an intended change did not happen. */
  verdict: 'pass' | 'fail';
}

export interface DiffSide {
  label: string;
  lab: string;
  snapshot: Snapshot;
}

export function diffReport(o: { before: DiffSide; after: DiffSide; afterPassed: boolean; accepted?: Accepted[]; tolerance?: FigureTolerance }): DiffReport {
  const tolerance = o.tolerance ?? DEFAULT_FIGURE_TOLERANCE;
  const { differences, unmet } = applyAccepted(diffSnapshots(o.before.snapshot, o.after.snapshot, tolerance), o.accepted ?? [], o.after.snapshot);
  const unintended = (v: Difference['verdict']) => differences.filter((d) => !d.intended && d.verdict === v).length;
  const counts = { regressions: unintended('regression'), improvements: unintended('improvement'), neutral: unintended('neutral'), intended: differences.filter((d) => d.intended).length };
  const verdict = o.afterPassed && counts.regressions === 0 && unmet.length === 0 ? 'pass' : 'fail';
  return {
    before: { label: o.before.label, lab: o.before.lab },
    after: { label: o.after.label, lab: o.after.lab },
    tolerance,
    afterPassed: o.afterPassed,
    differences,
    unmet,
    counts,
    verdict,
  };
}

/** For a pull-request comment: the verdict, the counts, then one table per non-empty section. */
export function diffMarkdown(r: DiffReport): string {
  const c = r.counts;
  const lines = [
    `## netproof change: ${r.verdict === 'pass' ? 'pass' : 'FAIL'}`,
    '',
    `${plural(c.regressions, 'regression')}, ${plural(c.improvements, 'improvement')}, ${c.neutral} neutral, ${c.intended} intended${r.unmet.length ? `, ${r.unmet.length} intended but did not happen` : ''} — ${r.before.label} (${r.before.lab}) → ${r.after.label} (${r.after.lab}), figures that moved by ${Math.round(r.tolerance.relative * 100)} % or less (or less than ${FIGURE_NOISE_FLOOR.ms} ms / ${FIGURE_NOISE_FLOOR.s} s) not listed.`,
  ];
  if (!r.afterPassed) lines.push('', '**The proposed lab failed its own suites.**');

  const pick = (f: (d: Difference) => boolean) => r.differences.filter(f).map((d) => [d.kind, d.message, formatValue(d.before), formatValue(d.after)]);
  const sections: [string, string[][]][] = [
    ['Regressions', pick((d) => !d.intended && d.verdict === 'regression')],
    ['Intended', pick((d) => !!d.intended)],
    ['Intended but did not happen', r.unmet.map((u) => [u.accepted.kind, u.message, expectedValue(u.accepted.before), expectedValue(u.accepted.after)])],
    ['Improvements', pick((d) => !d.intended && d.verdict === 'improvement')],
    ['Neutral', pick((d) => !d.intended && d.verdict === 'neutral')],
  ];
  if (!r.differences.length && !r.unmet.length) lines.push('', 'No differences.');
  for (const [title, rows] of sections) {
    if (!rows.length) continue;
    lines.push('', `### ${title}`, '', '| kind | what | before | after |', '| --- | --- | --- | --- |');
    for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line per reason to fail, for the terminal. */
export function failureLines(r: DiffReport): string[] {
  return [...changeProblems(r), ...(r.afterPassed ? [] : ['the proposed lab failed its own suites'])];
}

/** What the change itself did wrong: its unintended regressions and the accepted differences that did not happen. */
export function changeProblems(r: DiffReport): string[] {
  return [...r.differences.filter((d) => !d.intended && d.verdict === 'regression').map((d) => d.message), ...r.unmet.map((u) => u.message)];
}

/** An accepted entry's side: left out means any value. */
const expectedValue = (v: Value | undefined) => (v === undefined ? 'any' : formatValue(v));
/** A table cell: `|` would end it, a newline would end the table. */
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
