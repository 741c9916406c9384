// The clock every check measures and waits by. Figures count from deploy start; deadlines
// count from the end of the deploy (every node and daemon up) or from the start of this run of
// the checks, whichever is later: a slow host's deploy (Docker, many nodes) does not eat the
// network's time to converge, and `netproof test` on a lab deployed an hour ago gets a full
// deadline, not leftovers.
import type { StartedLab } from '../lab/started-lab.ts';
import { labDeadlines } from '../plan/deadlines.ts';
import { convergenceTimeoutMs, RUN_STARTED_ENV } from './settings.ts';

/** When the deadline's clock started for this lab in this run. */
export function deadlineStart(lab: StartedLab, runStartedAt = Number(process.env[RUN_STARTED_ENV] ?? 0)): number {
  return Math.max(lab.times.deployedAt || lab.times.deployStartedAt, Number.isFinite(runStartedAt) ? runStartedAt : 0);
}

/** Time left until the convergence deadline (at least a second, so a late check still looks once). */
export function remainingMs(lab: StartedLab): number {
  return Math.max(1_000, deadlineStart(lab) + convergenceTimeoutMs(lab) - Date.now());
}

/**
 * How long a matcher polls: to the lab's deadline, and at least the lab's least check time
 * (lib/plan/deadlines.ts: however late in the run an eventual truth comes — a first packet
 * through OVS, ARP, a BGP update), unless the whole deadline is shorter.
 */
export const checkTimeoutMs = (lab: StartedLab) => Math.max(remainingMs(lab), Math.min(labDeadlines(lab.topology).checkMinMs, convergenceTimeoutMs(lab)));

/** Seconds since deploy start: what the convergence figures report. */
export const sinceDeployS = (lab: StartedLab) => (Date.now() - lab.times.deployStartedAt) / 1000;

/** Run `fn` over `items` with at most `limit` at once (probes on a 2-core machine). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
