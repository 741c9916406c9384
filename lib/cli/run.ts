// `netproof run`: deploy, run the conformance suites through vitest's Node API against the
// lab, write junit.xml + allure-results/ + summary.json + the HTML report, tear down (also on Ctrl-C).
// `netproof test`: the same suites against a lab that is already deployed.
// Both write state.json (the lab's normalised state) and, given a baseline snapshot, diff.json.
import { existsSync } from 'node:fs';
import { glob, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { EXIT, UsageError } from '../errors.ts';
import { ownFile, PROJECT_ROOT } from '../paths.ts';
import { daemonsNotRunning } from '../lab/daemons.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import type { Lab } from '../lifecycle/lab.ts';
import { protectedFlakeLine, SummaryReporter } from '../report/summary-reporter.ts';
import { writeAllureDiff } from '../report/allure-diff.ts';
import { buildSnapshot } from '../report/state-file.ts';
import { DEFAULT_FIGURE_TOLERANCE, type FigureTolerance } from '../model/intent.ts';
import { settledLiveState } from '../state/collect.ts';
import type { Accepted } from '../state/diff.ts';
import { changeProblems, diffMarkdown, diffReport, failureLines, type DiffReport } from '../state/report.ts';
import { aclProbesOf, type Snapshot } from '../state/snapshot.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { ACL_PROBES_ENV, CONVERGENCE_TIMEOUT_ENV, FAILOVER_SCOPE_ENV, LAB_ENV, RUN_STARTED_ENV, RUNTIME_ENV, STOP_FILE_ENV } from '../testkit/settings.ts';
import type { FailoverScope } from '../plan/failover-plan.ts';
import { deployLab, loadForRuntime, printFrrConfigProblems } from './deploy.ts';
import { interrupted, keepingOurSignalHandlers, withInterruptCleanup } from './interrupt.ts';
import { labDeadlines } from '../plan/deadlines.ts';
import { finishReports, historyFileIn } from './reports.ts';

export { PROJECT_ROOT };
export const SUITES_DIR = ownFile('suites');
/** What a user's check imports; the runner points it at this copy of netproof, so the kit and the lab fixture are the runner's own. */
export const TESTKIT_ENTRY = ownFile('lib/testkit/index.ts');
/** In the order they run: whether FRR took the configuration, then convergence, so its clock means what it says. */
export const SUITE_NAMES = ['frr-config', 'bgp-convergence', 'igp', 'intent', 'overlay-reachability', 'geneve-mtu', 'acl', 'nat', 'load-balancer', 'ecmp-spread', 'bfd-failover', 'gateway-failover'];

export interface SuiteOptions {
  runtime: Runtime;
  /** Suite names; all when empty. */
  suites: string[];
  reportDir: string;
  convergenceTimeoutS?: number;
  /** Globs of the user's own check files (relative to the working directory), run after the built-in suites. */
  tests?: string[];
  /** Only the checks whose name matches this regular expression run (`--grep`, vitest's testNamePattern); the others are skipped. */
  grep?: string;
  /** Run a failed check up to this many more times (`--retries`, vitest's retry); one that passes on a retry is reported flaky. */
  retries?: number;
  /** Suites where a flaky check fails the run (`--protect`). */
  protect?: string[];
  /** A snapshot taken earlier to compare this run's with (`--baseline`, `netproof change`): any regression fails the run. */
  baseline?: { snapshot: Snapshot; label: string };
  /** Differences the user means to make (`--accept`): reported as intended; one that does not happen fails the run. */
  accepted?: Accepted[];
  /** Figure tolerance; else the intent's, else the default. */
  tolerance?: FigureTolerance;
  /** Which links the failover suite fails (default: one per tier pair). */
  failover?: FailoverScope;
  /** Security-group probes to add to the lab's own (`tcp/5432`), so two labs are compared cell for cell. */
  aclProbes?: string[];
  /** Where diff.json and diff.md go: the report directory unless given. */
  diffDir?: string;
  /** Label of this run's lab in the diff: its file unless given. */
  label?: string;
  /** The figure history (`--history FILE`): history.jsonl in the report directory unless given; false: none (the proposed run of `change`). */
  history?: string | false;
}

/** How long the state snapshot waits for the lab to settle after the checks (a failover test may just have restored a link). */
const SNAPSHOT_SETTLE_MS = 20_000;

export interface RunOptions extends SuiteOptions {
  file: string;
  /** The file already loaded and checked for this runtime (netproof change checks both files first). */
  lab?: Lab;
  keep?: boolean;
}

export function suiteFiles(names: string[]): string[] {
  const unknown = names.filter((n) => !SUITE_NAMES.includes(n));
  if (unknown.length) throw new UsageError(`unknown suite${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (suites: ${SUITE_NAMES.join(', ')})`);
  return (names.length ? names : SUITE_NAMES).map(suiteFile);
}

/** suites/NAME.test.ts in a clone, dist/suites/NAME.test.js in an installed package. */
function suiteFile(name: string): string {
  return ownFile(`suites/${name}.test.ts`);
}

/** The user's check files: every glob must match at least one file, or it is a usage error (nothing deployed). */
export async function userTestFiles(globs: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of globs) {
    const found: string[] = [];
    for await (const f of glob(pattern, { cwd })) found.push(resolve(cwd, f));
    if (!found.length) throw new UsageError(`--tests '${pattern}' matches no file (relative to ${cwd})\n    fix: point it at your check files, e.g. --tests 'my-checks/**/*.test.ts'`);
    for (const f of found.sort()) files.add(f);
  }
  return [...files];
}

/** Deploy, test, tear down. Returns the exit code: 0 all passed, 1 a check failed. Bad input and environment problems throw. */
export async function runLab(o: RunOptions): Promise<number> {
  suiteFiles(o.suites);
  const userFiles = await userTestFiles(o.tests ?? []);
  const loaded = o.lab ?? (await loadForRuntime(o.file, o.runtime));
  const { topology } = loaded;
  await o.runtime.checkEnvironment(topology);
  await prepareReportDir(o.reportDir);
  let lab: StartedLab | undefined;
  const teardown = async () => {
    if (!o.keep) await o.runtime.destroy(topology.name);
  };
  return withInterruptCleanup(teardown, async () => {
    try {
      // Load vitest while the lab deploys: its start-up is most of run's overhead.
      const vitestNode = import('vitest/node');
      lab = await deployLab(loaded, o.runtime, { transient: !o.keep });
      return await runSuites(lab, o, userFiles, vitestNode, { keepsLab: o.keep === true });
    } finally {
      await teardown();
      if (o.keep && lab) console.log(`lab ${lab.name} left running (--keep): netproof destroy ${lab.name}`);
    }
  });
}

/** The suites against a lab deployed earlier (`netproof deploy`); the lab keeps running. Deadlines start now, not at its deploy. */
export async function testLab(labName: string, o: SuiteOptions): Promise<number> {
  suiteFiles(o.suites);
  const userFiles = await userTestFiles(o.tests ?? []);
  const lab = await o.runtime.attach(labName);
  await prepareReportDir(o.reportDir);
  return runSuites(lab, o, userFiles, import('vitest/node'), { keepsLab: true, runStartedAt: Date.now() });
}

async function runSuites(lab: StartedLab, o: SuiteOptions, userFiles: string[], vitestNode: Promise<typeof import('vitest/node')>, how: { keepsLab: boolean; runStartedAt?: number }): Promise<number> {
  const { keepsLab, runStartedAt } = how;
  const files = [...suiteFiles(o.suites), ...userFiles];
  // At the top of the output, and a failed run whatever suites were chosen (the frr-config suite reports it too).
  const configRefused = printFrrConfigProblems(lab);
  for (const note of lab.bringUpNotes ?? []) console.log(`bring-up: ${note}`);
  const deadlines = labDeadlines(lab.topology, o.convergenceTimeoutS);
  const convergenceTimeoutS = deadlines.convergenceS;
  console.log(`deadlines: convergence ${convergenceTimeoutS} s (${deadlines.convergenceFrom === 'lab size' ? `by the lab's size: ${deadlines.routers} FRR routers` : '--convergence-timeout'}), every check at least ${deadlines.checkMinMs / 1000} s (${deadlines.nodes} nodes); rule: ${deadlines.rule}`);
  process.env[LAB_ENV] = lab.name;
  process.env[RUNTIME_ENV] = o.runtime.name;
  process.env[CONVERGENCE_TIMEOUT_ENV] = String(convergenceTimeoutS);
  const aclProbes = [...new Set([...(o.aclProbes ?? []), ...(o.baseline ? aclProbesOf(o.baseline.snapshot) : [])])];
  if (aclProbes.length) process.env[ACL_PROBES_ENV] = aclProbes.join(',');
  else delete process.env[ACL_PROBES_ENV];
  process.env[FAILOVER_SCOPE_ENV] = o.failover ?? 'tier-pairs';
  if (runStartedAt === undefined) delete process.env[RUN_STARTED_ENV];
  else process.env[RUN_STARTED_ENV] = String(runStartedAt);
  const summary = new SummaryReporter(join(o.reportDir, 'summary.json'), PROJECT_ROOT, () => ({
    lab: lab.name,
    runtime: o.runtime.name,
    topologyFile: lab.topology.file,
    deploySeconds: (lab.times.deployedAt - lab.times.deployStartedAt) / 1000,
    frrConfigProblems: [...lab.frrConfigProblems],
    bringUpNotes: [...(lab.bringUpNotes ?? [])],
    deadlines,
    ...(o.grep !== undefined ? { grep: o.grep } : {}),
    ...(o.retries ? { retries: o.retries } : {}),
    ...(o.protect?.length ? { protect: [...o.protect] } : {}),
  }), (moduleId) => SUITE_NAMES.find((n) => moduleId === suiteFile(n)));
  const { createVitest, BaseSequencer } = await vitestNode;
  // Built-in suites in their order, the user's files after them.
  const rank = (moduleId: string) => {
    const i = SUITE_NAMES.findIndex((n) => moduleId.endsWith(`/${basename(suiteFile(n))}`));
    return i < 0 ? SUITE_NAMES.length : i;
  };
  class SuiteOrder extends BaseSequencer {
    override async sort(specs: Parameters<InstanceType<typeof BaseSequencer>['sort']>[0]) {
      return [...specs].sort((a, b) => rank(a.moduleId) - rank(b.moduleId));
    }
  }
  const timeoutMs = convergenceTimeoutS * 1000 + 60_000;
  // Created only to stop the checks (stopAfterCurrentTest); the workers see its name.
  const stopFile = join(tmpdir(), `netproof-stop-${process.pid}`);
  await rm(stopFile, { force: true });
  process.env[STOP_FILE_ENV] = stopFile;
  const vitest = await keepingOurSignalHandlers(() =>
    createVitest(
      {
        root: PROJECT_ROOT,
        config: false,
        run: true,
        watch: false,
        include: [relative(PROJECT_ROOT, ownFile('suites/**/*.test.ts')), ...userFiles],
        ...(o.grep !== undefined ? { testNamePattern: o.grep } : {}),
        ...(o.retries ? { retry: o.retries } : {}),
        alias: { 'netproof/testkit': TESTKIT_ENTRY },
        testTimeout: timeoutMs,
        hookTimeout: timeoutMs,
        // One lab, one set of probes at a time: suites must not disturb each other's measurements.
        fileParallelism: false,
        // One worker runs every file, importing netproof once instead of once per suite.
        isolate: false,
        sequence: { sequencer: SuiteOrder },
        setupFiles: ['allure-vitest/setup', ownFile('lib/testkit/stop-setup.ts')],
        reporters: [
          'default',
          ['junit', { outputFile: join(o.reportDir, 'junit.xml') }],
          ['allure-vitest/reporter', { resultsDir: join(o.reportDir, 'allure-results') }],
          summary,
        ],
      },
      {},
      { stdout: process.stdout, stderr: process.stderr },
    ),
  );
  let running: Promise<unknown> | undefined;
  // A lab that is torn down takes every fault with it: stop the checks at once. One that stays
  // (`test`, `run --keep`) keeps whatever a check left applied, so the check under way finishes
  // and undoes its fault (its finally) while every later one is skipped (stop-setup.ts).
  const stop = keepsLab ? () => stopAfterCurrentTest(vitest, running, stopFile, FINISH_TEST_MS) : () => closeWithin(vitest, 3_000);
  await withInterruptCleanup(stop, async () => {
    try {
      running = vitest.start(files.map((f) => (f.startsWith(PROJECT_ROOT) ? relative(PROJECT_ROOT, f) : f)));
      await running;
    } finally {
      await vitest.close();
    }
  });
  // Interrupted: the teardown is under way, and reading the lab for state.json would leave
  // commands running against nodes that are going away.
  if (interrupted()) return EXIT.failed;
  const result = summary.summary;
  if (result && result.counts.passed + result.counts.failed === 0) console.log('\nno check applied to this lab (every test was skipped): that is not a pass');
  const skipped = result?.tests.filter((t) => t.skipReason) ?? [];
  // A reason can list every link of a fabric: its start here, the whole of it in summary.json.
  const brief = (why: string) => (why.length > 300 ? `${why.slice(0, 299)}… (in full: summary.json)` : why);
  if (skipped.length) console.log(`\nskipped, and why (summary.json skipReason):\n${skipped.map((t) => `  ${t.name}: ${brief(t.skipReason!)}`).join('\n')}`);
  const flaky = result?.tests.filter((t) => t.flaky) ?? [];
  if (flaky.length) console.log(`\nflaky (passed only on a retry; summary.json counts.flaky):\n${flaky.map((t) => `  ${t.name}: failed ${(t.attempts ?? 1) - 1} of ${t.attempts ?? 1} attempts`).join('\n')}`);
  for (const f of result?.flakyProtected ?? []) console.log(protectedFlakeLine(f));
  // A daemon that died during the checks (a crash the probes set off, a fault left behind) is a
  // failure of its own, named with its last words, whatever the suites made of its absence.
  const dead = await daemonsNotRunning(lab.nodes(), { why: true });
  if (dead.length) console.log(`\ndaemons not running after the checks (the run fails; summary.json daemonsNotRunning):\n${dead.map((d) => `  ${d}`).join('\n')}`);
  await summary.recordDeadDaemons(dead);
  const { state: live, settled } = await settledLiveState(lab, SNAPSHOT_SETTLE_MS);
  if (!settled) console.log(`\nthe lab's state still changed ${SNAPSHOT_SETTLE_MS / 1000} s after the checks: state.json holds the last look`);
  for (const [router, why] of Object.entries(live.unreadable)) console.log(`state.json leaves out ${router}: it could not be read (${why.split('\n')[0]})`);
  const snapshot = buildSnapshot(lab.name, live, result);
  await writeFile(join(o.reportDir, 'state.json'), `${JSON.stringify(snapshot, null, 2)}\n`);
  if (configRefused) console.log('FRR refused lines of the configuration (listed at the top, and in summary.json frrConfigProblems): the run fails');
  const passed = result?.status === 'passed' && !configRefused && dead.length === 0;
  const diff = o.baseline ? await writeDiff(lab, snapshot, passed, o) : undefined;
  if (!result) return EXIT.failed;
  const gate = await finishReports(lab, summary, {
    reportDir: o.reportDir,
    history: o.history ?? historyFileIn(o.reportDir),
    suiteOf: (file) => SUITE_NAMES.find((n) => file === relative(PROJECT_ROOT, suiteFile(n))),
    ...(diff ? { diff: { problems: changeProblems(diff), baseline: diff.before.label } } : {}),
  });
  console.log(`reports: ${o.reportDir}/{junit.xml,allure-results/,allure-report/index.html,summary.json,state.json}`);
  return gate.passed ? EXIT.ok : EXIT.failed;
}

/** Diff this run's snapshot with the baseline: diff.json, diff.md, an Allure result; prints why it fails, if it does. */
async function writeDiff(lab: StartedLab, snapshot: Snapshot, passed: boolean, o: SuiteOptions): Promise<DiffReport> {
  const report = diffReport({
    before: { ...o.baseline!, lab: o.baseline!.snapshot.lab },
    after: { label: o.label ?? relative(process.cwd(), lab.topology.file), lab: lab.name, snapshot },
    afterPassed: passed,
    accepted: o.accepted,
    tolerance: o.tolerance ?? lab.topology.intent?.tolerance ?? DEFAULT_FIGURE_TOLERANCE,
  });
  const dir = o.diffDir ?? o.reportDir;
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const markdown = diffMarkdown(report);
  await writeFile(join(dir, 'diff.json'), json);
  await writeFile(join(dir, 'diff.md'), markdown);
  const reasons = failureLines(report);
  writeAllureDiff(join(o.reportDir, 'allure-results'), report, { json, markdown }, reasons);
  const c = report.counts;
  console.log(`\ndiff against ${report.before.label}: ${c.regressions} regressions, ${c.intended} intended, ${c.improvements} improvements, ${c.neutral} neutral → ${dir}/{diff.json,diff.md}`);
  if (reasons.length) console.log(`the change fails:\n${reasons.map((r) => `  ${r}`).join('\n')}`);
  return report;
}

/** How long a signal lets the check under way on a kept lab finish (and undo its fault) before the workers are killed. */
const FINISH_TEST_MS = 60_000;

async function stopAfterCurrentTest(vitest: { close(): Promise<void> }, running: Promise<unknown> | undefined, stopFile: string, ms: number): Promise<void> {
  process.stderr.write(`stopping after the check under way, which undoes any fault it applied (at most ${ms / 1000} s)\n`);
  await writeFile(stopFile, '');
  const finished = await Promise.race([(running ?? Promise.resolve()).then(() => true, () => true), new Promise<false>((r) => setTimeout(() => r(false), ms).unref())]);
  if (!finished) process.stderr.write(`the check under way did not finish within ${ms / 1000} s: a fault it applied may still be in place (netproof destroy, then deploy again)\n`);
  await closeWithin(vitest, 3_000);
  await rm(stopFile, { force: true });
}

/**
 * Stop vitest's workers on interrupt without letting a stuck worker block teardown: one still
 * busy after `ms` is killed, so it cannot go on probing the lab while it is torn down.
 */
async function closeWithin(vitest: { close(): Promise<void> }, ms: number): Promise<void> {
  const closed = await Promise.race([vitest.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), ms))]);
  if (!closed) await killChildProcesses();
}

/** SIGKILL this process's direct children (vitest's forked workers). */
async function killChildProcesses(): Promise<void> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": fields after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

async function prepareReportDir(dir: string): Promise<void> {
  // Only what a run writes is replaced; anything else in the directory is left alone.
  for (const name of ['junit.xml', 'summary.json', 'allure-results', 'allure-report', 'state.json', 'diff.json', 'diff.md']) {
    const p = join(dir, name);
    if (existsSync(p)) await rm(p, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
}
