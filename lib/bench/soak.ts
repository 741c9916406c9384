// `npm run soak -- --runs 20`: the default conformance run, again and again on one machine.
// Every failure is reported with its run, its test and its message, and so is anything a run
// left behind; nothing is retried. Writes reports/soak.json (and each run's own report under
// reports/soak/run-N/). Exit 0 only when every run passed.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { exec } from '../exec.ts';
import { loadLab } from '../lifecycle/lab.ts';
import { ownFile, PROJECT_ROOT } from '../paths.ts';
import type { Summary } from '../report/summary-reporter.ts';
import { labLeftovers } from '../runtime/leftovers.ts';
import { runPassed, soakReport, soakText, type SoakRun } from './soak-report.ts';

const RUN_TIMEOUT_MS = 30 * 60_000;

function positive(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a whole number of at least 1 (got ${v})`);
    return n;
  };
}

async function soakOnce(run: number, file: string, lab: string, runtime: string, reportDir: string): Promise<SoakRun> {
  const dir = join(reportDir, `run-${run}`);
  await rm(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const r = await exec([process.execPath, ownFile('lib/cli/main.ts'), 'run', file, '--runtime', runtime, '--report-dir', dir], { env: { ...process.env, CI: 'true' }, timeoutMs: RUN_TIMEOUT_MS });
  const durationS = (performance.now() - t0) / 1000;
  const summary = await readFile(join(dir, 'summary.json'), 'utf8').then((t) => JSON.parse(t) as Summary, () => undefined);
  const leftovers = await labLeftovers(lab);
  const out = `${r.stdout}\n${r.stderr}`.trim().split('\n');
  return { run, exitCode: r.exitCode, durationS, summary, leftovers, outputTail: out.slice(-15).join('\n') };
}

async function main(argv: string[]): Promise<number> {
  const o = new Command('soak')
    .description('run the default conformance run again and again; report every failure')
    .argument('[topology]', 'the lab to run', join(PROJECT_ROOT, 'topologies', 'dc', 'dc.clab.yml'))
    .option('--runs <n>', 'how many runs', positive('--runs'), 20)
    .option('--runtime <name>', 'netns or docker', 'netns')
    .option('--report-dir <dir>', 'where soak.json and each run go', join(PROJECT_ROOT, 'reports'))
    .exitOverride();
  try {
    o.parse(argv, { from: 'user' });
  } catch (e) {
    // --help prints and ends well; bad input ends with 2, as netproof's own CLI does.
    return e instanceof CommanderError && e.exitCode === 0 ? 0 : 2;
  }
  const { runs, runtime, reportDir } = o.opts<{ runs: number; runtime: string; reportDir: string }>();
  const file = resolve(o.args[0] ?? join(PROJECT_ROOT, 'topologies', 'dc', 'dc.clab.yml'));
  const lab = (await loadLab(file)).topology.name;
  const before = await labLeftovers(lab);
  if (before.length) throw new Error(`lab ${lab} is already on this machine (${before.slice(0, 3).join(', ')}…): netproof destroy ${lab} first`);
  const perRun = join(reportDir, 'soak');
  await mkdir(perRun, { recursive: true });
  const results: SoakRun[] = [];
  for (let i = 1; i <= runs; i++) {
    const r = await soakOnce(i, file, lab, runtime, perRun);
    results.push(r);
    console.log(`run ${i}/${runs}: ${runPassed(r) ? 'passed' : 'FAILED'} in ${r.durationS.toFixed(1)} s`);
    // A run that left its lab behind would make every later run fail on the same cause.
    if (r.leftovers.length) await exec([process.execPath, ownFile('lib/cli/main.ts'), 'destroy', lab]);
    const report = soakReport(results, { topology: file, runtime });
    await writeFile(join(reportDir, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  const report = soakReport(results, { topology: file, runtime });
  console.log(`\n${soakText(report)}\nwritten: ${join(reportDir, 'soak.json')}`);
  return report.passed === report.runs ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(`soak: ${(e as Error).message}`);
    process.exitCode = 2;
  },
);
