import { Stage, Status, type TestResult } from 'allure-js-commons';
import { describe, expect, test } from 'vitest';
import { SUITE_CATALOG } from './allure-catalog.ts';
import { enrichResult, formatFigure, testKeyCandidates, type EnrichContext } from './allure-enrich.ts';

const ACL_PATH = ['netproof', 'suites', 'acl.test.ts', 'security groups (ACLs)'];

function result(over: Partial<TestResult> = {}): TestResult {
  return { uuid: 'u1', name: 'x', titlePath: ACL_PATH, status: Status.PASSED, statusDetails: {}, stage: Stage.FINISHED, steps: [], attachments: [], parameters: [], labels: [], links: [], ...over };
}

const suiteOf = (file: string) => /^suites\/([^/]+)\.test\.ts$/.exec(file)?.[1];
type SummaryTest = EnrichContext['tests'][number];
const summaryTest = (over: Partial<SummaryTest> = {}): SummaryTest => ({ file: 'suites/acl.test.ts', name: 'security groups (ACLs) > x', figures: {}, ...over });
const ctx = (...tests: SummaryTest[]): EnrichContext => ({ suiteOf, tests });
const labelsOf = (r: TestResult, ...names: string[]) => r.labels.filter((l) => names.includes(l.name));

describe('testKeyCandidates', () => {
  test('tries every split of titlePath into file and describe blocks', () => {
    expect(testKeyCandidates({ titlePath: ACL_PATH, name: 'x' })).toEqual([
      { file: 'suites', name: 'acl.test.ts > security groups (ACLs) > x' },
      { file: 'suites/acl.test.ts', name: 'security groups (ACLs) > x' },
      { file: 'suites/acl.test.ts/security groups (ACLs)', name: 'x' },
    ]);
  });

  test('none without a titlePath', () => {
    expect(testKeyCandidates({ name: 'x' })).toEqual([]);
  });
});

describe('enrichResult', () => {
  test('labels a built-in suite\'s test with its epic, feature, severity and plane', () => {
    const r = enrichResult(result(), ctx(summaryTest()));
    expect(labelsOf(r, 'epic', 'feature', 'severity', 'plane')).toEqual([
      { name: 'epic', value: 'Overlay' },
      { name: 'feature', value: 'Security groups' },
      { name: 'severity', value: 'critical' },
      { name: 'plane', value: 'data plane' },
    ]);
  });

  test('labels a user\'s check under Your checks, its feature the file\'s base name', () => {
    const r = enrichResult(result({ titlePath: ['netproof', 'checks', 'my-fabric.test.ts', 'mine'] }), ctx(summaryTest({ file: 'checks/my-fabric.test.ts', name: 'mine > x' })));
    expect(labelsOf(r, 'epic', 'feature', 'severity', 'plane')).toEqual([
      { name: 'epic', value: 'Your checks' },
      { name: 'feature', value: 'my-fabric' },
      { name: 'severity', value: 'normal' },
      { name: 'plane', value: 'data plane' },
    ]);
    expect(r.description).toBeUndefined();
  });

  // Once a defect: the fallback took every describe block as part of the file
  // ('suites/acl.test.ts/security groups (ACLs)') and labelled the check 'Your checks'.
  test('a result missing from summary.json is still labelled by its file', () => {
    const r = enrichResult(result(), ctx());
    expect(labelsOf(r, 'epic', 'feature')).toEqual([
      { name: 'epic', value: 'Overlay' },
      { name: 'feature', value: 'Security groups' },
    ]);
  });

  test('a failure\'s plane follows its message and test name', () => {
    const env = enrichResult(result({ status: Status.FAILED, statusDetails: { message: 'host1: ovs-vswitchd is not running' } }), ctx(summaryTest()));
    expect(labelsOf(env, 'plane')).toEqual([{ name: 'plane', value: 'environment' }]);
    // The message of a passed test does not count.
    const passed = enrichResult(result({ statusDetails: { message: 'host1: ovs-vswitchd is not running' } }), ctx(summaryTest()));
    expect(labelsOf(passed, 'plane')).toEqual([{ name: 'plane', value: 'data plane' }]);
  });

  test('replaces existing labels of those names and keeps the others', () => {
    const r = enrichResult(result({ labels: [{ name: 'epic', value: 'old' }, { name: 'severity', value: 'trivial' }, { name: 'host', value: 'ci1' }, { name: 'feature', value: 'old' }] }), ctx(summaryTest()));
    expect(r.labels).toEqual([
      { name: 'host', value: 'ci1' },
      { name: 'epic', value: 'Overlay' },
      { name: 'feature', value: 'Security groups' },
      { name: 'severity', value: 'critical' },
      { name: 'plane', value: 'data plane' },
    ]);
  });

  test('adds each figure as an excluded parameter, after the existing ones', () => {
    const figures = { loss_ms: { value: 120, unit: 'ms', budget: 900 }, hops: { value: 3, unit: 'hops' } };
    const r = enrichResult(result({ parameters: [{ name: 'p', value: '1' }] }), ctx(summaryTest({ figures })));
    expect(r.parameters).toEqual([
      { name: 'p', value: '1' },
      { name: 'loss_ms', value: formatFigure(figures.loss_ms), excluded: true },
      { name: 'hops', value: '3 hops', excluded: true },
    ]);
  });

  test('marks flaky only a flaky test, keeping its message or saying how many attempts', () => {
    expect(enrichResult(result(), ctx(summaryTest())).statusDetails).toEqual({});
    expect(enrichResult(result(), ctx(summaryTest({ flaky: true, attempts: 3 }))).statusDetails).toEqual({ flaky: true, message: 'flaky: passed on attempt 3 after failing' });
    expect(enrichResult(result({ statusDetails: { message: 'm', trace: 't' } }), ctx(summaryTest({ flaky: true }))).statusDetails).toEqual({ flaky: true, message: 'm', trace: 't' });
  });

  test('adds the impact as description only when there is none', () => {
    expect(enrichResult(result(), ctx(summaryTest())).description).toBe(`Why it matters: ${SUITE_CATALOG.acl!.impact}.`);
    expect(enrichResult(result({ description: 'mine' }), ctx(summaryTest())).description).toBe('mine');
  });

  test('leaves the rest of the result as it was', () => {
    const r = enrichResult(result({ uuid: 'abc', fullName: 'f', start: 1, stop: 2 }), ctx(summaryTest()));
    expect(r).toMatchObject({ uuid: 'abc', name: 'x', fullName: 'f', start: 1, stop: 2, status: 'passed', stage: 'finished' });
  });
});

describe('formatFigure', () => {
  test('value and unit', () => {
    expect(formatFigure({ value: 3, unit: 's' })).toBe('3 s');
    expect(formatFigure({ value: 1.23456, unit: 's' })).toBe('1.23 s');
    expect(formatFigure({ value: 123.456, unit: 'ms' })).toBe('123.5 ms');
  });

  test('budget within or OVER', () => {
    expect(formatFigure({ value: 900, unit: 'ms', budget: 900 })).toBe('900 ms; budget ≤ 900 ms: within');
    expect(formatFigure({ value: 901, unit: 'ms', budget: 900 })).toBe('901 ms; budget ≤ 900 ms: OVER');
  });

  test('previous with the signed change', () => {
    expect(formatFigure({ value: 120, unit: 'ms', previous: 100, change: 20 })).toBe('120 ms; previous 100 ms (+20)');
    expect(formatFigure({ value: 2.5, unit: 's', budget: 3, previous: 3, change: -0.5 })).toBe('2.5 s; budget ≤ 3 s: within; previous 3 s (-0.5)');
    expect(formatFigure({ value: 7, unit: 's', previous: 7, change: 0 })).toBe('7 s; previous 7 s (+0)');
  });
});
