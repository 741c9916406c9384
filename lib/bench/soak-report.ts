// What a soak found: every failed test of every run, with its message, and anything a run left
// behind. Pure: the runs' summaries in, the report out.
import type { Summary } from '../report/summary-reporter.ts';

export interface SoakRun {
  run: number;
  exitCode: number;
  durationS: number;
  /** The run's summary.json, if it wrote one. */
  summary?: Pick<Summary, 'status' | 'counts' | 'tests' | 'daemonsNotRunning' | 'frrConfigProblems'>;
  /** Labs, namespaces or containers found after the run had ended. */
  leftovers: string[];
  /** The end of the run's output, when it wrote no summary (it died before the checks). */
  outputTail?: string;
}

export interface SoakFailure {
  run: number;
  test: string;
  message: string;
}

export interface SoakReport {
  date: string;
  topology: string;
  runtime: string;
  runs: number;
  passed: number;
  failures: SoakFailure[];
  durationsS: number[];
}

/** A run passed when it exited 0, every test it ran passed, and it left nothing behind. */
export const runPassed = (r: SoakRun) => r.exitCode === 0 && r.summary?.status === 'passed' && r.leftovers.length === 0;

/** Every failure of one run: each failed test with its first lines, daemons found dead, leftovers, or why no checks ran. */
export function runFailures(r: SoakRun): SoakFailure[] {
  const out: SoakFailure[] = [];
  if (!r.summary) out.push({ run: r.run, test: '(no summary.json)', message: `exit ${r.exitCode}: ${r.outputTail?.trim() || 'no output'}` });
  for (const t of r.summary?.tests ?? []) {
    if (t.status === 'failed') out.push({ run: r.run, test: `${t.file} > ${t.name}`, message: t.errors.join('\n') || 'failed without a message' });
  }
  for (const d of r.summary?.daemonsNotRunning ?? []) out.push({ run: r.run, test: '(daemons after the checks)', message: d });
  if (r.summary && r.summary.frrConfigProblems?.length) out.push({ run: r.run, test: '(FRR configuration)', message: `${r.summary.frrConfigProblems.length} lines refused by FRR at bring-up` });
  if (r.leftovers.length) out.push({ run: r.run, test: '(teardown)', message: `left behind: ${r.leftovers.join(', ')}` });
  if (r.summary && r.exitCode !== 0 && !out.length) out.push({ run: r.run, test: '(run)', message: `exit ${r.exitCode} with every test passed: ${r.outputTail?.trim() || 'no output'}` });
  return out;
}

export function soakReport(runs: readonly SoakRun[], o: { topology: string; runtime: string; date?: Date }): SoakReport {
  return {
    date: (o.date ?? new Date()).toISOString(),
    topology: o.topology,
    runtime: o.runtime,
    runs: runs.length,
    passed: runs.filter(runPassed).length,
    failures: runs.flatMap(runFailures),
    durationsS: runs.map((r) => Number(r.durationS.toFixed(1))),
  };
}

/** For the terminal: one line per run, then every failure with its test and message. */
export function soakText(report: SoakReport): string {
  const lines = [`soak: ${report.passed}/${report.runs} runs passed (${report.topology}, ${report.runtime})`];
  for (const f of report.failures) lines.push(`run ${f.run}: ${f.test}\n  ${f.message.split('\n').join('\n  ')}`);
  return lines.join('\n');
}
