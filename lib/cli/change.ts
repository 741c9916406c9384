// `netproof change CURRENT PROPOSED`: pre-change validation. Both lab files (and the --accept
// file) are checked before anything is deployed; then the current lab is run and snapshotted,
// and the proposed lab is run against that snapshot as its baseline: diff.json and diff.md say
// what the change did, and the exit code whether it may go ahead.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, InvalidInputError, UsageError } from '../errors.ts';
import type { FigureTolerance } from '../model/intent.ts';
import { probeLabel, probesFor } from '../plan/acl-matrix.ts';
import { parseAccepted, type Accepted } from '../state/diff.ts';
import { parseSnapshot, type Snapshot } from '../state/snapshot.ts';
import { loadForRuntime } from './deploy.ts';
import { runLab, type SuiteOptions } from './run.ts';

/** What both labs' runs take from the command line, as `run` takes it (a new suite option is passed on without being listed again). */
type SharedRunOptions = Pick<SuiteOptions, 'runtime' | 'suites' | 'tests' | 'grep' | 'convergenceTimeoutS' | 'failover' | 'retries' | 'protect' | 'history'>;

export interface ChangeOptions extends SharedRunOptions {
  current: string;
  proposed: string;
  reportDir: string;
  accept?: string;
  tolerance?: FigureTolerance;
}

/** A JSON file the user named on the command line; unreadable or not JSON is bad input (exit 2). */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError([{ file, line: 1, column: 1, field: '(file)', message: `is not JSON: ${(e as Error).message}`, fix: `pass the ${what} netproof wrote` }]);
  }
}

export const readAccepted = async (file: string): Promise<Accepted[]> => parseAccepted(await readJsonFile(file, '--accept file'), file);
export const readBaseline = async (file: string): Promise<Snapshot> => parseSnapshot(await readJsonFile(file, '--baseline'), file);

/** `50%` or `0.5`. */
export function parseTolerance(text: string): FigureTolerance {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const relative = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(relative >= 0 && relative <= 10)) throw new UsageError(`--tolerance ${text}: give how far a figure may move, relative to the smaller value, e.g. 50% or 0.5 (between 0 and 1000%)`);
  return { relative };
}

export async function changeLab(o: ChangeOptions): Promise<number> {
  if (o.current === o.proposed) throw new UsageError(`CURRENT and PROPOSED are the same file (${o.current}): pass the lab as it is and the lab as the change would make it`);
  // Everything the user gave is checked before anything is deployed.
  const [current, proposed] = [await loadForRuntime(o.current, o.runtime), await loadForRuntime(o.proposed, o.runtime)];
  const accepted = o.accept ? await readAccepted(o.accept) : undefined;
  // Both labs probe both labs' security-group ports, so a dropped rule shows as allow → deny.
  const aclProbes = [...new Set([current, proposed].flatMap((l) => (l.topology.overlay ? probesFor(l.topology.overlay) : [])).filter((p) => p.protocol !== 'icmp').map(probeLabel))];
  for (const f of ['diff.json', 'diff.md']) await rm(join(o.reportDir, f), { force: true });
  const { current: _c, proposed: _p, reportDir: _r, accept: _a, tolerance: _t, ...shared } = o;
  const common = { ...(shared satisfies SharedRunOptions), aclProbes };

  console.log(`\n== current: ${o.current}`);
  const currentDir = join(o.reportDir, 'current');
  const currentExit = await runLab({ ...common, file: o.current, lab: current, reportDir: currentDir });
  const baseline = await readBaseline(join(currentDir, 'state.json'));
  if (currentExit !== EXIT.ok) console.log(`\nthe current lab fails its own suites (${currentDir}): the proposed lab is compared with it as it is`);

  console.log(`\n== proposed: ${o.proposed}`);
  return runLab({
    ...common,
    file: o.proposed,
    lab: proposed,
    reportDir: join(o.reportDir, 'proposed'),
    baseline: { snapshot: baseline, label: o.current },
    label: o.proposed,
    diffDir: o.reportDir,
    // The proposed lab is compared with the current one (the diff), not with the current lab's history.
    history: false,
    accepted,
    tolerance: o.tolerance,
  });
}
