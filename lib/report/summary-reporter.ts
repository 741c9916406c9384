// A vitest reporter that writes summary.json: every test's status and every measured
// figure with its unit, for CI gates and dashboards that do not read JUnit or Allure.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import type { FrrConfigProblem } from '../lab/started-lab.ts';
import type { Figure, Observations } from './figures.ts';
import type { LabDeadlines } from '../plan/deadlines.ts';
import type { Gate } from './quality-gate.ts';

export interface SummaryContext {
  lab: string;
  runtime: string;
  topologyFile: string;
  deploySeconds?: number;
  /** What FRR refused of the routers' configuration at bring-up (any makes the run fail). */
  frrConfigProblems?: FrrConfigProblem[];
  /** The deadlines the checks polled to, and the rule that set them. */
  deadlines?: LabDeadlines;
  /** What bring-up did beyond the topology's letter (e.g. neighbour entries pinned on a large lab). */
  bringUpNotes?: string[];
  /** `--grep`: only checks whose name matched ran; the others are skipped, not passed. */
  grep?: string;
  /** `--retries`: how many more times a failed check was run; one that passed on a retry is flaky. */
  retries?: number;
  /** `--protect`: suites where a flaky check fails the run. */
  protect?: string[];
}

export interface TestSummary {
  file: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending';
  durationMs: number;
  errors: string[];
  figures: Record<string, FigureWithPrevious>;
  observations?: Observations;
  /** How many times the check ran, when more than once (`--retries`); absent means once. */
  attempts?: number;
  /** It failed, then passed on a retry: its status is `passed`, and the failed attempts' errors are in flakyErrors. */
  flaky?: true;
  /** The errors of the attempts that failed before the one that passed. */
  flakyErrors?: string[];
  /** Why a skipped check did not apply (`skip(reason)`: e.g. "not declared: …"); absent when it gave none. */
  skipReason?: string;
}

/** A flaky check in a `--protect`ed suite: it fails the run. */
export interface ProtectedFlake {
  suite: string;
  test: string;
  attempts: number;
  failedAttempts: number;
  firstError?: string;
}

/** A figure, and (from the history) the value of the last earlier run of the lab that measured it and the change since. */
export type FigureWithPrevious = Figure & { previous?: number; change?: number };

export interface Summary extends SummaryContext {
  status: 'passed' | 'failed';
  startedAt: string;
  finishedAt: string;
  /** `flaky`: passed only on a retry (also counted in `passed`); absent from a summary.json written before netproof counted flakes. */
  counts: { passed: number; failed: number; skipped: number; flaky?: number };
  figures: Record<string, FigureWithPrevious & { test: string }>;
  /** Every check's observations merged: the matrices of state.json. */
  observations: Required<Observations>;
  tests: TestSummary[];
  /** Daemons found not running after the checks ("host1: ovs-vswitchd is not running (its log ends: …)"): any fails the run. */
  daemonsNotRunning?: string[];
  /** Flaky checks in suites given to `--protect`: any fails the run. */
  flakyProtected?: ProtectedFlake[];
  /** The figure history this run was compared with (`--history`): the file and how many earlier runs of the lab it held. */
  history?: { file: string; earlierRuns: number };
  /** The quality gate: every rule that decided the exit code, with expected, actual and pass/fail (`status` follows it). */
  gate?: Gate;
}

/** Which of netproof's suites a test module is (its name, e.g. `bfd-failover`), or undefined for a user's check file. */
export type SuiteOf = (moduleId: string) => string | undefined;

/** The line a run prints for a flaky check in a protected suite. */
export function protectedFlakeLine(f: ProtectedFlake): string {
  const firstError = f.firstError ? ` (first error: ${f.firstError})` : '';
  return `flaky in protected suite ${f.suite}: ${f.test} failed ${f.failedAttempts} of ${f.attempts} attempts${firstError}`;
}

/** The first line of an error message, at most 200 characters: enough to recognise it in a log line. */
function headline(message: string): string {
  const line = message.split('\n')[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export class SummaryReporter implements Reporter {
  private readonly startedAt = new Date();
  private readonly outputFile: string;
  private readonly context: () => SummaryContext;
  private readonly root: string;
  private readonly suiteOf: SuiteOf;
  summary: Summary | undefined;

  /** `suiteOf` names the suite of a test module, for `--protect` (context().protect); without it no suite is protected. */
  constructor(outputFile: string, root: string, context: () => SummaryContext, suiteOf: SuiteOf = () => undefined) {
    this.outputFile = outputFile;
    this.root = root;
    this.context = context;
    this.suiteOf = suiteOf;
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const context = this.context();
    const protect = new Set(context.protect ?? []);
    const tests: TestSummary[] = [];
    const flakyProtected: ProtectedFlake[] = [];
    for (const mod of testModules) {
      const suite = this.suiteOf(mod.moduleId);
      for (const test of mod.children.allTests()) {
        const result = test.result();
        const diagnostic = test.diagnostic();
        // vitest keeps a retried check's errors of every attempt in result().errors, also when
        // it passed in the end; diagnostic() says how often it was retried and whether it is flaky.
        const errors = (result.errors ?? []).map((e) => e.message);
        const attempts = (diagnostic?.retryCount ?? 0) + 1;
        const flaky = result.state === 'passed' && diagnostic?.flaky === true;
        tests.push({
          file: relative(this.root, mod.moduleId),
          name: test.fullName,
          status: result.state,
          durationMs: Math.round(diagnostic?.duration ?? 0),
          errors: flaky ? [] : errors,
          figures: test.meta().netproofFigures ?? {},
          ...(test.meta().netproofObservations ? { observations: test.meta().netproofObservations } : {}),
          ...(attempts > 1 ? { attempts } : {}),
          ...(flaky ? { flaky: true as const, flakyErrors: errors } : {}),
          ...(result.state === 'skipped' && result.note ? { skipReason: result.note } : {}),
        });
        if (flaky && suite !== undefined && protect.has(suite)) {
          flakyProtected.push({ suite, test: test.fullName, attempts, failedAttempts: attempts - 1, ...(errors[0] !== undefined ? { firstError: headline(errors[0]) } : {}) });
        }
      }
      // A file that failed to load has no tests but must fail the run.
      for (const e of mod.errors()) tests.push({ file: relative(this.root, mod.moduleId), name: '(file)', status: 'failed', durationMs: 0, errors: [e.message], figures: {} });
    }
    const count = (s: TestSummary['status']) => tests.filter((t) => t.status === s).length;
    const figures = Object.fromEntries(tests.flatMap((t) => Object.entries(t.figures).map(([k, f]) => [k, { ...f, test: t.name }])));
    const observations: Required<Observations> = { reachability: {}, acl: {}, largestPacket: {} };
    for (const t of tests) {
      Object.assign(observations.reachability, t.observations?.reachability);
      Object.assign(observations.acl, t.observations?.acl);
      Object.assign(observations.largestPacket, t.observations?.largestPacket);
    }
    this.summary = {
      ...context,
      // A run that checked nothing (every test skipped) is not a pass, nor one on a lab FRR refused
      // configuration of, nor one where a check of a protected suite passed only on a retry.
      status: count('failed') > 0 || count('passed') === 0 || Boolean(context.frrConfigProblems?.length) || flakyProtected.length > 0 ? 'failed' : 'passed',
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      counts: { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), flaky: tests.filter((t) => t.flaky).length },
      figures,
      observations,
      tests,
      ...(flakyProtected.length ? { flakyProtected } : {}),
    };
    await this.write();
  }

  /** Record daemons that died during the run (looked at after the tests): any fails the run. */
  async recordDeadDaemons(dead: string[]): Promise<void> {
    if (!this.summary || !dead.length) return;
    this.summary = { ...this.summary, status: 'failed', daemonsNotRunning: dead };
    await this.write();
  }

  /** Amend the summary written at the end of the run (the history's previous values, the gate) and write it again. */
  async update(amend: (s: Summary) => Summary): Promise<Summary> {
    if (!this.summary) throw new Error('summary.json: no test run has ended to amend');
    this.summary = amend(this.summary);
    await this.write();
    return this.summary;
  }

  private async write(): Promise<void> {
    await mkdir(dirname(this.outputFile), { recursive: true });
    await writeFile(this.outputFile, `${JSON.stringify(this.summary, null, 2)}\n`);
  }
}
