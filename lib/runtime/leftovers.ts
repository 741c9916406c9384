// Everything of a lab still on the machine, on any runtime: its namespaces, the processes
// started from its state directory, its containers, and that directory. Empty once a lab is
// torn down; the soak and the e2e tests assert it after every run.
import { existsSync } from 'node:fs';
import { exec } from '../exec.ts';
import { parseNamespaceName } from '../names.ts';
import { labContainers } from './docker/engine.ts';
import { listNamespaces } from './netns/ip.ts';
import { labDir } from './state.ts';

/** Network namespaces netproof created for `lab`. */
export async function labNamespaces(lab: string): Promise<string[]> {
  return (await listNamespaces()).filter((n) => parseNamespaceName(n)?.lab === lab);
}

/**
 * Processes whose command line mentions the lab's state directory (its daemons): matched by the
 * lab's own path, never by a program's name, which another lab's daemons share.
 */
export async function labProcesses(lab: string): Promise<string[]> {
  const r = await exec(['pgrep', '-a', '-f', `${labDir(lab)}/`]);
  return r.stdout.split('\n').filter(Boolean);
}

/** One line per thing of `lab` left on the machine ("netns np.dc.leaf1", "process 123 …", "container …", the state directory). */
export async function labLeftovers(lab: string): Promise<string[]> {
  const [namespaces, processes, containers] = await Promise.all([labNamespaces(lab), labProcesses(lab), labContainers(lab)]);
  return [
    ...namespaces.map((n) => `netns ${n}`),
    ...processes.map((p) => `process ${p}`),
    ...containers.map((c) => `container ${c.name}`),
    ...(existsSync(labDir(lab)) ? [labDir(lab)] : []),
  ];
}
