// summary.json under --retries and --protect, written from test results shaped as vitest's
// reporter API hands them over (TestModule, TestCase.result(), TestCase.diagnostic()): a check
// that passed only on a retry passes but is counted and marked flaky, with the failed attempts'
// errors kept apart; one that failed every attempt says how many it had; a flaky check of a
// protected suite fails the run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestModule } from 'vitest/node';
import { protectedFlakeLine, SummaryReporter, type Summary, type SummaryContext } from './summary-reporter.ts';

const ROOT = '/netproof';

/** One test as vitest reports it: `retryCount` and `flaky` as TestCase.diagnostic() gives them, and every attempt's errors in result().errors. */
interface FakeTest {
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  errors?: string[];
  retryCount?: number;
}

function fakeModule(suite: string, tests: FakeTest[]): TestModule {
  const cases = tests.map((t) => ({
    fullName: t.name,
    result: () => ({ state: t.state, errors: t.errors?.map((message) => ({ message })) }),
    diagnostic: () => (t.state === 'skipped' ? undefined : { duration: 12.4, retryCount: t.retryCount ?? 0, flaky: t.state === 'passed' && (t.retryCount ?? 0) > 0 }),
    meta: () => ({}),
  }));
  return { moduleId: `${ROOT}/suites/${suite}.test.ts`, children: { allTests: () => cases.values() }, errors: () => [] } as unknown as TestModule;
}

const suiteOf = (moduleId: string) => /\/suites\/([^/]+)\.test\.ts$/.exec(moduleId)?.[1];

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The summary the reporter writes for these modules, read back from summary.json. */
async function summaryOf(modules: TestModule[], context: Partial<SummaryContext> = {}): Promise<Summary> {
  dir ||= await mkdtemp(join(tmpdir(), 'netproof-summary-'));
  const file = join(dir, 'summary.json');
  const reporter = new SummaryReporter(file, ROOT, () => ({ lab: 'unit', runtime: 'netns', topologyFile: 'dc.clab.yml', ...context }), suiteOf);
  await reporter.onTestRunEnd(modules);
  const written = JSON.parse(await readFile(file, 'utf8')) as Summary;
  expect(written).toEqual(reporter.summary);
  return written;
}

const CARRIER_LOSS = 'bfd failover > leaf1:eth1 carrier loss';
const LOSS_ERROR = 'loss window 1412 ms over the 900 ms budget (leaf1:eth1, stream host1 → host3)\n    at suites/bfd-failover.test.ts:88';

describe('summary.json: flakes counted, not hidden', () => {
  it('a run without retries reads as before: no attempts, no flaky marks, counts.flaky 0', async () => {
    const s = await summaryOf([fakeModule('bgp-convergence', [{ name: 'sessions up', state: 'passed' }, { name: 'routes', state: 'failed', errors: ['leaf1: 10.255.2.2/32 missing'] }])]);
    expect(s.counts).toEqual({ passed: 1, failed: 1, skipped: 0, flaky: 0 });
    expect(s.tests.map((t) => Object.keys(t).sort())).toEqual([
      ['durationMs', 'errors', 'figures', 'file', 'name', 'status'],
      ['durationMs', 'errors', 'figures', 'file', 'name', 'status'],
    ]);
    expect(s.flakyProtected).toBeUndefined();
  });

  it('a check that failed then passed on a retry passes, marked flaky, with the failed attempt\'s error apart from errors', async () => {
    const s = await summaryOf([fakeModule('bfd-failover', [{ name: CARRIER_LOSS, state: 'passed', retryCount: 1, errors: [LOSS_ERROR] }])], { retries: 2 });
    expect(s.status).toBe('passed');
    expect(s.retries).toBe(2);
    expect(s.counts).toEqual({ passed: 1, failed: 0, skipped: 0, flaky: 1 });
    expect(s.tests[0]).toMatchObject({ file: 'suites/bfd-failover.test.ts', name: CARRIER_LOSS, status: 'passed', errors: [], attempts: 2, flaky: true, flakyErrors: [LOSS_ERROR] });
  });

  it('a check that failed on every attempt fails, with how many attempts it had and every attempt\'s errors', async () => {
    const s = await summaryOf([fakeModule('bfd-failover', [{ name: CARRIER_LOSS, state: 'failed', retryCount: 2, errors: ['first', 'second', 'third'] }])], { retries: 2 });
    expect(s.status).toBe('failed');
    expect(s.counts).toEqual({ passed: 0, failed: 1, skipped: 0, flaky: 0 });
    expect(s.tests[0]).toMatchObject({ status: 'failed', attempts: 3, errors: ['first', 'second', 'third'] });
    expect(s.tests[0]).not.toHaveProperty('flaky');
    expect(s.tests[0]).not.toHaveProperty('flakyErrors');
  });

  it('a flaky check in a protected suite fails the run and is listed in flakyProtected; one in another suite does not', async () => {
    const modules = [
      fakeModule('bgp-convergence', [{ name: 'sessions up', state: 'passed', retryCount: 1, errors: ['spine1: 1 of 4 sessions Established'] }]),
      fakeModule('bfd-failover', [
        { name: CARRIER_LOSS, state: 'passed', retryCount: 1, errors: [LOSS_ERROR] },
        { name: 'bfd failover > leaf1:eth1 grey', state: 'passed' },
      ]),
    ];
    const unprotected = await summaryOf(modules, { retries: 1 });
    expect(unprotected.status).toBe('passed');
    expect(unprotected.counts.flaky).toBe(2);

    const s = await summaryOf(modules, { retries: 1, protect: ['bfd-failover'] });
    expect(s.status).toBe('failed');
    expect(s.protect).toEqual(['bfd-failover']);
    expect(s.flakyProtected).toEqual([{ suite: 'bfd-failover', test: CARRIER_LOSS, attempts: 2, failedAttempts: 1, firstError: 'loss window 1412 ms over the 900 ms budget (leaf1:eth1, stream host1 → host3)' }]);
    expect(protectedFlakeLine(s.flakyProtected![0]!)).toBe(
      `flaky in protected suite bfd-failover: ${CARRIER_LOSS} failed 1 of 2 attempts (first error: loss window 1412 ms over the 900 ms budget (leaf1:eth1, stream host1 → host3))`,
    );
  });

  it('a protected suite whose checks passed at the first attempt, or failed outright, adds nothing to flakyProtected', async () => {
    const s = await summaryOf([fakeModule('bfd-failover', [{ name: 'a', state: 'passed' }, { name: 'b', state: 'failed', retryCount: 1, errors: ['x', 'y'] }])], { retries: 1, protect: ['bfd-failover'] });
    expect(s.status).toBe('failed');
    expect(s.flakyProtected).toBeUndefined();
  });

  it('a test file outside the suites (a user check) is never protected', async () => {
    const user = { ...fakeModule('ignored', [{ name: 'mine', state: 'passed', retryCount: 1, errors: ['once'] }]), moduleId: '/home/me/checks/mine.test.ts' } as unknown as TestModule;
    const s = await summaryOf([user], { retries: 1, protect: ['bfd-failover'] });
    expect(s.status).toBe('passed');
    expect(s.counts.flaky).toBe(1);
    expect(s.flakyProtected).toBeUndefined();
  });
});
