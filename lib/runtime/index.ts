// Runtimes by name; callers never construct one directly.
import { UsageError } from '../errors.ts';
import { readState } from './state.ts';
import { DockerRuntime } from './docker/docker-runtime.ts';
import { NetnsRuntime } from './netns/netns-runtime.ts';
import type { Runtime } from './runtime.ts';
import type { StartedLab } from '../lab/started-lab.ts';

const RUNTIMES: Record<string, () => Runtime> = {
  netns: () => new NetnsRuntime(),
  docker: () => new DockerRuntime(),
};

export const RUNTIME_NAMES = Object.keys(RUNTIMES);
export const DEFAULT_RUNTIME = 'netns';

export function runtimeByName(name: string): Runtime {
  const make = RUNTIMES[name];
  if (!make) throw new UsageError(`unknown runtime "${name}" (runtimes: ${RUNTIME_NAMES.join(', ')})`);
  return make();
}

export function allRuntimes(): Runtime[] {
  return Object.values(RUNTIMES).map((make) => make());
}

/** The runtime a deployed lab runs on, as its state records it. */
export async function runtimeOfLab(lab: string): Promise<Runtime> {
  const state = await readState(lab);
  if (!state) throw new UsageError(`no lab named "${lab}" is deployed (see: netproof status)`);
  return runtimeByName(state.runtime);
}

/** A handle on a deployed lab, through the runtime that deployed it. */
export async function attachLab(lab: string): Promise<StartedLab> {
  return (await runtimeOfLab(lab)).attach(lab);
}

export type { Runtime } from './runtime.ts';
