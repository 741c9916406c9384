// A lab's state directory: /run/netproof/<lab>/ (tmpfs, gone on reboot like the namespaces
// and containers themselves). state.json lets another process attach and `destroy` clean up
// after a crash; per-node directories hold FRR's config copy, sockets, pids and logs (the
// Docker runtime bind-mounts each into its container at the same path).
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { LabError, NetproofError, UsageError } from '../errors.ts';
import { buildTracked } from './one-teardown.ts';
import { toTopologyData, type FrrConfigProblem, type LabTimes, type TopologyData } from '../lab/started-lab.ts';
import type { Topology } from '../model/topology.ts';
import type { LabStatus, Progress } from './runtime.ts';

export const STATE_ROOT = process.env.NETPROOF_STATE_DIR ?? '/run/netproof';

export interface LabState {
  /** The runtime that deployed it: only that runtime attaches to or destroys it. */
  runtime: string;
  name: string;
  status: 'deploying' | 'running';
  ownerPid: number;
  /** Its deploying process tears it down when it ends (see DeployOptions.transient). */
  transient?: boolean;
  topology: TopologyData;
  /** FRR daemons started per node. */
  daemons: Record<string, string[]>;
  /** What FRR refused of the routers' configuration at bring-up. */
  frrConfigProblems: FrrConfigProblem[];
  /** What bring-up did beyond the topology's letter (BroughtUp.bringUpNotes). */
  bringUpNotes?: string[];
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

/** How a runtime builds a lab: what deployRecorded needs from it. */
export interface RecordedDeploy {
  runtime: string;
  /** Whether anything of a lab by this name exists already (namespaces, containers). */
  inUse(lab: string): Promise<boolean>;
  /** Calls progress before each step; progress throws, and `signal` aborts its waits, once a teardown of the lab has begun (see one-teardown.ts). */
  build(topology: Topology, state: LabState, progress: Progress, signal: AbortSignal): Promise<void>;
  destroy(lab: string): Promise<unknown>;
  transient?: boolean;
}

/**
 * Deploy with the bookkeeping every runtime shares: refuse a name in use, write the state
 * first (so `destroy` finds what a crash at any later point left), tear down whatever was
 * built if the build fails, and record the lab as running.
 */
export async function deployRecorded(topology: Topology, progress: Progress, r: RecordedDeploy): Promise<LabState & { times: { deployedAt: number } }> {
  const lab = topology.name;
  if ((await readState(lab)) || (await r.inUse(lab))) {
    throw new UsageError(`lab "${lab}" is already deployed (or left over from a crash)\n    fix: netproof destroy ${lab}`);
  }
  const state: LabState = { runtime: r.runtime, name: lab, status: 'deploying', ownerPid: process.pid, ...(r.transient ? { transient: true } : {}), topology: toTopologyData(topology), daemons: {}, frrConfigProblems: [], times: { deployStartedAt: Date.now() } };
  await writeState(state);
  try {
    // Every progress line is a step: a teardown begun meanwhile (Ctrl-C) stops the build there.
    await buildTracked(`${r.runtime}:${lab}`, (step, signal) => r.build(topology, state, (line) => (step(), progress(line)), signal));
  } catch (e) {
    progress('deploy failed: removing what was created');
    await r.destroy(lab);
    // A step that failed on a node is the lab's fault (exit 1), named with the node; input and
    // environment problems keep their own codes.
    throw e instanceof NetproofError ? e : new LabError(`lab ${lab} could not be brought up: ${(e as Error).message}`);
  }
  state.status = 'running';
  state.times.deployedAt = Date.now();
  await writeState(state);
  return state as LabState & { times: { deployedAt: number } };
}

/**
 * Remove the lab's state directory if it is this runtime's. One without a state file is a
 * crash mid-deploy and anyone's to remove; one of another runtime's lab is left alone.
 */
export async function removeOwnLabDir(lab: string, runtime: string): Promise<string[]> {
  const owner = (await readState(lab))?.runtime;
  if (!existsSync(labDir(lab)) || (owner !== undefined && owner !== runtime)) return [];
  await removeLabDir(lab);
  return [labDir(lab)];
}

/** This runtime's labs: those with a state file, and orphans (nodes found without one) by lab. */
export async function labStatuses(runtime: string, nodesFound: { lab: string; node: string }[]): Promise<LabStatus[]> {
  const byLab = new Map<string, LabStatus>();
  for (const name of await listStateDirs()) {
    const s = await readState(name);
    if (!s || s.runtime !== runtime) continue;
    const ownerRuns = processRunning(s.ownerPid);
    // A deploy, or a run that tears its lab down, that is gone while its lab is not: killed (kill -9) before it could clean up.
    const why = ownerRuns ? undefined : s.status === 'deploying' ? `its deploy (pid ${s.ownerPid}) ended part way` : s.transient ? `netproof run (pid ${s.ownerPid}) ended without tearing it down` : undefined;
    const nodes = s.topology.nodes.map((n) => n.name);
    byLab.set(name, why ? { name, runtime, state: 'orphaned', nodes, file: s.topology.file, why } : { name, runtime, state: s.status, nodes, file: s.topology.file, deployedAt: s.times.deployedAt, ownerPid: ownerRuns ? s.ownerPid : undefined });
  }
  // Nodes of a lab with no state file: a crash before it was written, or the file removed.
  const withoutState = new Map<string, LabStatus>();
  for (const { lab, node } of nodesFound) {
    if (byLab.has(lab) && !withoutState.has(lab)) continue;
    if (!withoutState.has(lab)) {
      withoutState.set(lab, { name: lab, runtime, state: 'orphaned', nodes: [], why: 'no state file' });
      byLab.set(lab, withoutState.get(lab)!);
    }
    withoutState.get(lab)!.nodes.push(node);
  }
  return [...byLab.values()];
}

/** Running, and not a zombie waiting for its (re)parent to reap it: daemons are reparented to PID 1. */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return statShowsRunning(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether a /proc/PID/stat line ("pid (comm) S …": the state follows the last ')') is not a zombie's. */
export function statShowsRunning(stat: string): boolean {
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
