// A normalised snapshot of a lab's state: what `netproof run`/`test` write as state.json and
// what `netproof change` and `run --baseline` compare. Only what a healthy lab reproduces run
// after run is in it: peers, next hops and interfaces by node name, never uptimes, counters,
// ifindexes, timestamps, random ports or path ids. Measured figures are in it too, and are the
// one part compared with a tolerance.
import { InvalidInputError } from '../errors.ts';

export const SNAPSHOT_VERSION = 1;

/** A next hop by the neighbour it leads to: `eth1 → spine1`; a connected route is just `eth1`. */
export type NexthopLabel = string;

export interface RouteState {
  /** The protocol of the selected route (`bgp`, `connected`, `static`…). */
  protocol: string;
  /** Next hops, sorted. */
  nexthops: NexthopLabel[];
  /**
   * Set when BGP had more equal-cost paths than maximum-paths lets it install: how many it
   * installed. `nexthops` are then every equal-cost candidate — which it picked is BGP's
   * arbitrary choice (the oldest path) and differs run to run.
   */
  uses?: number;
  /** Weighted ECMP: each next hop's weight, when they are not all alike (FRR's, 1–100; the kernel's, 1–256). */
  weights?: Record<NexthopLabel, number>;
}

export interface SessionState {
  /** The peer's node name (or its address when no lab node owns it). */
  peer: string;
  /** The local interface the session runs over, when known. */
  iface?: string;
  state: string;
  /** Prefixes received from the peer. */
  prefixes: number;
}

export interface BfdState {
  peer: string;
  status: string;
  /** Negotiated: the interval this router transmits at and receives at, and the detect multiplier it uses. */
  transmitIntervalMs: number;
  receiveIntervalMs: number;
  detectMultiplier: number;
}

export interface RouterState {
  asn?: number;
  /** Keyed by `peer` (and `@iface` when two sessions go to one peer). */
  sessions: Record<string, SessionState>;
  /** zebra's selected route per prefix. */
  rib: Record<string, RouteState>;
  /** The kernel's main-table route per prefix. */
  fib: Record<string, RouteState>;
  bfd: Record<string, BfdState>;
  /** net.ipv4.fib_multipath_hash_policy as `l3`/`l4`/the raw value. */
  multipathHash?: string;
  /** net.ipv6.fib_multipath_hash_policy the same way, where the intent declares IPv6 loopbacks. */
  multipathHash6?: string;
}

export interface Snapshot {
  version: number;
  lab: string;
  routers: Record<string, RouterState>;
  /** Interface MTUs by `node:iface`, for every link endpoint of the topology. */
  mtu: Record<string, number>;
  /** Overlay reachability (ICMP between VMs the intent lets ping): `vm1 → vm2` → reply / no reply. */
  reachability: Record<string, 'reply' | 'no reply'>;
  /** Security-group cells: `vm1 → vm2 tcp/5432` → allow / deny, as observed. */
  acl: Record<string, 'allow' | 'deny'>;
  /** Largest don't-fragment inner packet by host pair: `host1 → host2` → bytes. */
  largestPacket: Record<string, number>;
  /** Every measured figure of the run. */
  figures: Record<string, { value: number; unit: string }>;
  /** Which checks passed, failed or were skipped, by full test name. */
  checks: Record<string, 'passed' | 'failed' | 'skipped'>;
}

export function emptySnapshot(lab: string): Snapshot {
  return { version: SNAPSHOT_VERSION, lab, routers: {}, mtu: {}, reachability: {}, acl: {}, largestPacket: {}, figures: {}, checks: {} };
}

/** The key of a security-group cell: `vm1 → vm2 tcp/5432`. */
export function aclKey(src: string, dst: string, probe: string): string {
  return `${src} → ${dst} ${probe}`;
}

/** The tcp/udp probes a snapshot's cells used (`tcp/5432`), to probe another lab with the same ones. */
export function aclProbesOf(s: Pick<Snapshot, 'acl'>): string[] {
  return [...new Set(Object.keys(s.acl).map((k) => k.split(' ').at(-1)!).filter((p) => /^(tcp|udp)\/\d+$/.test(p)))].sort();
}

/** A state.json read back (`--baseline`): its shape is checked, so a wrong file is bad input, not a crash. */
export function parseSnapshot(json: unknown, file: string): Snapshot {
  const problem = (field: string, message: string) =>
    new InvalidInputError([{ file, line: 1, column: 1, field, message, fix: 'pass the state.json a `netproof run` or `netproof test` wrote (in its report directory)' }]);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw problem('(file)', 'is not a JSON object');
  const s = json as Partial<Snapshot>;
  if (s.version !== SNAPSHOT_VERSION) throw problem('version', `is ${JSON.stringify(s.version)}, this netproof reads version ${SNAPSHOT_VERSION}`);
  for (const key of ['routers', 'mtu', 'reachability', 'acl', 'largestPacket', 'figures', 'checks'] as const) {
    if (typeof s[key] !== 'object' || s[key] === null || Array.isArray(s[key])) throw problem(key, 'is missing or not an object');
  }
  return { ...emptySnapshot(String(s.lab ?? '')), ...s } as Snapshot;
}
