// The resolved lab: what a containerlab file means once defaults, kinds and groups are
// applied and relative paths are made absolute. Plain data; every runtime reads this.
// With the overlay's and the intent's types (./overlay.ts, ./intent.ts) it is the lab model, below the loaders.
import type { Intent } from './intent.ts';
import type { Overlay } from './overlay.ts';

/** How a node is run. Routers run FRR from their bound frr.conf (or kind: frr's startup-config); hosts run their exec lines. */
export type NodeRole = 'router' | 'host';

/** netproof's own intent, carried in the node label `netproof.role`. */
export const TIER_LABEL = 'netproof.role';
/** Optional label: the ECMP width this node is meant to use (e.g. "1" for a host whose datapath ignores multipath). */
export const MAX_PATHS_LABEL = 'netproof.max-paths';

/** Tiers that originate routes but never carry transit traffic. */
export const NON_TRANSIT_TIERS = new Set(['host', 'compute', 'server', 'ovn-central', 'vm', 'external']);
/** Tiers that run FRR even without an FRR image (e.g. compute hosts with BGP to the host). */
export const ROUTER_TIERS = new Set(['router', 'spine', 'leaf', 'border', 'superspine', 'compute', 'ovn-central']);
/** Overlay tiers: OVN chassis (OVS + ovn-controller + FRR), the OVN central node, and VMs (plain namespaces on a chassis). */
export const COMPUTE_TIER = 'compute';
export const OVN_CENTRAL_TIER = 'ovn-central';
export const VM_TIER = 'vm';
/** The node that stands for the outside world on a provider network: a plain namespace set up by its exec lines. */
export const EXTERNAL_TIER = 'external';

export interface Bind {
  /** Absolute path on the machine running netproof. */
  hostPath: string;
  /** Path inside the node (container path in containerlab). */
  nodePath: string;
  mode?: string;
}

export interface FrrFiles {
  /** Absolute host path of the node's integrated frr.conf, if it has one (applied through vtysh, as FRR's start-up does). */
  config?: string;
  /**
   * The integrated configuration itself, when the clab file carries it rather than a file
   * (`kind: frr` with an inline multi-line startup-config, or with none: containerlab's default).
   * Set only when `config` is not; read like frr.conf, with no file of the user's behind it.
   */
  configText?: string;
  /** Absolute host path of its daemons file, if bound. */
  daemons?: string;
  /**
   * The daemons to run when the clab file names them instead of binding a daemons file
   * (`kind: frr`: extras.frr.daemons; when omitted every daemon but sharpd). As a daemons file reads:
   * zebra and staticd first, then the named ones in FRR's order. Set only when `daemons` is not.
   */
  daemonNames?: string[];
  /** Per-daemon files bound at /etc/frr/<daemon>.conf (daemon → absolute host path): each is read by its own daemon. */
  daemonConfigs: Record<string, string>;
}

export interface LabNode {
  name: string;
  kind: string;
  image?: string;
  role: NodeRole;
  /** The `netproof.role` label, if any: spine, leaf, compute, host… */
  tier?: string;
  labels: Record<string, string>;
  binds: Bind[];
  /** Exec lines split into argv (no shell). */
  exec: string[][];
  sysctls: Record<string, string>;
  frr?: FrrFiles;
}

export interface Endpoint {
  node: string;
  iface: string;
  /** Address (CIDR) the link assigns to this end, containerlab's `ipv4`/`ipv6` link fields. */
  ipv4?: string;
  ipv6?: string;
}

export interface LabLink {
  endpoints: [Endpoint, Endpoint];
  mtu?: number;
}

/** A position in the source file, for error messages. */
export interface SourcePos {
  line: number;
  column: number;
}

export interface Topology {
  name: string;
  /** The OVN overlay from the sidecar intent file, if the lab has one. */
  overlay?: Overlay;
  /** The declared intent of the underlay (ASNs, loopbacks/TEPs, BFD, hashing) from the sidecar `<lab>.intent.yml`, if the lab has one. */
  intent?: Intent;
  /** Absolute path of the .clab.yml file. */
  file: string;
  /** Directory binds are relative to. */
  dir: string;
  nodes: LabNode[];
  links: LabLink[];
  /** Where a field (path from the document root) is in the file; the nearest existing parent if it is absent. */
  locate(path: readonly (string | number)[]): SourcePos;
}

export function endpointLabel(e: Endpoint): string {
  return `${e.node}:${e.iface}`;
}

export function linkLabel(l: LabLink): string {
  return `${endpointLabel(l.endpoints[0])} <-> ${endpointLabel(l.endpoints[1])}`;
}
