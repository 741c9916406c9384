// The HTML report as a reader sees it: a run with one seeded fault (a leaf left with
// maximum-paths 1), its allure-report/index.html opened from disk in Debian's headless
// Chromium. The page must show the suites, the failed check with its culprit line, a figure
// with its budget, a user's check seeded to be flaky marked so, and the quality gate that failed. The screenshot is kept under reports/e2e/.
import { copyFile, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import puppeteer, { type Page } from 'puppeteer-core';
import { netproof } from '../../fixtures/cli.ts';
import { editFrrConf, generatedLab } from '../../fixtures/faults.ts';
import { leftovers } from '../../fixtures/runtimes.ts';
import { ownFile } from '../paths.ts';
import type { Summary } from './summary-reporter.ts';
import { SUITE_CATALOG } from './allure-catalog.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = ownFile('reports/e2e');
const LAB = 'e2e-html';
const FLAKY_CHECK = `import { expect, test } from 'netproof/testkit';
let attempts = 0;
test('seeded flaky: fails its first attempt, passes its retry', () => {
  attempts++;
  expect(attempts, 'the first attempt fails on purpose').toBeGreaterThan(1);
});
`;
const QUICK_CHECKS = '^(?!.*(grey failure|carrier loss|far end|spreads|spread evenly|active gateway chassis fails))';

afterAll(async () => {
  await netproof(['destroy', LAB]);
});

/** Click the first element whose text is `text`, and let the single-page app redraw. */
async function click(page: Page, text: string): Promise<void> {
  const el = await page.waitForSelector(`::-p-text(${text})`, { timeout: 30_000 });
  await el!.click();
  await new Promise((r) => setTimeout(r, 500));
}

// Runs in the page: the DOM's globals are not in this project's (Node) type library.
/**
 * Open the report at its tree, and wait until the app has drawn it: 5 MB of single-file app
 * take a while to start on a busy 2-core machine, well after the page's load event.
 */
async function openReport(page: Page, index: string): Promise<void> {
  await page.goto(`file://${index}`, { waitUntil: 'networkidle0' });
  const drawn = await page.waitForSelector('::-p-text(FRR configuration)', { timeout: 30_000 }).catch(() => null);
  if (drawn) return;
  // Keep what the page showed instead, so a failure here can be read rather than guessed at.
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'html-report-not-drawn.png') });
  throw new Error(`the report at ${page.url()} did not show its tree within 30 s; it showed:\n${await pageText(page)}\nlocalStorage: ${await page.evaluate('JSON.stringify(localStorage)')}`);
}

/** Open a test's page from the tree, unfolding its feature first if the tree shows it folded. */
async function openTest(page: Page, feature: string, test: string): Promise<void> {
  const shown = await page.waitForSelector(`::-p-text(${test})`, { timeout: 2_000 }).catch(() => null);
  if (!shown) await click(page, feature);
  await click(page, test);
}

const pageText = (page: Page) => page.evaluate('document.body.innerText') as Promise<string>;

test('a run with one seeded fault renders in headless Chromium: the suites, the culprit, a figure with its budget, the failed gate', async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: sh ci/bootstrap.sh --browser`).toBe(true);
  const lab = await generatedLab(LAB);
  await editFrrConf(lab, 'leaf2', (conf) => conf.replace('maximum-paths 64', 'maximum-paths 1'));
  const reportDir = await mkdtemp(join(tmpdir(), 'netproof-html-'));
  // A user's check seeded to be flaky: its first attempt fails, its retry passes.
  const checks = await mkdtemp(join(tmpdir(), 'netproof-html-checks-'));
  await writeFile(join(checks, 'seeded-flaky.test.ts'), FLAKY_CHECK);
  // Every suite, without the checks that fail links or measure spreads (minutes on a broken fabric):
  // a check --grep leaves out is not in the report at all, one that does not apply is, as skipped.
  const result = await netproof(['run', lab.file, '--report-dir', reportDir, '--grep', QUICK_CHECKS, '--convergence-timeout', '10', '--retries', '1', '--tests', join(checks, 'seeded-flaky.test.ts')]);
  expect(result.exitCode, result.stdout + result.stderr).toBe(1);
  expect(result.stdout).toMatch(/quality gate: FAILED\n {2}✗ no check failed: expected 0 failed, saw \d+ failed/);
  const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as Summary;
  expect(summary.gate?.passed).toBe(false);
  expect(summary.counts.flaky).toBe(1);
  expect(summary.tests.find((t) => t.flaky)?.name).toBe('seeded flaky: fails its first attempt, passes its retry');
  // The sessions are fine; only leaf2's routes are blamed.
  expect(summary.tests.find((t) => t.name === 'BGP convergence > every fabric session is Established')?.status).toBe('passed');
  const errors = summary.tests.flatMap((t) => t.errors).join('\n');
  expect(errors).toMatch(/leaf2: 10\.255\.1\.3\/32 \(loopback of leaf3\) has 1 next hop in the RIB \(via eth\d → spine\d\), expected 2 \(via eth1 → spine1, eth2 → spine2\)/);
  expect(errors).not.toMatch(/^leaf1:/m);
  // The topology picture blames the one router at fault, and nothing else.
  const pictures = await Promise.all((await readdir(join(reportDir, 'allure-results'))).filter((f) => f.endsWith('.svg')).map((f) => readFile(join(reportDir, 'allure-results', f), 'utf8')));
  const topology = pictures.find((svg) => svg.includes('what the failed checks blame'));
  expect(topology?.match(/class="(node|link|session) culprit"><title>[^<]*/g)?.map((m) => m.split('<title>')[1]!.split(':')[0])).toEqual(['leaf2']);
  // One self-contained file: opened from a directory where nothing else is.
  const alone = await mkdtemp(join(tmpdir(), 'netproof-html-alone-'));
  const index = join(alone, 'index.html');
  await copyFile(join(reportDir, 'allure-report', 'index.html'), index);
  expect((await stat(index)).size).toBeGreaterThan(1_000_000);

  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // Opened from disk, the report asks nothing of any network, nor of the disk beside it.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.setViewport({ width: 1400, height: 1100 });
    await openReport(page, index);
    expect(await pageText(page)).toContain(`netproof: ${LAB}`);

    // The suites: the tree's top level is one feature per built-in suite.
    const tree = await pageText(page);
    const features = Object.values(SUITE_CATALOG).map((m) => m.feature).filter((f) => tree.includes(f));
    expect(features.length, tree).toBeGreaterThanOrEqual(6);

    // The failed check, with the culprit line the suite wrote.
    await openTest(page, 'BGP convergence', 'every router has every declared loopback');
    const failed = await pageText(page);
    expect(failed).toMatch(/Failed/);
    expect(failed).toMatch(/leaf2: 10\.255\.1\.3\/32 \(loopback of leaf3\) has 1 next hop in the RIB/);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'html-report-failed-check.png') });

    // A figure with its budget, on the check that passed.
    await openReport(page, index);
    await openTest(page, 'BGP convergence', 'every fabric session is Established');
    expect(await pageText(page)).toMatch(/bgp_sessions_established_s\s+[\d.]+ s; budget ≤ [\d.]+ s: within/);

    // The flaky check, marked so in the report.
    await openReport(page, index);
    await openTest(page, 'seeded-flaky', 'seeded flaky: fails its first attempt');
    const flaky = await pageText(page);
    expect(flaky).toMatch(/Passed/);
    expect(flaky).toMatch(/Flaky/);
    await page.screenshot({ path: join(SCREENSHOTS, 'html-report-flaky-check.png') });

    // The gate that decided the exit code.
    await openReport(page, index);
    await click(page, 'Quality Gates');
    const gate = await pageText(page);
    expect(gate).toMatch(/no check failed: expected 0 failed, saw \d+ failed/);
    expect(gate).toMatch(/bgp_sessions_established_s within its budget/);
    await page.screenshot({ path: join(SCREENSHOTS, 'html-report-quality-gate.png') });
    expect(pageErrors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('data:') && url.split('#')[0] !== `file://${index}`)).toEqual([]);
  } finally {
    await browser.close();
  }
  expect(await leftovers(LAB)).toEqual([]);
}, 240_000);
