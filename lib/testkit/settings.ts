// What `netproof run` and `netproof test` tell the checks (in vitest workers) through the
// environment: which lab, on which runtime, and the deadline every eventual truth polls to.
import type { StartedLab } from '../lab/started-lab.ts';
import { labDeadlines } from '../plan/deadlines.ts';
import type { FailoverScope } from '../plan/failover-plan.ts';
export { LAB_ENV, RUNTIME_ENV } from '../lab/env.ts';

export const CONVERGENCE_TIMEOUT_ENV = 'NETPROOF_CONVERGENCE_TIMEOUT_S';
/** Epoch ms when this run of the checks started: a lab deployed long ago still gets a full deadline. */
export const RUN_STARTED_ENV = 'NETPROOF_RUN_STARTED_AT';

/** Deadline for the control plane to converge: as `netproof run`/`test` set it, else by the lab's size (lib/plan/deadlines.ts). */
export function convergenceTimeoutMs(lab: Pick<StartedLab, 'topology'>): number {
  const s = Number(process.env[CONVERGENCE_TIMEOUT_ENV]);
  return (Number.isFinite(s) && s > 0 ? s : labDeadlines(lab.topology).convergenceS) * 1000;
}

/**
 * Extra security-group probes (`tcp/5432,udp/53`): `netproof change` and `--baseline` probe a lab
 * with the other lab's probes too, so both matrices hold the same cells and a dropped rule shows
 * as allow → deny rather than as a cell that vanished.
 */
export const ACL_PROBES_ENV = 'NETPROOF_ACL_PROBES';

export function extraAclProbes(env: NodeJS.ProcessEnv = process.env): { protocol: 'tcp' | 'udp'; port: number }[] {
  return (env[ACL_PROBES_ENV] ?? '')
    .split(',')
    .map((s) => /^(tcp|udp)\/(\d+)$/.exec(s.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ protocol: m[1] as 'tcp' | 'udp', port: Number(m[2]) }));
}

/**
 * A file whose existence asks the checks to stop: each one not yet begun is skipped (stop-setup.ts),
 * the one under way finishes. `netproof test` creates it on Ctrl-C/SIGTERM.
 */
export const STOP_FILE_ENV = 'NETPROOF_STOP_FILE';

/** Which links the failover suite fails: one per tier pair (default) or every router-to-router link (`--failover all`, nightly). */
export const FAILOVER_SCOPE_ENV = 'NETPROOF_FAILOVER';

export function failoverScope(env: NodeJS.ProcessEnv = process.env): FailoverScope {
  return env[FAILOVER_SCOPE_ENV] === 'all' ? 'all' : 'tier-pairs';
}
