// A vitest reporter that writes summary.json: every test's status and every measured
// figure with its unit, for CI gates and dashboards that do not read JUnit or Allure.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import type { FrrConfigProblem } from '../lab/started-lab.ts';
import type { Figure, Observations } from './figures.ts';
import type { LabDeadlines } from '../plan/deadlines.ts';

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
}

export interface TestSummary {
  file: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending';
  durationMs: number;
  errors: string[];
  figures: Record<string, Figure>;
  observations?: Observations;
}

export interface Summary extends SummaryContext {
  status: 'passed' | 'failed';
  startedAt: string;
  finishedAt: string;
  counts: { passed: number; failed: number; skipped: number };
  figures: Record<string, Figure & { test: string }>;
  /** Every check's observations merged: the matrices of state.json. */
  observations: Required<Observations>;
  tests: TestSummary[];
  /** Daemons found not running after the checks ("host1: ovs-vswitchd is not running (its log ends: …)"): any fails the run. */
  daemonsNotRunning?: string[];
}

export class SummaryReporter implements Reporter {
  private readonly startedAt = new Date();
  private readonly outputFile: string;
  private readonly context: () => SummaryContext;
  private readonly root: string;
  summary: Summary | undefined;

  constructor(outputFile: string, root: string, context: () => SummaryContext) {
    this.outputFile = outputFile;
    this.root = root;
    this.context = context;
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const tests: TestSummary[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const result = test.result();
        const diagnostic = test.diagnostic();
        tests.push({
          file: relative(this.root, mod.moduleId),
          name: test.fullName,
          status: result.state,
          durationMs: Math.round(diagnostic?.duration ?? 0),
          errors: (result.errors ?? []).map((e) => e.message),
          figures: test.meta().netproofFigures ?? {},
          ...(test.meta().netproofObservations ? { observations: test.meta().netproofObservations } : {}),
        });
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
    const context = this.context();
    this.summary = {
      ...context,
      // A run that checked nothing (every test skipped) is not a pass, nor one on a lab FRR refused configuration of.
      status: count('failed') > 0 || count('passed') === 0 || Boolean(context.frrConfigProblems?.length) ? 'failed' : 'passed',
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      counts: { passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
      figures,
      observations,
      tests,
    };
    await this.write();
  }

  /** Record daemons that died during the run (looked at after the tests): any fails the run. */
  async recordDeadDaemons(dead: string[]): Promise<void> {
    if (!this.summary || !dead.length) return;
    this.summary = { ...this.summary, status: 'failed', daemonsNotRunning: dead };
    await this.write();
  }

  private async write(): Promise<void> {
    await mkdir(dirname(this.outputFile), { recursive: true });
    await writeFile(this.outputFile, `${JSON.stringify(this.summary, null, 2)}\n`);
  }
}
