// Plan a spine/leaf Clos: who connects to whom, addresses and ASNs. Pure: no I/O.
//
// Addressing (ip-address does the arithmetic):
//   loopbacks /32 from 10.255.0.0/16: spines 10.255.0.x, leaves 10.255.1.x, hosts 10.255.2.x
//   (a host's loopback is its GENEVE tunnel endpoint, its TEP);
//   point-to-point links /31 from 10.1.0.0/16, in link order.
// ASNs, RFC 7938 style: all spines share one ASN (so no path hunts through another spine),
// every leaf and every host has its own.
import { Address4 } from 'ip-address';
import { UsageError } from '../errors.ts';

export type Tier = 'spine' | 'leaf' | 'compute';

export interface ClosOptions {
  name: string;
  spines: number;
  leaves: number;
  hosts: number;
  /** MTU of spine–leaf links. */
  fabricMtu?: number;
  /** MTU of leaf–host links. */
  hostMtu?: number;
  /** BFD timers on every fabric session. */
  bfdIntervalMs?: number;
  bfdMultiplier?: number;
}

export interface PlannedInterface {
  name: string;
  /** This end's address with prefix length, e.g. 10.1.0.0/31. */
  address: string;
  peer: { node: string; iface: string; address: string; asn: number };
}

export interface PlannedRouter {
  name: string;
  tier: Tier;
  asn: number;
  /** The /32 loopback (TEP for hosts), e.g. 10.255.2.1/32. */
  loopback: string;
  routerId: string;
  interfaces: PlannedInterface[];
  /** BGP maximum-paths: the ECMP width the router may install. */
  maxPaths: number;
}

export interface PlannedLink {
  a: { node: string; iface: string; address: string };
  b: { node: string; iface: string; address: string };
  mtu: number;
}

export interface ClosPlan {
  name: string;
  routers: PlannedRouter[];
  links: PlannedLink[];
  bfd: { intervalMs: number; multiplier: number };
}

export const CLOS_LIMITS = { spines: [1, 16], leaves: [2, 64], hosts: [0, 250] } as const;
const SPINE_ASN = 65000;
const LEAF_ASN_BASE = 65100;
const HOST_ASN_BASE = 65300;
const LOOPBACK_BASE = { spine: '10.255.0.0', leaf: '10.255.1.0', compute: '10.255.2.0' } as const;
const P2P_BASE = '10.1.0.0';

function nth(base: string, offset: number): Address4 {
  return Address4.fromBigInt(new Address4(base).bigInt() + BigInt(offset));
}

export function planClos(opts: ClosOptions): ClosPlan {
  for (const key of ['spines', 'leaves', 'hosts'] as const) {
    const [min, max] = CLOS_LIMITS[key];
    const v = opts[key];
    if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${key} must be an integer from ${min} to ${max} (got ${v})`);
  }
  if (opts.hosts > 0 && opts.leaves % 2 !== 0) {
    throw new UsageError(`--leaves must be even when there are hosts (got ${opts.leaves}): each host is dual-homed to a leaf pair`);
  }
  const fabricMtu = opts.fabricMtu ?? 9000;
  const hostMtu = opts.hostMtu ?? 1500;

  const routers: PlannedRouter[] = [];
  const make = (tier: Tier, i: number, asn: number): PlannedRouter => {
    const lo = nth(LOOPBACK_BASE[tier], i + 1).address;
    const r: PlannedRouter = { name: `${tier === 'compute' ? 'host' : tier}${i + 1}`, tier, asn, loopback: `${lo}/32`, routerId: lo, interfaces: [], maxPaths: 64 };
    routers.push(r);
    return r;
  };
  const spines = Array.from({ length: opts.spines }, (_, i) => make('spine', i, SPINE_ASN));
  const leaves = Array.from({ length: opts.leaves }, (_, i) => make('leaf', i, LEAF_ASN_BASE + i + 1));
  const hosts = Array.from({ length: opts.hosts }, (_, i) => make('compute', i, HOST_ASN_BASE + i + 1));

  const links: PlannedLink[] = [];
  const connect = (x: PlannedRouter, y: PlannedRouter, mtu: number) => {
    const n = links.length;
    const ax = nth(P2P_BASE, 2 * n).address;
    const ay = nth(P2P_BASE, 2 * n + 1).address;
    const ix = `eth${x.interfaces.length + 1}`;
    const iy = `eth${y.interfaces.length + 1}`;
    x.interfaces.push({ name: ix, address: `${ax}/31`, peer: { node: y.name, iface: iy, address: ay, asn: y.asn } });
    y.interfaces.push({ name: iy, address: `${ay}/31`, peer: { node: x.name, iface: ix, address: ax, asn: x.asn } });
    links.push({ a: { node: x.name, iface: ix, address: `${ax}/31` }, b: { node: y.name, iface: iy, address: `${ay}/31` }, mtu });
  };
  for (const leaf of leaves) for (const spine of spines) connect(spine, leaf, fabricMtu);
  // Host i is dual-homed to leaf pair (2k, 2k+1), k = i mod (leaves / 2).
  hosts.forEach((host, i) => {
    const k = i % Math.floor(opts.leaves / 2);
    connect(leaves[2 * k]!, host, hostMtu);
    connect(leaves[2 * k + 1]!, host, hostMtu);
  });

  return { name: opts.name, routers, links, bfd: { intervalMs: opts.bfdIntervalMs ?? 300, multiplier: opts.bfdMultiplier ?? 3 } };
}
