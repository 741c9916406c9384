// The diff of two snapshots as one Allure result ("pre-change diff"), with diff.json and
// diff.md attached, beside the suites' results: the report a reviewer opens shows what the
// change did next to how the proposed lab fared.
import { ReporterRuntime, FileSystemWriter } from 'allure-js-commons/sdk/reporter';
import { Stage, Status } from 'allure-js-commons';
import type { DiffReport } from '../state/report.ts';

export function writeAllureDiff(resultsDir: string, report: DiffReport, files: { json: string; markdown: string }, reasons: string[]): void {
  const runtime = new ReporterRuntime({ writer: new FileSystemWriter({ resultsDir }) });
  const name = `pre-change diff: ${report.before.label} → ${report.after.label}`;
  const uuid = runtime.startTest({
    name,
    fullName: `netproof change: ${report.before.lab} → ${report.after.lab}`,
    stage: Stage.RUNNING,
    labels: [
      { name: 'suite', value: 'pre-change diff' },
      { name: 'feature', value: 'netproof change' },
    ],
  });
  runtime.writeAttachment(uuid, null, 'diff.json', Buffer.from(files.json), { contentType: 'application/json' });
  runtime.writeAttachment(uuid, null, 'diff.md', Buffer.from(files.markdown), { contentType: 'text/markdown' });
  runtime.updateTest(uuid, (r) => {
    r.status = report.verdict === 'pass' ? Status.PASSED : Status.FAILED;
    r.stage = Stage.FINISHED;
    const c = report.counts;
    r.statusDetails = { message: reasons.length ? reasons.join('\n') : `${c.regressions} regressions, ${c.intended} intended, ${c.improvements} improvements, ${c.neutral} neutral` };
  });
  runtime.stopTest(uuid);
  runtime.writeTest(uuid);
}
