// The HTML report: allure-results/ (written by allure-vitest during the run) enriched with what
// netproof knows, then built by Allure 3 (the `allure` npm package's core, no Java) into one
// self-contained allure-report/index.html that opens from disk. The quality gate's rules go to
// Allure's quality-gate panel, the lab and software versions to its environment block, the
// run-wide pictures (topology, trends) to its global attachments, and the history of test
// results to Allure's own history file.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AllureReport, resolveConfig } from '@allurereport/core';
import type { QualityGateRule } from '@allurereport/plugin-api';
import type { TestResult } from 'allure-js-commons';
import { FAILURE_CATEGORIES } from './allure-catalog.ts';
import { mendAllurePage } from './allure-page.ts';
import { enrichResult, type EnrichContext } from './allure-enrich.ts';
import type { Gate, GateRule } from './quality-gate.ts';

export interface HtmlReportOptions {
  resultsDir: string;
  /** The directory index.html goes to (replaced). */
  outputDir: string;
  /** Allure's own history of test results (JSON lines), kept across runs. */
  allureHistoryFile: string;
  /** The report's title. */
  name: string;
  /** The environment block: lab, runtime, versions… */
  environment: Record<string, string>;
  enrich: EnrichContext;
  gate: Gate;
  /** Run-wide pictures and files: name → content (SVG or JSON), shown as global attachments. */
  globalAttachments?: ReadonlyArray<{ name: string; content: string; contentType: 'image/svg+xml' | 'application/json' | 'text/plain' }>;
}

/** Enrich every result file of the directory in place (see allure-enrich.ts). */
export async function enrichResults(resultsDir: string, ctx: EnrichContext): Promise<number> {
  let n = 0;
  for (const f of await readdir(resultsDir)) {
    if (!f.endsWith('-result.json')) continue;
    const p = join(resultsDir, f);
    const r = JSON.parse(await readFile(p, 'utf8')) as TestResult;
    await writeFile(p, JSON.stringify(enrichResult(r, ctx)));
    n++;
  }
  return n;
}

/** One Allure quality-gate rule per netproof gate rule: Allure draws them; netproof has already decided them. */
export function allureGateRules(gate: Gate): { rules: Array<Record<string, string>>; use: QualityGateRule[] } {
  const use = gate.rules.map(
    (r: GateRule): QualityGateRule => ({
      rule: r.id,
      message: () => `${r.name}: expected ${r.expected}, saw ${r.actual}${r.culprits?.length ? ` — ${r.culprits.slice(0, 5).join('; ')}` : ''}`,
      successMessage: () => `${r.name}: ${r.actual} (expected ${r.expected})`,
      validate: async () => ({ success: r.passed, actual: r.actual, testResults: [] }),
    }),
  );
  return { rules: [Object.fromEntries(gate.rules.map((r) => [r.id, r.expected]))], use };
}

export async function writeHtmlReport(o: HtmlReportOptions): Promise<string> {
  await enrichResults(o.resultsDir, o.enrich);
  const attachments = [];
  for (const a of o.globalAttachments ?? []) {
    const source = `${randomUUID()}-attachment.${a.contentType === 'image/svg+xml' ? 'svg' : a.contentType === 'application/json' ? 'json' : 'txt'}`;
    await writeFile(join(o.resultsDir, source), a.content);
    attachments.push({ name: a.name, source, type: a.contentType, timestamp: Date.now() });
  }
  if (attachments.length) await writeFile(join(o.resultsDir, `${randomUUID()}-globals.json`), JSON.stringify({ attachments, errors: [] }));
  await rm(o.outputDir, { recursive: true, force: true });
  const gate = allureGateRules(o.gate);
  const config = await resolveConfig({
    name: o.name,
    output: o.outputDir,
    historyPath: o.allureHistoryFile,
    variables: o.environment,
    // allure-vitest's bookkeeping labels say nothing to a reader of a network report.
    hideLabels: ['host', 'thread', 'framework', 'language', '_fallbackTestCaseId'],
    categories: FAILURE_CATEGORIES.map((c) => ({ ...c, matchers: c.matchers })),
    qualityGate: { rules: gate.rules, use: gate.use },
    plugins: { awesome: { options: { singleFile: true, reportName: o.name, groupBy: ['feature'] } } },
  });
  const report = new AllureReport(config);
  await report.start();
  await report.readDirectory(o.resultsDir);
  const trs = await report.store.allTestResults({ includeRetries: false });
  const { results } = await report.validate({ trs });
  if (results.length) report.realtimeDispatcher.sendQualityGateResults(results);
  await report.done();
  const index = join(o.outputDir, 'index.html');
  await writeFile(index, mendAllurePage(await readFile(index, 'utf8')).html);
  return index;
}
