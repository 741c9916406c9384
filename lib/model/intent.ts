// The declared intent of a lab's underlay: what must be true, written down by the user in the
// sidecar `X.intent.yml` beside `X.clab.yml` (`netproof generate` writes one; `netproof intent
// LAB` infers one from a lab that works). Every expectation a suite asserts about ASNs,
// loopbacks, BFD, failover budgets and hashing comes from here and the topology, never from
// what the routers run. Anything left out is "not declared": the check that needs it is skipped
// with that reason, never silently inferred.

/** BFD timers, in milliseconds, as FRR's `bfd profile` takes them. */
export interface BfdTimers {
  transmitIntervalMs: number;
  receiveIntervalMs: number;
  detectMultiplier: number;
}

export interface RouterIntent {
  name: string;
  /** The router's own BGP ASN. */
  asn?: number;
  /** Its loopback /32s (on a compute host, its GENEVE TEP), which every other router must learn. */
  loopbacks?: string[];
  /** The most equal-cost next hops it may install (BGP maximum-paths); 64, FRR's maximum, if not declared. */
  maxPaths?: number;
  /** Timers this router's BFD sessions must run with, when they differ from the lab's. */
  bfd?: BfdTimers;
  /**
   * Weighted ECMP (WCMP): the bandwidth, in Mbit/s, this router's policy gives the routes it
   * learns over each of these interfaces (FRR: `set extcommunity bandwidth` in the interface's
   * neighbor's inbound route-map). Where every next hop of a route has one, the router must
   * install the next hops weighted in proportion, and traffic must split so.
   */
  linkBandwidthMbps?: Record<string, number>;
}

/** FRR's range for `set extcommunity bandwidth`, in Mbit/s. */
export const LINK_BANDWIDTH_RANGE_MBPS = [1, 25600] as const;

/** BGP maximum-paths when not declared: FRR's own maximum. */
export const DEFAULT_MAX_PATHS = 64;

/**
 * The ways a fabric link fails: silently with carrier up (only BFD notices); this router's own
 * interface going down (the kernel acts at once); and the far end dying, so this side only
 * loses carrier (the kernel keeps forwarding over a `linkdown` next hop: the routing daemons
 * must notice — bgpd's fast-external-failover, or BFD).
 */
export const FAILURE_CLASSES = ['grey', 'carrier', 'far-end'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Multipath hash policies: `l3` hashes addresses only (net.ipv4.fib_multipath_hash_policy=0), `l4` the 5-tuple (=1). */
export const HASH_POLICIES = { l3: 0, l4: 1 } as const;
export type HashPolicy = keyof typeof HASH_POLICIES;

/** The sysctl that holds a family's multipath hash policy; the values mean the same in both (0 L3, 1 L4). */
export const hashPolicySysctl = (family: 4 | 6 = 4) => `net.ipv${family}.fib_multipath_hash_policy`;

/** The intent's name for a sysctl value (`0` → `l3`, `1` → `l4`); undefined for any other value, or none. */
export function hashPolicyName(value: number | undefined): HashPolicy | undefined {
  return (Object.keys(HASH_POLICIES) as HashPolicy[]).find((name) => HASH_POLICIES[name] === value);
}

export interface Intent {
  /** Absolute path of the intent file. */
  file: string;
  /** Routers by name; a router left out has nothing declared. */
  routers: Record<string, RouterIntent>;
  /** BFD on every router-to-router session, with these timers (a router's own override them). */
  bfd?: { required: boolean; timers: BfdTimers };
  /** The longest traffic loss a fabric link failure may cause, per failure class; derived from the declared BFD timers when not stated. */
  failover: Partial<Record<FailureClass, { lossBudgetMs: number }>>;
  /** The hash every router with equal-cost paths must use. */
  multipathHash?: HashPolicy;
  /** How far a measured figure may move before `netproof change` calls it a regression or improvement. */
  tolerance?: FigureTolerance;
}

export interface FigureTolerance {
  /** Change ignored, relative to the smaller of the two values: 1 (100 %) ignores anything short of doubling or halving. */
  relative: number;
}

/** The default tolerance for figures: timings on a shared 2-core CI machine move by tens of per cent between healthy runs. */
export const DEFAULT_FIGURE_TOLERANCE: FigureTolerance = { relative: 1 };

/** On top of BFD's detection time: zebra and the kernel replacing the route, and one probe interval. */
export const FAILOVER_MARGIN_MS = 500;

/** The timers a router's sessions must run with: its own, else the lab's; undefined when BFD is not declared. */
export function declaredBfd(intent: Intent | undefined, router: string): BfdTimers | undefined {
  if (!intent?.bfd?.required) return undefined;
  return intent.routers[router]?.bfd ?? intent.bfd.timers;
}

/** How long a router may take to notice a silent neighbour with these timers: multiplier × the slower interval. */
export function detectionTimeMs(t: BfdTimers): number {
  return t.detectMultiplier * Math.max(t.transmitIntervalMs, t.receiveIntervalMs);
}

/** The loss budget of a failure class at a router, and where it comes from; undefined when neither a budget nor BFD is declared. */
export function lossBudget(intent: Intent | undefined, failure: FailureClass, router: string): { ms: number; source: string } | undefined {
  const stated = intent?.failover[failure];
  if (stated) return { ms: stated.lossBudgetMs, source: `failover.${failure}.loss-budget-ms in ${intent!.file}` };
  const bfd = declaredBfd(intent, router);
  if (!bfd) return undefined;
  return {
    ms: detectionTimeMs(bfd) + FAILOVER_MARGIN_MS,
    source: `declared BFD ${bfd.detectMultiplier} × ${Math.max(bfd.transmitIntervalMs, bfd.receiveIntervalMs)} ms + ${FAILOVER_MARGIN_MS} ms margin`,
  };
}
