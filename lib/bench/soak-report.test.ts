import { describe, expect, it } from 'vitest';
import { runFailures, soakReport, soakText, type SoakRun } from './soak-report.ts';

const passedSummary: NonNullable<SoakRun['summary']> = { status: 'passed', counts: { passed: 1, failed: 0, skipped: 0 }, tests: [{ file: 'suites/a.test.ts', name: 'a', status: 'passed', durationMs: 1, errors: [], figures: {} }] };

const run = (n: number, over: Partial<SoakRun> = {}): SoakRun => ({ run: n, exitCode: 0, durationS: 70.04, summary: structuredClone(passedSummary), leftovers: [], ...over });

describe('soak report', () => {
  it('counts a clean run as passed, and reports nothing for it', () => {
    expect(runFailures(run(1))).toEqual([]);
    expect(soakReport([run(1), run(2)], { topology: 'dc.clab.yml', runtime: 'netns', date: new Date(0) })).toEqual({ date: '1970-01-01T00:00:00.000Z', topology: 'dc.clab.yml', runtime: 'netns', runs: 2, passed: 2, failures: [], durationsS: [70, 70] });
  });

  it('names every failed test with its message, dead daemons and leftovers, run by run', () => {
    const failed = run(3, { exitCode: 1, summary: { status: 'failed', counts: { passed: 0, failed: 1, skipped: 0 }, tests: [{ file: 'suites/bfd-failover.test.ts', name: 'leaf1:eth1 carrier loss', status: 'failed', durationMs: 1, errors: ['loss 1.2 s over 0.9 s'], figures: {} }], daemonsNotRunning: ['host1: bfdd is not running'] }, leftovers: ['np.soak.leaf1'] });
    const report = soakReport([run(1), failed], { topology: 'dc.clab.yml', runtime: 'netns' });
    expect(report.passed).toBe(1);
    expect(report.failures).toEqual([
      { run: 3, test: 'suites/bfd-failover.test.ts > leaf1:eth1 carrier loss', message: 'loss 1.2 s over 0.9 s' },
      { run: 3, test: '(daemons after the checks)', message: 'host1: bfdd is not running' },
      { run: 3, test: '(teardown)', message: 'left behind: np.soak.leaf1' },
    ]);
    expect(soakText(report)).toBe('soak: 1/2 runs passed (dc.clab.yml, netns)\nrun 3: suites/bfd-failover.test.ts > leaf1:eth1 carrier loss\n  loss 1.2 s over 0.9 s\nrun 3: (daemons after the checks)\n  host1: bfdd is not running\nrun 3: (teardown)\n  left behind: np.soak.leaf1');
  });

  it('reports a run that died before its checks with the end of its output, and a non-zero exit with every test passed', () => {
    expect(runFailures(run(4, { exitCode: 2, summary: undefined, outputTail: 'deploy failed: leaf1 …\n' }))).toEqual([{ run: 4, test: '(no summary.json)', message: 'exit 2: deploy failed: leaf1 …' }]);
    expect(runFailures(run(5, { exitCode: 1, outputTail: 'interrupted' }))).toEqual([{ run: 5, test: '(run)', message: 'exit 1 with every test passed: interrupted' }]);
  });
});
