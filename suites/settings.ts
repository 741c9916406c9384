// Settings `netproof run` passes to the suites through the environment.
export const CONVERGENCE_TIMEOUT_ENV = 'NETPROOF_CONVERGENCE_TIMEOUT_S';
export const DEFAULT_CONVERGENCE_TIMEOUT_S = 60;

/** Deadline for the control plane to converge, counted from deploy start. */
export function convergenceTimeoutMs(): number {
  const s = Number(process.env[CONVERGENCE_TIMEOUT_ENV] ?? DEFAULT_CONVERGENCE_TIMEOUT_S);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_CONVERGENCE_TIMEOUT_S) * 1000;
}
