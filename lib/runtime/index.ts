// Runtimes by name. Docker (testcontainers) joins here; callers never construct one directly.
import { UsageError } from '../errors.ts';
import { NetnsRuntime } from './netns/netns-runtime.ts';
import type { Runtime } from './runtime.ts';

const RUNTIMES: Record<string, () => Runtime> = {
  netns: () => new NetnsRuntime(),
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

export type { Runtime } from './runtime.ts';
