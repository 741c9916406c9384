// The seam between what a lab is and what runs it. `netns` is the default; a Docker
// (testcontainers) runtime implements the same interface.
import type { Problem } from '../errors.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import type { Topology } from '../model/topology.ts';

export type Progress = (step: string) => void;

export interface DeployOptions {
  onProgress?: Progress;
  /**
   * The deploying process tears the lab down when it ends (`netproof run`): once that process
   * is gone and the lab is not, the lab is a leftover (kill -9), and `status` says so.
   */
  transient?: boolean;
}

export interface LabStatus {
  name: string;
  runtime: string;
  state: 'deploying' | 'running' | 'orphaned';
  nodes: string[];
  file?: string;
  deployedAt?: number;
  /** PID of the netproof process that deployed it, if that process still runs. */
  ownerPid?: number;
  /** For an orphaned lab: what left it behind, e.g. `netproof run (pid 4242) ended without tearing it down`. */
  why?: string;
}

export interface DestroyReport {
  lab: string;
  removed: string[];
}

export interface Runtime {
  readonly name: string;
  /** What this runtime cannot do with a valid topology; checked before anything is created. */
  check(topology: Topology): Problem[];
  /** Refuse to start without root, binaries and kernel features, naming the fix. */
  checkEnvironment(topology: Topology): Promise<void>;
  deploy(topology: Topology, opts?: DeployOptions): Promise<StartedLab>;
  /** A handle on a lab deployed earlier (by another process, e.g. `netproof run` → vitest workers). */
  attach(lab: string): Promise<StartedLab>;
  /** Remove everything the lab created, also after a crash. Idempotent. */
  destroy(lab: string): Promise<DestroyReport>;
  list(): Promise<LabStatus[]>;
}
