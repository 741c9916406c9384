// The quality gate: what decides a run's exit code, as a list of rules each with what was
// expected, what was seen and pass/fail — results (no failed check, something checked, no flaky
// check in a protected suite, FRR took its configuration, no daemon died) and budgets (every
// figure a check measured against a budget, and, given a baseline, no regression). The same list
// goes to summary.json, the console and the HTML report. Pure.
import type { Summary } from './summary-reporter.ts';

export interface GateRule {
  /** Stable id, e.g. `no-failed-check`, `budget:loss_window_ms.forward.grey.leaf–spine`. */
  id: string;
  /** What the rule asks, for a reader. */
  name: string;
  expected: string;
  actual: string;
  passed: boolean;
  /** What broke it: test names, figures, daemons, regressions. */
  culprits?: string[];
}

export interface Gate {
  passed: boolean;
  rules: GateRule[];
}

export interface GateInput {
  summary: Pick<Summary, 'counts' | 'tests' | 'figures' | 'frrConfigProblems' | 'daemonsNotRunning' | 'flakyProtected' | 'protect'>;
  /**
   * The diff against a baseline (`--baseline`, `netproof change`): its regressions and the
   * accepted differences that did not happen. (Its own checks failing is the first rule's.)
   */
  diff?: { problems: string[]; baseline: string };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** An error's headline: its first line, and the first culprit after it when the first line only introduces them. */
function headline(error: string): string {
  const [first = '', second] = error.split('\n');
  return first.endsWith(':') && second ? `${first} ${second}` : first;
}

const isPrecondition = (t: { errors: readonly string[] }) => t.errors.some((e) => e.startsWith('precondition failed'));

export function qualityGate({ summary, diff }: GateInput): Gate {
  // The checks that failed on their own first: one whose precondition failed repeats their culprit.
  const failedTests = summary.tests.filter((t) => t.status === 'failed');
  const failed = [...failedTests.filter((t) => !isPrecondition(t)), ...failedTests.filter(isPrecondition)];
  const rules: GateRule[] = [
    {
      id: 'no-failed-check',
      name: 'no check failed',
      expected: '0 failed',
      actual: `${summary.counts.failed} failed`,
      passed: failed.length === 0,
      ...(failed.length ? { culprits: failed.map((t) => `${t.name}${t.errors[0] ? `: ${headline(t.errors[0])}` : ''}`) } : {}),
    },
    {
      id: 'something-checked',
      name: 'at least one check applied to the lab (all skipped is not a pass)',
      expected: '≥ 1 passed',
      actual: `${summary.counts.passed} passed, ${summary.counts.skipped} skipped`,
      passed: summary.counts.passed > 0,
    },
    {
      id: 'no-protected-flake',
      name: `no flaky check in a protected suite${summary.protect?.length ? ` (${summary.protect.join(', ')})` : ' (none protected: --protect SUITE)'}`,
      expected: '0 flaky',
      actual: `${summary.flakyProtected?.length ?? 0} flaky`,
      passed: !summary.flakyProtected?.length,
      ...(summary.flakyProtected?.length ? { culprits: summary.flakyProtected.map((f) => `${f.suite}: ${f.test}`) } : {}),
    },
    {
      id: 'frr-config-accepted',
      name: 'FRR took every line of every router configuration',
      expected: '0 lines refused',
      actual: plural(summary.frrConfigProblems?.length ?? 0, 'line') + ' refused',
      passed: !summary.frrConfigProblems?.length,
      ...(summary.frrConfigProblems?.length ? { culprits: summary.frrConfigProblems.map((p) => `${p.node}: ${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.statement} (${p.message})`) } : {}),
    },
    {
      id: 'daemons-running',
      name: 'every daemon still running after the checks',
      expected: '0 dead',
      actual: `${summary.daemonsNotRunning?.length ?? 0} dead`,
      passed: !summary.daemonsNotRunning?.length,
      ...(summary.daemonsNotRunning?.length ? { culprits: [...summary.daemonsNotRunning] } : {}),
    },
  ];
  for (const [name, f] of Object.entries(summary.figures).sort(([a], [b]) => a.localeCompare(b))) {
    if (f.budget === undefined) continue;
    const within = f.value <= f.budget;
    rules.push({
      id: `budget:${name}`,
      name: `${name} within its budget`,
      expected: `≤ ${f.budget} ${f.unit}`,
      actual: `${Number(f.value.toFixed(2))} ${f.unit}`,
      passed: within,
      ...(within ? {} : { culprits: [`${name} (${f.test})`] }),
    });
  }
  if (diff) {
    rules.push({
      id: 'no-regression',
      name: `no regression against the baseline ${diff.baseline}`,
      expected: '0 regressions, every accepted difference made',
      actual: diff.problems.length ? plural(diff.problems.length, 'problem') : 'none',
      passed: diff.problems.length === 0,
      ...(diff.problems.length ? { culprits: [...diff.problems] } : {}),
    });
  }
  return { passed: rules.every((r) => r.passed), rules };
}

/** The gate as the console prints it: a line per broken rule (and its culprits), or one line when it passes. */
export function gateLines(gate: Gate): string[] {
  const budgets = gate.rules.filter((r) => r.id.startsWith('budget:'));
  if (gate.passed) return [`quality gate: passed (${plural(gate.rules.length - budgets.length, 'result rule')}, ${plural(budgets.length, 'figure budget')})`];
  return [
    'quality gate: FAILED',
    ...gate.rules.filter((r) => !r.passed).flatMap((r) => [`  ✗ ${r.name}: expected ${r.expected}, saw ${r.actual}`, ...(r.culprits ?? []).slice(0, 10).map((c) => `      ${c}`)]),
  ];
}
