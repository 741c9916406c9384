// A lab's state directory: /run/netproof/<lab>/ (tmpfs, gone on reboot like the namespaces
// and containers themselves). state.json lets another process attach and `destroy` clean up
// after a crash; per-node directories hold FRR's config copy, sockets, pids and logs (the
// Docker runtime bind-mounts each into its container at the same path).
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { LabTimes, TopologyData } from '../lab/started-lab.ts';

export const STATE_ROOT = process.env.NETPROOF_STATE_DIR ?? '/run/netproof';

export interface LabState {
  /** The runtime that deployed it: only that runtime attaches to or destroys it. */
  runtime: string;
  name: string;
  status: 'deploying' | 'running';
  ownerPid: number;
  topology: TopologyData;
  /** FRR daemons started per node. */
  daemons: Record<string, string[]>;
  times: Partial<LabTimes> & { deployStartedAt: number };
}

export const labDir = (lab: string) => join(STATE_ROOT, lab);
export const nodeDir = (lab: string, node: string) => join(STATE_ROOT, lab, node);
const stateFile = (lab: string) => join(labDir(lab), 'state.json');

export async function writeState(state: LabState): Promise<void> {
  await mkdir(labDir(state.name), { recursive: true });
  await writeFile(stateFile(state.name), JSON.stringify(state, null, 2));
}

export async function readState(lab: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(lab), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export async function listStateDirs(): Promise<string[]> {
  try {
    return (await readdir(STATE_ROOT, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

export async function removeLabDir(lab: string): Promise<void> {
  await rm(labDir(lab), { recursive: true, force: true });
}

/** The state of a lab this runtime deployed and finished deploying, or a usage error saying why not. */
export async function runningState(lab: string, runtime: string): Promise<LabState & { times: { deployedAt: number } }> {
  const state = await readState(lab);
  if (!state) throw new UsageError(`no lab named "${lab}" is deployed (see: netproof status)`);
  if (state.runtime !== runtime) throw new UsageError(`lab "${lab}" runs on the ${state.runtime} runtime, not ${runtime} (use --runtime ${state.runtime})`);
  if (state.status !== 'running' || !state.times.deployedAt) throw new UsageError(`lab "${lab}" is still deploying or its deploy failed (see: netproof status; clean up: netproof destroy ${lab})`);
  return state as LabState & { times: { deployedAt: number } };
}
