// A netns lab's state directory: /run/netproof/<lab>/ (tmpfs, gone on reboot like the
// namespaces themselves). state.json lets another process attach and `destroy` clean up
// after a crash; per-node directories hold FRR's config copy, sockets, pids and logs.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabTimes, TopologyData } from '../../lab/started-lab.ts';

export const STATE_ROOT = process.env.NETPROOF_STATE_DIR ?? '/run/netproof';

export interface NetnsLabState {
  runtime: 'netns';
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

export async function writeState(state: NetnsLabState): Promise<void> {
  await mkdir(labDir(state.name), { recursive: true });
  await writeFile(stateFile(state.name), JSON.stringify(state, null, 2));
}

export async function readState(lab: string): Promise<NetnsLabState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(lab), 'utf8')) as NetnsLabState;
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
