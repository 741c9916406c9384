// Load → check → deploy, shared by `deploy` and `run`. Nothing is created until the file,
// the runtime's rules and the environment have all passed; Ctrl-C mid-deploy tears down.
import { InvalidInputError } from '../errors.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { loadTopology } from '../topology/load.ts';
import type { Topology } from '../topology/model.ts';
import { withInterruptCleanup } from './interrupt.ts';
import { progress } from './progress.ts';

export async function loadForRuntime(file: string, runtime: Runtime): Promise<Topology> {
  const topology = await loadTopology(file);
  const problems = runtime.check(topology);
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
      () => runtime.deploy(topology, { onProgress: line.update }),
    );
    line.succeed(`deployed ${topology.name}`);
    return lab;
  } catch (e) {
    line.fail(`deploy of ${topology.name} failed`);
    throw e;
  }
}
