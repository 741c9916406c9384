// Load → check → deploy, shared by `deploy` and `run`. Nothing is created until the file,
// the runtime's rules and the environment have all passed; Ctrl-C mid-deploy tears down.
import { InvalidInputError } from '../errors.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { loadTopology } from '../topology/load.ts';
import { loadOverlay } from '../topology/load-overlay.ts';
import { applyOverlay } from '../overlay/apply.ts';
import { overlayTopologyProblems } from '../plan/chassis.ts';
import type { Topology } from '../model/topology.ts';
import { formatConfigProblem } from '../lab/frr-config-problems.ts';
import { withInterruptCleanup } from './interrupt.ts';
import { progress } from './progress.ts';

/** The topology, its overlay intent (the `<lab>.overlay.yml` sidecar, if any), checked for this runtime. */
export async function loadForRuntime(file: string, runtime: Runtime): Promise<Topology> {
  const topology = await loadTopology(file);
  topology.overlay = await loadOverlay(topology);
  const problems = [...(topology.overlay ? overlayTopologyProblems(topology) : []), ...runtime.check(topology)];
  if (problems.length) throw new InvalidInputError(problems);
  return topology;
}

export async function deployLab(file: string, runtime: Runtime): Promise<StartedLab> {
  const topology = await loadForRuntime(file, runtime);
  await runtime.checkEnvironment(topology);
  const line = progress(`deploying ${topology.name} (${runtime.name})`);
  try {
    const lab = await withInterruptCleanup(
      async () => void (await runtime.destroy(topology.name)),
      async () => {
        const started = await runtime.deploy(topology, { onProgress: line.update });
        if (topology.overlay) {
          line.update('overlay intent');
          await applyOverlay(started, topology.overlay).catch(async (e: unknown) => {
            await started.destroy();
            throw e;
          });
        }
        return started;
      },
    );
    line.succeed(`deployed ${topology.name}`);
    return lab;
  } catch (e) {
    line.fail(`deploy of ${topology.name} failed`);
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
