// FRR's daemons by name: one list for the loader (which binds are per-daemon files), the
// renderer (a daemons file) and the runtimes (what to start). Plain data.

/** Daemons FRR's start-up runs whatever the daemons file says. */
export const ALWAYS_RUNNING_DAEMONS = ['zebra', 'staticd'];
/** The daemons a daemons file switches on and off (`bgpd=yes`), in FRR's order. */
export const KNOWN_DAEMONS = ['bgpd', 'ospfd', 'ospf6d', 'ripd', 'ripngd', 'isisd', 'pimd', 'ldpd', 'nhrpd', 'eigrpd', 'babeld', 'sharpd', 'pbrd', 'bfdd', 'fabricd', 'vrrpd', 'pathd'];
/** Every daemon a node may run. */
export const FRR_DAEMONS = [...ALWAYS_RUNNING_DAEMONS, ...KNOWN_DAEMONS];
