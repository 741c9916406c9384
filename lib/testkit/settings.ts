// What `netproof run` and `netproof test` tell the checks (in vitest workers) through the
// environment: which lab, on which runtime, and the deadline every eventual truth polls to.
export { LAB_ENV, RUNTIME_ENV } from '../lab/env.ts';

export const CONVERGENCE_TIMEOUT_ENV = 'NETPROOF_CONVERGENCE_TIMEOUT_S';
/** Epoch ms when this run of the checks started: a lab deployed long ago still gets a full deadline. */
export const RUN_STARTED_ENV = 'NETPROOF_RUN_STARTED_AT';
export const DEFAULT_CONVERGENCE_TIMEOUT_S = 60;

/** Deadline for the control plane to converge. */
export function convergenceTimeoutMs(): number {
  const s = Number(process.env[CONVERGENCE_TIMEOUT_ENV] ?? DEFAULT_CONVERGENCE_TIMEOUT_S);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_CONVERGENCE_TIMEOUT_S) * 1000;
}
