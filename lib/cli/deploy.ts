// Load → check → deploy for `deploy` and `run`, through the one lab lifecycle (lib/lifecycle):
// nothing is created until the file, the runtime's rules and the environment have all passed;
// Ctrl-C mid-deploy tears down.
import type { StartedLab } from '../lab/started-lab.ts';
import { formatConfigProblem } from '../lab/frr-config-problems.ts';
import { loadLab, type Lab } from '../lifecycle/lab.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { withInterruptCleanup } from './interrupt.ts';
import { progress } from './progress.ts';

/** The lab and its overlay intent, checked for this runtime: every problem at once (exit 2). */
export function loadForRuntime(file: string, runtime: Runtime): Promise<Lab> {
  return loadLab(file, runtime);
}

/** Deploy a lab file, or a lab already loaded (and checked) for this runtime. */
export async function deployLab(fileOrLab: string | Lab, runtime: Runtime, o: { transient?: boolean } = {}): Promise<StartedLab> {
  const lab = typeof fileOrLab === 'string' ? await loadForRuntime(fileOrLab, runtime) : fileOrLab;
  await runtime.checkEnvironment(lab.topology);
  const line = progress(`deploying ${lab.name} (${runtime.name})`);
  try {
    const started = await withInterruptCleanup(
      async () => void (await runtime.destroy(lab.name)),
      () => lab.start({ runtime, onProgress: line.update, transient: o.transient }),
    );
    line.succeed(`deployed ${lab.name}`);
    return started;
  } catch (e) {
    line.fail(`deploy of ${lab.name} failed`);
    throw e;
  }
}

/**
 * Say, before anything else, what FRR refused of the routers' configuration: checks on a lab
 * that does not run the configuration the user wrote measure the wrong network. True if any.
 */
export function printFrrConfigProblems(lab: StartedLab): boolean {
  const ps = lab.frrConfigProblems;
  if (!ps.length) return false;
  const lines = ps.length === 1 ? '1 line' : `${ps.length} lines`;
  console.error(`\nFRR refused ${lines} of the routers' configuration: the lab does not run the configuration as written.\n${ps.map((p) => `  ${formatConfigProblem(p)}`).join('\n')}\n`);
  return true;
}
