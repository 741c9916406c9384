import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QualityGateRule } from '@allurereport/plugin-api';
import { afterAll, describe, expect, test } from 'vitest';
import { allureGateRules, writeHtmlReport } from './allure-html.ts';
import { qualityGate, type Gate } from './quality-gate.ts';
import type { TestSummary } from './summary-reporter.ts';

const gate: Gate = {
  passed: false,
  rules: [
    { id: 'no-failed-check', name: 'no check failed', expected: '0 failed', actual: '1 failed', passed: false, culprits: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'] },
    { id: 'budget:loss_ms', name: 'loss_ms within its budget', expected: '≤ 900 ms', actual: '120 ms', passed: true },
  ],
};

const validatePayload = { expected: undefined, trs: [], state: { getResult: () => undefined, setResult: () => {} } } as unknown as Parameters<QualityGateRule['validate']>[0];

describe('allureGateRules', () => {
  test('one Allure rule per gate rule, rules[0] mapping each id to its expected text', () => {
    const { rules, use } = allureGateRules(gate);
    expect(rules).toEqual([{ 'no-failed-check': '0 failed', 'budget:loss_ms': '≤ 900 ms' }]);
    expect(use.map((u) => u.rule)).toEqual(['no-failed-check', 'budget:loss_ms']);
  });

  test('validate resolves to what netproof decided', async () => {
    const { use } = allureGateRules(gate);
    expect(await use[0]!.validate(validatePayload)).toEqual({ success: false, actual: '1 failed', testResults: [] });
    expect(await use[1]!.validate(validatePayload)).toEqual({ success: true, actual: '120 ms', testResults: [] });
  });

  test('messages say expected and actual, with at most 5 culprits', () => {
    const { use } = allureGateRules(gate);
    const payload = { expected: undefined, actual: undefined };
    expect(use[0]!.message(payload)).toBe('no check failed: expected 0 failed, saw 1 failed — c1; c2; c3; c4; c5');
    expect(use[1]!.message(payload)).toBe('loss_ms within its budget: expected ≤ 900 ms, saw 120 ms');
    expect(use[1]!.successMessage!(payload)).toBe('loss_ms within its budget: 120 ms (expected ≤ 900 ms)');
  });

  test('no rules for an empty gate', () => {
    expect(allureGateRules({ passed: true, rules: [] })).toEqual({ rules: [{}], use: [] });
  });
});

describe('writeHtmlReport', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('builds one self-contained index.html from enriched result files', { timeout: 60_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'netproof-allure-'));
    const resultsDir = join(dir, 'allure-results');
    await mkdir(resultsDir);
    const describeName = 'security groups (ACLs)';
    const titlePath = ['netproof', 'suites', 'acl.test.ts', describeName];
    const now = Date.now();
    const results = [
      { uuid: '11111111-1111-4111-8111-111111111111', name: 'vm1 reaches vm2 on tcp/22', status: 'passed', message: undefined },
      { uuid: '22222222-2222-4222-8222-222222222222', name: 'vm3 is denied tcp/5432 to vm1', status: 'failed', message: 'vm3 → vm1 tcp/5432: intended deny, observed allow' },
    ];
    for (const r of results) {
      await writeFile(
        join(resultsDir, `${r.uuid}-result.json`),
        JSON.stringify({
          uuid: r.uuid,
          name: r.name,
          fullName: `netproof:suites/acl.test.ts#${describeName} ${r.name}`,
          titlePath,
          status: r.status,
          statusDetails: r.message ? { message: r.message } : {},
          stage: 'finished',
          steps: [],
          attachments: [],
          parameters: [],
          labels: [],
          links: [],
          start: now - 1000,
          stop: now,
        }),
      );
    }
    const tests: TestSummary[] = results.map((r) => ({
      file: 'suites/acl.test.ts',
      name: `${describeName} > ${r.name}`,
      status: r.status as 'passed' | 'failed',
      durationMs: 1000,
      errors: r.message ? [r.message] : [],
      figures: {},
    }));
    const summary = { counts: { passed: 1, failed: 1, skipped: 0, flaky: 0 }, tests, figures: {} };
    const name = 'netproof unit-lab report';
    const index = await writeHtmlReport({
      resultsDir,
      outputDir: join(dir, 'allure-report'),
      allureHistoryFile: join(dir, 'history.jsonl'),
      name,
      environment: { lab: 'unit', runtime: 'netns' },
      enrich: { suiteOf: (file) => (file === 'suites/acl.test.ts' ? 'acl' : undefined), tests },
      gate: qualityGate({ summary }),
      globalAttachments: [{ name: 'topology', content: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>', contentType: 'image/svg+xml' }],
    });

    expect(index).toBe(join(dir, 'allure-report', 'index.html'));
    expect(existsSync(index)).toBe(true);
    expect(await readdir(join(dir, 'allure-report'))).toContain('index.html');
    expect((await readdir(join(dir, 'allure-report'))).filter((f) => f.endsWith('.html'))).toEqual(['index.html']);
    expect((await stat(index)).size).toBeGreaterThan(100_000);
    const page = await readFile(index, 'utf8');
    expect(page).toContain(name);
    // The page opens from disk the same way every time, calling no one (allure-page.ts).
    expect(page.indexOf('window.allureReportDataReady = false')).toBeLessThan(page.search(/<script\s+src="data:text\/javascript;base64,/));
    expect(page).not.toMatch(/googletagmanager|gtag\(/);

    for (const r of results) {
      const enriched = JSON.parse(await readFile(join(resultsDir, `${r.uuid}-result.json`), 'utf8')) as { labels: Array<{ name: string; value: string }> };
      expect(enriched.labels.filter((l) => l.name === 'epic')).toEqual([{ name: 'epic', value: 'Overlay' }]);
    }
    const written = await readdir(resultsDir);
    expect(written.filter((f) => f.endsWith('-attachment.svg'))).toHaveLength(1);
    expect(written.filter((f) => f.endsWith('-globals.json'))).toHaveLength(1);
  });
});
