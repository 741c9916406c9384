// How `netproof run` tells the suites (in vitest workers) which lab to attach to.
export const LAB_ENV = 'NETPROOF_LAB';
export const RUNTIME_ENV = 'NETPROOF_RUNTIME';
