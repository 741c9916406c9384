import { describe, expect, test } from 'vitest';
import { gateLines, qualityGate, type GateInput } from './quality-gate.ts';
import type { TestSummary } from './summary-reporter.ts';

type GateSummary = GateInput['summary'];

const passedTest = (name: string): TestSummary => ({ file: 'suites/bgp-convergence.test.ts', name, status: 'passed', durationMs: 10, errors: [], figures: {} });

/** Two passed checks, nothing else wrong, no figures. */
function clean(over: Partial<GateSummary> = {}): GateSummary {
  return { counts: { passed: 2, failed: 0, skipped: 0, flaky: 0 }, tests: [passedTest('a'), passedTest('b')], figures: {}, ...over };
}

const RESULT_RULES = ['no-failed-check', 'something-checked', 'no-protected-flake', 'frr-config-accepted', 'daemons-running'];
const broken = (s: GateSummary) => qualityGate({ summary: s }).rules.filter((r) => !r.passed);

describe('qualityGate', () => {
  test('passes a clean summary with the five result rules', () => {
    const gate = qualityGate({ summary: clean() });
    expect(gate.passed).toBe(true);
    expect(gate.rules.map((r) => r.id)).toEqual(RESULT_RULES);
    expect(gate.rules.every((r) => r.passed && r.culprits === undefined)).toBe(true);
  });

  test('a failed check fails no-failed-check alone, naming it with its first error line', () => {
    const failed: TestSummary = { ...passedTest('sessions up'), status: 'failed', errors: ['spine1: 1 of 4 sessions Established\n    at x.ts:3', 'second error'] };
    const bare: TestSummary = { ...passedTest('no message'), status: 'failed', errors: [] };
    const gate = qualityGate({ summary: clean({ counts: { passed: 1, failed: 2, skipped: 0 }, tests: [passedTest('a'), failed, bare] }) });
    expect(gate.passed).toBe(false);
    expect(gate.rules.filter((r) => !r.passed)).toEqual([
      { id: 'no-failed-check', name: 'no check failed', expected: '0 failed', actual: '2 failed', passed: false, culprits: ['sessions up: spine1: 1 of 4 sessions Established', 'no message'] },
    ]);
  });

  test('names the checks that failed on their own before those whose precondition failed, with the first culprit of a list', () => {
    const failed = (name: string, error: string): TestSummary => ({ ...passedTest(name), status: 'failed', errors: [error] });
    const gate = qualityGate({
      summary: clean({
        tests: [
          failed('BFD failover > before any fault', 'precondition failed: the fabric converged\ntimed out'),
          failed('BGP convergence > routes', '4 culprits when timed out after 9.6 s waiting for 54 loopback routes:\nleaf2: 10.255.1.1/32 has 1 next hop\nleaf2: 10.255.1.3/32 has 1 next hop'),
        ],
        counts: { passed: 0, failed: 2, skipped: 0 },
      }),
    });
    expect(gate.rules.find((r) => r.id === 'no-failed-check')?.culprits).toEqual([
      'BGP convergence > routes: 4 culprits when timed out after 9.6 s waiting for 54 loopback routes: leaf2: 10.255.1.1/32 has 1 next hop',
      'BFD failover > before any fault: precondition failed: the fabric converged',
    ]);
  });

  test('all skipped fails something-checked alone', () => {
    const skipped = ['a', 'b'].map((n): TestSummary => ({ ...passedTest(n), status: 'skipped' }));
    const rules = broken(clean({ counts: { passed: 0, failed: 0, skipped: 2 }, tests: skipped }));
    expect(rules.map((r) => [r.id, r.actual])).toEqual([['something-checked', '0 passed, 2 skipped']]);
    expect(rules[0]!.culprits).toBeUndefined();
  });

  test('a protected flake fails no-protected-flake alone, naming suite and test', () => {
    const rules = broken(clean({ protect: ['bfd-failover'], flakyProtected: [{ suite: 'bfd-failover', test: 'carrier loss', attempts: 2, failedAttempts: 1 }] }));
    expect(rules.map((r) => ({ id: r.id, name: r.name, actual: r.actual, culprits: r.culprits }))).toEqual([
      { id: 'no-protected-flake', name: 'no flaky check in a protected suite (bfd-failover)', actual: '1 flaky', culprits: ['bfd-failover: carrier loss'] },
    ]);
  });

  test('names the missing --protect when no suite is protected', () => {
    const rule = qualityGate({ summary: clean() }).rules.find((r) => r.id === 'no-protected-flake')!;
    expect(rule.name).toBe('no flaky check in a protected suite (none protected: --protect SUITE)');
  });

  test('an FRR config problem fails frr-config-accepted alone, located by node, file and line', () => {
    const rules = broken(
      clean({
        frrConfigProblems: [
          { node: 'leaf1', file: 'frr.conf', line: 32, statement: 'frobnicate', message: '% Unknown command' },
          { node: 'spine1', file: 'bgpd.conf', statement: 'neighbor x', message: '% Specify remote-as' },
        ],
      }),
    );
    expect(rules.map((r) => [r.id, r.actual, r.culprits])).toEqual([
      ['frr-config-accepted', '2 lines refused', ['leaf1: frr.conf:32: frobnicate (% Unknown command)', 'spine1: bgpd.conf: neighbor x (% Specify remote-as)']],
    ]);
  });

  test('one refused line is counted in the singular', () => {
    const rules = broken(clean({ frrConfigProblems: [{ node: 'leaf1', file: 'frr.conf', line: 1, statement: 's', message: 'm' }] }));
    expect(rules[0]!.actual).toBe('1 line refused');
  });

  test('a dead daemon fails daemons-running alone, naming it', () => {
    const rules = broken(clean({ daemonsNotRunning: ['host1: ovs-vswitchd is not running'] }));
    expect(rules.map((r) => [r.id, r.actual, r.culprits])).toEqual([['daemons-running', '1 dead', ['host1: ovs-vswitchd is not running']]]);
  });

  test('one budget rule per figure with a budget, sorted by name, none for figures without', () => {
    const gate = qualityGate({
      summary: clean({
        figures: {
          'z_loss_ms': { value: 120, unit: 'ms', budget: 100, test: 'bfd > grey' },
          'a_convergence_s': { value: 3, unit: 's', budget: 3, test: 'bgp > up' },
          'overhead_bytes': { value: 50, unit: 'B', test: 'mtu' },
        },
      }),
    });
    expect(gate.rules.map((r) => r.id)).toEqual([...RESULT_RULES, 'budget:a_convergence_s', 'budget:z_loss_ms']);
    const [atBudget, over] = gate.rules.slice(5);
    expect(atBudget).toEqual({ id: 'budget:a_convergence_s', name: 'a_convergence_s within its budget', expected: '≤ 3 s', actual: '3 s', passed: true });
    expect(over).toEqual({ id: 'budget:z_loss_ms', name: 'z_loss_ms within its budget', expected: '≤ 100 ms', actual: '120 ms', passed: false, culprits: ['z_loss_ms (bfd > grey)'] });
    expect(gate.passed).toBe(false);
  });

  test('a budget value is shown to two decimals', () => {
    const gate = qualityGate({ summary: clean({ figures: { f: { value: 1.23456, unit: 's', budget: 2, test: 't' } } }) });
    expect(gate.rules.at(-1)!.actual).toBe('1.23 s');
    expect(gate.passed).toBe(true);
  });

  test('no-regression is a rule only with a diff', () => {
    expect(qualityGate({ summary: clean() }).rules.some((r) => r.id === 'no-regression')).toBe(false);
    const ok = qualityGate({ summary: clean(), diff: { problems: [], baseline: 'base/state.json' } });
    expect(ok.passed).toBe(true);
    expect(ok.rules.at(-1)).toMatchObject({ id: 'no-regression', name: 'no regression against the baseline base/state.json', actual: 'none', passed: true });
  });

  test('no-regression fails with the diff problems as culprits', () => {
    const problems = ['vm1 → vm2: reply, now no reply', 'accepted difference not made: vm3 → vm1'];
    const gate = qualityGate({ summary: clean(), diff: { problems, baseline: 'b' } });
    expect(gate.passed).toBe(false);
    expect(gate.rules.filter((r) => !r.passed)).toEqual([{ id: 'no-regression', name: 'no regression against the baseline b', expected: '0 regressions, every accepted difference made', actual: '2 problems', passed: false, culprits: problems }]);
  });

  test('passed is the AND of the rules', () => {
    const overBudget = clean({ figures: { f: { value: 2, unit: 'ms', budget: 1, test: 't' } } });
    const gate = qualityGate({ summary: overBudget });
    expect(gate.rules.filter((r) => !r.passed).map((r) => r.id)).toEqual(['budget:f']);
    expect(gate.passed).toBe(false);
  });
});

describe('gateLines', () => {
  test('one line when the gate passes, counting result rules and budgets', () => {
    const gate = qualityGate({ summary: clean({ figures: { f: { value: 1, unit: 'ms', budget: 1, test: 't' } } }), diff: { problems: [], baseline: 'b' } });
    expect(gateLines(gate)).toEqual(['quality gate: passed (6 result rules, 1 figure budget)']);
  });

  test('the broken rules and their culprits when it fails', () => {
    const gate = qualityGate({ summary: clean({ daemonsNotRunning: ['host1: ovs-vswitchd is not running'], figures: { f: { value: 2, unit: 'ms', budget: 1, test: 't' } } }) });
    expect(gateLines(gate)).toEqual([
      'quality gate: FAILED',
      '  ✗ every daemon still running after the checks: expected 0 dead, saw 1 dead',
      '      host1: ovs-vswitchd is not running',
      '  ✗ f within its budget: expected ≤ 1 ms, saw 2 ms',
      '      f (t)',
    ]);
  });

  test('at most 10 culprits per rule', () => {
    const problems = Array.from({ length: 12 }, (_, i) => `problem ${i + 1}`);
    const lines = gateLines(qualityGate({ summary: clean(), diff: { problems, baseline: 'b' } }));
    expect(lines).toHaveLength(2 + 10);
    expect(lines.slice(2)).toEqual(problems.slice(0, 10).map((p) => `      ${p}`));
  });
});
