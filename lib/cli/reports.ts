// After the checks: the figures' history (previous value and change in summary.json), the
// quality gate that decides the exit code, the HTML report, and this run appended to the
// history. One place, so `run`, `test` and `change` finish the same way.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import { softwareVersions } from '../probes/versions.ts';
import { culpritsFromFailures } from '../report/culprits.ts';
import { appendHistory, historyEntry, historyOf, readHistory, trendFigures, withPrevious, HISTORY_LIMIT } from '../report/history.ts';
import { gateLines, qualityGate, type Gate } from '../report/quality-gate.ts';
import type { Summary, SummaryReporter } from '../report/summary-reporter.ts';
import { topologySvg } from '../report/topology-svg.ts';
import { trendSvg } from '../report/trend-svg.ts';

export interface FinishOptions {
  reportDir: string;
  /** The figure history (JSON lines): `--history FILE`, else history.jsonl in the report directory; false: neither read nor written. */
  history: string | false;
  /** Which built-in suite a test file (relative to the project root) is. */
  suiteOf(file: string): string | undefined;
  /** The diff against a baseline: its regressions and unmet accepted differences. */
  diff?: { problems: string[]; baseline: string };
}

/** The default history file of a report directory. */
export const historyFileIn = (reportDir: string) => join(reportDir, 'history.jsonl');

/** Allure's own history of test results, beside netproof's figure history. */
export const allureHistoryFileFor = (historyFile: string) => historyFile.replace(/(\.jsonl)?$/, '.allure.jsonl');

export async function finishReports(lab: StartedLab, summaryReporter: SummaryReporter, o: FinishOptions): Promise<Gate> {
  const historyFile = o.history === false ? undefined : o.history;
  const { entries, skipped } = historyFile ? await readHistory(historyFile) : { entries: [], skipped: 0 };
  if (skipped) console.log(`history ${historyFile}: ${skipped} unreadable lines left out`);
  const earlier = historyOf(entries, lab.name);
  const summary = await summaryReporter.update((s) => {
    const figures = withPrevious(s.figures, earlier);
    const tests = s.tests.map((t) => ({ ...t, figures: withPrevious(t.figures, earlier) }));
    const withHistory: Summary = { ...s, figures, tests, ...(historyFile ? { history: { file: historyFile, earlierRuns: earlier.length } } : {}) };
    const g = qualityGate({ summary: withHistory, ...(o.diff ? { diff: o.diff } : {}) });
    return { ...withHistory, status: g.passed ? 'passed' : 'failed', gate: g };
  });
  const gate = summary.gate!;
  console.log(`\n${gateLines(gate).join('\n')}`);
  try {
    // Allure's core is loaded only here: every other command (status, exec, destroy…) starts without it.
    const { writeHtmlReport } = await import('../report/allure-html.ts');
    const index = await writeHtmlReport({
      resultsDir: join(o.reportDir, 'allure-results'),
      outputDir: join(o.reportDir, 'allure-report'),
      allureHistoryFile: allureHistoryFileFor(historyFile ?? join(o.reportDir, 'history.jsonl')),
      name: `netproof: ${lab.name}`,
      environment: await environmentBlock(lab, summary),
      enrich: { suiteOf: o.suiteOf, tests: summary.tests },
      gate,
      globalAttachments: [
        { name: 'topology.svg', content: topologyPicture(lab, summary), contentType: 'image/svg+xml' },
        { name: 'trends.svg', content: trendPicture(lab.name, earlier, summary), contentType: 'image/svg+xml' },
        { name: 'summary.json', content: JSON.stringify(summary, null, 2), contentType: 'application/json' },
      ],
    });
    console.log(`HTML report: ${index}`);
  } catch (e) {
    // The verdict stands without the HTML: junit.xml, summary.json and allure-results/ are written.
    console.log(`the HTML report could not be built (the verdict above stands; allure-results/ is complete): ${(e as Error).message.split('\n')[0]}`);
  }
  if (historyFile) await appendHistory(historyFile, historyEntry({ lab: lab.name, runtime: lab.runtime, passed: gate.passed, figures: summary.figures }), HISTORY_LIMIT);
  return gate;
}

async function environmentBlock(lab: StartedLab, s: Summary): Promise<Record<string, string>> {
  const v = await softwareVersions(lab);
  const nodes = lab.topology.nodes;
  return {
    Lab: lab.name,
    Runtime: lab.runtime,
    Topology: s.topologyFile.startsWith(PROJECT_ROOT) ? s.topologyFile.slice(PROJECT_ROOT.length + 1) : s.topologyFile,
    Nodes: `${nodes.length} (${nodes.filter((n) => n.role === 'router').length} FRR routers), ${lab.topology.links.length} links`,
    FRR: v.frr,
    'Open vSwitch': v.ovs,
    OVN: v.ovn,
    Kernel: v.kernel,
    Node: process.version,
    ...(s.deadlines ? { 'Convergence deadline': `${s.deadlines.convergenceS} s (${s.deadlines.convergenceFrom})` } : {}),
    ...(s.grep !== undefined ? { '--grep': s.grep } : {}),
    ...(s.retries ? { '--retries': String(s.retries) } : {}),
  };
}

function topologyPicture(lab: StartedLab, s: Summary): string {
  const nodes = lab.topology.nodes.map((n) => ({ name: n.name, ...(n.tier !== undefined ? { tier: n.tier } : {}) }));
  const links = lab.topology.links.map((l) => ({ a: { node: l.endpoints[0].node, iface: l.endpoints[0].iface }, b: { node: l.endpoints[1].node, iface: l.endpoints[1].iface } }));
  const failures = [
    ...s.tests.filter((t) => t.status === 'failed'),
    ...(s.daemonsNotRunning?.length ? [{ name: 'daemons after the checks', errors: s.daemonsNotRunning }] : []),
  ];
  return topologySvg({ title: `${lab.name}: ${failures.length ? 'what the failed checks blame' : 'every check passed'}`, nodes, links, culprits: culpritsFromFailures(failures, { nodes, links }) });
}

function trendPicture(lab: string, earlier: Parameters<typeof trendFigures>[0], s: Summary): string {
  const recent = earlier.slice(-(HISTORY_LIMIT - 1));
  const series = trendFigures(recent, s.figures).map((name) => ({
    name,
    unit: s.figures[name]!.unit,
    values: [...recent.map((e) => e.figures[name]), s.figures[name]!.value],
    ...(s.figures[name]!.budget !== undefined ? { budget: s.figures[name]!.budget } : {}),
  }));
  return trendSvg({ title: `${lab}: timed figures over the last ${recent.length + 1} runs (this run last)`, series });
}
