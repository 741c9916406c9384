// Plan a spine/leaf Clos: who connects to whom, addresses and ASNs. Pure: no I/O.
//
// Addressing (ip-address does the arithmetic):
//   loopbacks /32 from 10.255.0.0/16: spines 10.255.0.x, leaves 10.255.1.x, hosts 10.255.2.x
//   (a host's loopback is its GENEVE tunnel endpoint, its TEP);
//   point-to-point links /31 from 10.1.0.0/16, in link order.
// ASNs, RFC 7938 style: all spines share one ASN (so no path hunts through another spine),
// every leaf and every host has its own.
// With an overlay (vmsPerHost > 0): an OVN central node (loopback 10.255.3.1) dual-homed to
// the first leaf pair; hosts become OVN chassis whose uplink addresses and TEP sit on br-phy
// (the userspace datapath only decapsulates for addresses on ports OVS owns) and which use one
// path (OVS 3.1's tunnel routing ignores multipath routes; BFD gives failover); VMs are linked
// to their host, alternating between two tenant switches joined by one router. With namespaces
// instead (OVN-Kubernetes style): pods spread over the hosts, a switch per namespace.
// The underlay protocol is eBGP by default; an IGP instead (OSPF area 0 or IS-IS level 2, every
// link point-to-point; underlay only) keeps the same routers, links, addresses and loopbacks, and
// only the renderers differ (ASNs stay planned but nothing renders them).
import { Address4, Address6 } from 'ip-address';
import { UsageError } from '../errors.ts';

export type Tier = 'spine' | 'leaf' | 'compute' | 'ovn-central';

/** The fabric's routing protocol (generate clos --underlay-protocol). */
export const UNDERLAY_PROTOCOLS = ['bgp', 'ospf', 'isis'] as const;
export type UnderlayProtocol = (typeof UNDERLAY_PROTOCOLS)[number];

/** The fabric's address families (generate clos --underlay): IPv4 loopbacks, IPv4 and IPv6 ones, or IPv6 ones only. */
export const UNDERLAY_FAMILIES = ['ipv4', 'dual-stack', 'ipv6'] as const;
export type UnderlayFamily = (typeof UNDERLAY_FAMILIES)[number];

export interface ClosOptions {
  name: string;
  spines: number;
  leaves: number;
  hosts: number;
  /** MTU of spine–leaf links. */
  fabricMtu?: number;
  /** MTU of leaf–host links. */
  hostMtu?: number;
  /** VMs per compute host; 0 = no overlay (unless namespaces). OpenStack style: tenant switches web and db, a router with a gateway. */
  vmsPerHost?: number;
  /** OVN-Kubernetes style instead: a logical switch per namespace, joined by a cluster router, a Service VIP per namespace. */
  namespaces?: number;
  podsPerNamespace?: number;
  /** MTU of the VMs' interfaces; default: the smallest underlay MTU minus OVN's GENEVE overhead. */
  vmMtu?: number;
  /** BFD timers on every fabric session. */
  bfdIntervalMs?: number;
  bfdMultiplier?: number;
  /**
   * BGP unnumbered (RFC 5549): no IPv4 on fabric links; each session runs over the interface's
   * IPv6 link-local address and carries IPv4 routes with IPv6 next hops. Underlay only.
   */
  unnumbered?: boolean;
  /**
   * The fabric's routing protocol: eBGP (RFC 7938, the default), OSPF (area 0) or IS-IS (level 2).
   * An IGP runs on every fabric link as point-to-point, advertises the loopbacks (the TEPs),
   * and keeps hosts and the central out of transit (OSPF stub router, IS-IS overload bit).
   */
  underlayProtocol?: UnderlayProtocol;
  /**
   * Weighted ECMP: link bandwidths in Mbit/s by router and interface. The router at the link's
   * far end sends its routes over it with the BGP link-bandwidth community (an outbound
   * route-map), the weighted router passes no extended communities on, and the intent declares
   * the bandwidths under the weighted router. eBGP underlays only; links to spines or leaves.
   */
  linkBandwidth?: Record<string, Record<string, number>>;
  /**
   * Address families: IPv4 loopbacks (the default), or dual stack: every router also has an
   * IPv6 /128 loopback, advertised by BGP in the IPv6 unicast family over the same sessions
   * (numbered or unnumbered: IPv6 routes go via the links' IPv6 link-local addresses); or IPv6 only: the /128
   * loopbacks alone (no overlay: OVN's tunnels here need IPv4 TEPs).
   */
  underlayFamily?: UnderlayFamily;
}

export interface PlannedInterface {
  name: string;
  /** This end's address with prefix length, e.g. 10.1.0.0/31; none on an unnumbered fabric. */
  address?: string;
  /** The peer's address (none on an unnumbered fabric: the session runs over the interface). */
  peer: { node: string; iface: string; address?: string; asn: number };
}

export interface PlannedRouter {
  name: string;
  tier: Tier;
  asn: number;
  /** The /32 loopback (TEP for hosts), e.g. 10.255.2.1/32; none on an IPv6-only fabric. */
  loopback?: string;
  /** On a dual-stack or IPv6-only fabric: the IPv6 /128 loopback, the router ID's octets as its groups (10.255.2.1 → fd00:10:255:2::1/128). */
  loopback6?: string;
  /** BGP's router ID: the IPv4 loopback's address (an IPv6-only router keeps it as a 32-bit ID it has no address for). */
  routerId: string;
  interfaces: PlannedInterface[];
  /** BGP maximum-paths: the ECMP width the router may install. */
  maxPaths: number;
  /** Where the interface addresses and loopback live: on each interface and lo, or all on br-phy (OVS chassis). */
  addressesOn: 'interfaces' | 'br-phy';
  /** Weighted ECMP: the bandwidth, in Mbit/s, of the routes it learns over these interfaces (set by the far ends). */
  linkBandwidthMbps?: Record<string, number>;
}

export interface PlannedVm {
  name: string;
  host: string;
  /** The host's interface to the VM (an OVS port on br-int). */
  hostIface: string;
  /** web or db (OpenStack style), or the namespace (OVN-Kubernetes style). */
  switch: string;
  ip: string;
  mtu: number;
}

/**
 * The outside world of a generated overlay: a node on the provider network, linked to each
 * gateway chassis (a Linux bridge joins its links, so the chassis share one L2 segment), with
 * the network's gateway address. The tenant router's gateway is scheduled on those chassis,
 * highest priority first; the first web VM gets a floating IP.
 */
export interface PlannedExternal {
  node: string;
  /** The provider network's subnet, and the external node's address on it (its gateway). */
  subnet: string;
  address: string;
  /** The router's gateway address on the provider network: also the SNAT address. */
  routerAddress: string;
  gateways: { host: string; hostIface: string; iface: string; priority: number }[];
  floatingIps: { vm: string; ip: string }[];
  /** BFD on the tunnels between chassis: the fabric's timers. */
  tunnelBfd: { intervalMs: number; multiplier: number };
  /** A service VIP on the provider network in front of every web VM, port 80, with a health check. */
  loadBalancer?: { name: string; vip: string; port: number; backends: string[] };
  mtu: number;
}

/** A namespace of an OVN-Kubernetes style overlay: its switch and subnet, its pods, and its Service. */
export interface PlannedNamespace {
  name: string;
  subnet: string;
  pods: string[];
  /** The Service VIP (from 10.96.0.0/16, outside every pod subnet), over every pod but the last, which stays a client. */
  service: { name: string; vip: string; port: number; backends: string[] };
}

export interface PlannedOverlay {
  central: string;
  centralAddress: string;
  vms: PlannedVm[];
  external?: PlannedExternal;
  /** Set for an OVN-Kubernetes style overlay (generate clos --namespaces). */
  namespaces?: PlannedNamespace[];
}

export interface PlannedLink {
  a: { node: string; iface: string; address?: string };
  b: { node: string; iface: string; address?: string };
  mtu: number;
}

export interface ClosPlan {
  name: string;
  routers: PlannedRouter[];
  links: PlannedLink[];
  bfd: { intervalMs: number; multiplier: number };
  underlay: UnderlayProtocol;
  /** Address families of the loopbacks: ipv4, dual-stack (each router's loopback6 too) or ipv6 (loopback6 only). */
  addressFamilies: UnderlayFamily;
  overlay?: PlannedOverlay;
}

/** OVN's GENEVE overhead over IPv4 as measured on the wire (see DESIGN.md): what the default VM MTU leaves room for. */
export const OVN_GENEVE_OVERHEAD_BYTES = 58;

export const CLOS_LIMITS = { spines: [1, 16], leaves: [2, 64], hosts: [0, 512], vmsPerHost: [0, 8], namespaces: [0, 16], podsPerNamespace: [2, 8] } as const;
/** OVN-Kubernetes' defaults: pod subnets from 10.244.0.0/16 (a /24 per namespace here), Services from 10.96.0.0/16. */
const POD_BASE = '10.244.0.0';
const SERVICE_BASE = '10.96.0.0';
const SPINE_ASN = 65000;
const LEAF_ASN_BASE = 65100;
const HOST_ASN_BASE = 65300;
/** Private 16-bit ASNs end at 65534 (RFC 6996): hosts past the 234th take private 32-bit ones. */
const LAST_PRIVATE_16_BIT_ASN = 65534;
const HOST_ASN_32_BIT_BASE = 4_200_000_000;
const LOOPBACK_BASE = { spine: '10.255.0.0', leaf: '10.255.1.0', compute: '10.255.2.0', 'ovn-central': '10.255.3.0' } as const;
/** Hosts past the 254th (their /24 is full) take loopbacks from here: room for 4096 more. */
const MORE_HOST_LOOPBACKS = '10.255.16.0/20';
/** A switch's VMs from .11 up, in a /24. */
const MAX_VMS_PER_SWITCH = 240;
const P2P_BASE = '10.1.0.0';
/** The provider network, as devstack's public network: the outside world at .1, the router's gateway at .10, floating IPs from .101. */
export const PROVIDER_SUBNET = '172.24.4.0/24';
export const EXTERNAL_NODE = 'ext';
/**
 * The provider network's MTU: below the VMs' default 1442 on purpose, as an upstream with a
 * smaller MTU is, so the gateway port's gateway_mtu and path MTU discovery north–south are exercised.
 */
export const PROVIDER_MTU = 1400;
/** How many hosts carry the router's gateway (an HA chassis group), and their priorities, active first. */
const GATEWAY_PRIORITIES = [20, 10];

function nth(base: string, offset: number): Address4 {
  return Address4.fromBigInt(new Address4(base).bigInt() + BigInt(offset));
}

/** FRR's range for `set extcommunity bandwidth`, in Mbit/s. */
const BANDWIDTH_RANGE_MBPS = [1, 25600] as const;

/** Give each router the link bandwidths asked for, after checking that each names one of its fabric links. */
function applyLinkBandwidth(routers: PlannedRouter[], asked: ClosOptions['linkBandwidth'], underlay: UnderlayProtocol): void {
  if (!asked || !Object.keys(asked).length) return;
  if (underlay !== 'bgp') throw new UsageError(`--link-bandwidth sets BGP's link-bandwidth community: drop it, or use --underlay-protocol bgp (got ${underlay})`);
  for (const [name, ifaces] of Object.entries(asked)) {
    const r = routers.find((x) => x.name === name);
    if (!r) throw new UsageError(`--link-bandwidth names ${name}, which this fabric does not have (routers: ${routers.map((x) => x.name).join(', ')})`);
    for (const [iface, mbps] of Object.entries(ifaces)) {
      const link = r.interfaces.find((i) => i.name === iface);
      if (!link) throw new UsageError(`--link-bandwidth names ${name}:${iface}, which is not one of ${name}'s links (${r.interfaces.map((i) => `${i.name} to ${i.peer.node}`).join(', ')})`);
      // The far end sets the community on what it sends; a host sends only its own loopback, which has no other path.
      const far = routers.find((x) => x.name === link.peer.node)!;
      if (far.tier === 'compute' || far.tier === 'ovn-central') {
        throw new UsageError(`--link-bandwidth ${name}:${iface}: ${iface} leads to ${far.name}, a host that sends only its own loopback, which ${name} reaches by that link alone; weigh links to spines or leaves (${r.interfaces.filter((i) => !['compute', 'ovn-central'].includes(routers.find((x) => x.name === i.peer.node)!.tier)).map((i) => i.name).join(', ') || 'none'})`);
      }
      const [min, max] = BANDWIDTH_RANGE_MBPS;
      if (!Number.isInteger(mbps) || mbps < min || mbps > max) throw new UsageError(`--link-bandwidth ${name}:${iface}=${mbps}: write the bandwidth in Mbit/s as a whole number from ${min} to ${max}`);
    }
    r.linkBandwidthMbps = { ...ifaces };
  }
}

/** A planned router's loopbacks: its IPv4 /32 and its IPv6 /128, whichever it has. */
export const loopbacksOf = (r: Pick<PlannedRouter, 'loopback' | 'loopback6'>): string[] => [r.loopback, r.loopback6].filter((l) => l !== undefined);

/**
 * A router's IPv6 loopback from its IPv4 one (or router ID): fd00 (unique local), then the four
 * octets as written, each a group (10.255.1.3 → fd00:10:255:1::3/128), so one reads as the other;
 * distinct IPv4 loopbacks give distinct ones. Canonical (compressed) form, as FRR and ip print it.
 */
export function ipv6LoopbackOf(ipv4: string): string {
  if (!Address4.isValid(ipv4) || ipv4.includes('/')) throw new Error(`not an IPv4 address: ${ipv4}`);
  const [a, b, c, d] = ipv4.split('.');
  return `${new Address6(`fd00:${a}:${b}:${c}::${d}`).correctForm()}/128`;
}

export function planClos(opts: ClosOptions): ClosPlan {
  const namespaces = opts.namespaces ?? 0;
  const podsPerNamespace = opts.podsPerNamespace ?? (namespaces > 0 ? 2 : 0);
  const given = { spines: opts.spines, leaves: opts.leaves, hosts: opts.hosts, vmsPerHost: opts.vmsPerHost ?? 0, namespaces, podsPerNamespace };
  const flags = { spines: 'spines', leaves: 'leaves', hosts: 'hosts', vmsPerHost: 'vms-per-host', namespaces: 'namespaces', podsPerNamespace: 'pods-per-namespace' } as const;
  for (const key of Object.keys(flags) as (keyof typeof flags)[]) {
    if (key === 'podsPerNamespace' && namespaces === 0) continue;
    const [min, max] = CLOS_LIMITS[key];
    const v = given[key];
    if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${flags[key]} must be an integer from ${min} to ${max} (got ${v})`);
  }
  if (namespaces > 0 && given.vmsPerHost > 0) throw new UsageError('choose one overlay: --vms-per-host (OpenStack style) or --namespaces (OVN-Kubernetes style)');
  if (opts.podsPerNamespace !== undefined && namespaces === 0) throw new UsageError('--pods-per-namespace needs --namespaces');
  if ((opts.underlayFamily ?? 'ipv4') !== 'ipv4' && (given.vmsPerHost > 0 || namespaces > 0)) {
    // OVN builds IPv6 tunnels, but Debian 12's OVS 3.1.0 sends them from the bridge's link-local address (fixed in OVS 3.1.5).
    throw new UsageError(`--underlay ${opts.underlayFamily} builds an underlay only: drop --vms-per-host/--namespaces (the OVN overlay here tunnels between IPv4 TEPs: OVS 3.1.0 cannot source GENEVE over IPv6 from a TEP)`);
  }
  if (opts.unnumbered && (given.vmsPerHost > 0 || namespaces > 0)) {
    // OVS 3.1's userspace tunnel routing resolves a remote TEP through IPv4 next hops it owns (br-phy's address): an
    // RFC 5549 route's IPv6 next hop gives it none. The overlay stays on numbered fabrics.
    throw new UsageError('--unnumbered builds an underlay only: drop --vms-per-host/--namespaces (an OVN overlay needs IPv4 next hops towards the TEPs)');
  }
  const underlay = opts.underlayProtocol ?? 'bgp';
  if (!(UNDERLAY_PROTOCOLS as readonly string[]).includes(underlay)) throw new UsageError(`--underlay-protocol must be one of ${UNDERLAY_PROTOCOLS.join(', ')} (got ${underlay})`);
  if (opts.unnumbered && underlay !== 'bgp') {
    throw new UsageError(`--unnumbered is BGP unnumbered (RFC 5549): drop it, or use --underlay-protocol bgp (got --underlay-protocol ${underlay}, whose point-to-point links keep their /31s)`);
  }
  if (underlay !== 'bgp' && (given.vmsPerHost > 0 || namespaces > 0)) {
    // A chassis keeps its TEP on br-phy, beside both uplinks' addresses (OVS routes its tunnels from there). IS-IS runs
    // per interface and would meet both leaves on one circuit that is no LAN; ospfd takes a /32 on a point-to-point
    // interface for an unnumbered one and advertises no route to it, so no TEP would be reachable.
    throw new UsageError(`--underlay-protocol ${underlay} builds an underlay only: drop --vms-per-host/--namespaces, or use --underlay-protocol bgp (an OVN chassis keeps its TEP and both uplinks on br-phy, which ${underlay === 'isis' ? 'IS-IS cannot split into one point-to-point adjacency per leaf' : 'OSPF does not advertise the TEP from'})`);
  }
  const family = opts.underlayFamily ?? 'ipv4';
  if (!(UNDERLAY_FAMILIES as readonly string[]).includes(family)) throw new UsageError(`--underlay must be one of ${UNDERLAY_FAMILIES.join(', ')} (got ${family})`);
  // Dual stack on numbered links: the IPv4 sessions carry the IPv6 family too (RFC 4760), its
  // next hops the links' IPv6 link-local addresses. IPv6 only has no IPv4 session to carry it.
  if (family === 'ipv6' && !opts.unnumbered) {
    throw new UsageError('--underlay ipv6 needs --unnumbered: its sessions run over IPv6 link-local addresses (numbered IPv6 links are not built yet)');
  }
  // Pods are VMs to the lab: network namespaces on a chassis.
  const vmsPerHost = given.vmsPerHost;
  const overlaid = vmsPerHost > 0 || namespaces > 0;
  if (overlaid && opts.hosts === 0) throw new UsageError(`${namespaces > 0 ? '--namespaces' : '--vms-per-host'} needs hosts to run on: set --hosts too`);
  const smallestUnderlay = Math.min(opts.fabricMtu ?? 9000, opts.hostMtu ?? 1500);
  const vmMtu = opts.vmMtu ?? smallestUnderlay - OVN_GENEVE_OVERHEAD_BYTES;
  // A VM MTU too large for the underlay is allowed on purpose (the MTU suite must catch it); below IPv4's 576 is not.
  if (overlaid && (!Number.isInteger(vmMtu) || vmMtu < 576 || vmMtu > 9000)) {
    throw new UsageError(`the VM MTU would be ${vmMtu}: it must be from 576 to 9000 (set --vm-mtu, or raise --host-mtu/--fabric-mtu)`);
  }
  if (opts.hosts > 0 && opts.leaves % 2 !== 0) {
    throw new UsageError(`--leaves must be even when there are hosts (got ${opts.leaves}): each host is dual-homed to a leaf pair`);
  }
  const vmsPerSwitch = namespaces > 0 ? podsPerNamespace : Math.ceil((opts.hosts * vmsPerHost) / 2);
  if (vmsPerSwitch > MAX_VMS_PER_SWITCH) {
    throw new UsageError(`${opts.hosts} hosts × ${vmsPerHost} VMs would put ${vmsPerSwitch} VMs on each of the web and db switches, more than their /24s hold (${MAX_VMS_PER_SWITCH}): lower --vms-per-host or --hosts`);
  }
  const fabricMtu = opts.fabricMtu ?? 9000;
  const hostMtu = opts.hostMtu ?? 1500;

  const routers: PlannedRouter[] = [];
  const make = (tier: Tier, i: number, asn: number): PlannedRouter => {
    const lo = (tier === 'compute' && i >= 254 ? nth(MORE_HOST_LOOPBACKS.split('/')[0]!, i - 254 + 1) : nth(LOOPBACK_BASE[tier], i + 1)).address;
    const name = tier === 'compute' ? `host${i + 1}` : tier === 'ovn-central' ? 'central' : `${tier}${i + 1}`;
    const chassis = tier === 'compute' && overlaid;
    const r: PlannedRouter = { name, tier, asn, ...(family !== 'ipv6' ? { loopback: `${lo}/32` } : {}), ...(family !== 'ipv4' ? { loopback6: ipv6LoopbackOf(lo) } : {}), routerId: lo, interfaces: [], maxPaths: chassis ? 1 : 64, addressesOn: chassis ? 'br-phy' : 'interfaces' };
    routers.push(r);
    return r;
  };
  const spines = Array.from({ length: opts.spines }, (_, i) => make('spine', i, SPINE_ASN));
  const leaves = Array.from({ length: opts.leaves }, (_, i) => make('leaf', i, LEAF_ASN_BASE + i + 1));
  const hostAsn = (i: number) => (HOST_ASN_BASE + i + 1 <= LAST_PRIVATE_16_BIT_ASN ? HOST_ASN_BASE + i + 1 : HOST_ASN_32_BIT_BASE + i + 1);
  const hosts = Array.from({ length: opts.hosts }, (_, i) => make('compute', i, hostAsn(i)));
  const central = overlaid ? make('ovn-central', 0, HOST_ASN_BASE) : undefined;

  const links: PlannedLink[] = [];
  const connect = (x: PlannedRouter, y: PlannedRouter, mtu: number) => {
    const n = links.length;
    const ix = `eth${x.interfaces.length + 1}`;
    const iy = `eth${y.interfaces.length + 1}`;
    if (opts.unnumbered) {
      x.interfaces.push({ name: ix, peer: { node: y.name, iface: iy, asn: y.asn } });
      y.interfaces.push({ name: iy, peer: { node: x.name, iface: ix, asn: x.asn } });
      links.push({ a: { node: x.name, iface: ix }, b: { node: y.name, iface: iy }, mtu });
      return;
    }
    const ax = nth(P2P_BASE, 2 * n).address;
    const ay = nth(P2P_BASE, 2 * n + 1).address;
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
  if (central) {
    connect(leaves[0]!, central, hostMtu);
    connect(leaves[1]!, central, hostMtu);
  }

  applyLinkBandwidth(routers, opts.linkBandwidth, underlay);

  const plan: ClosPlan = { name: opts.name, routers, links, bfd: { intervalMs: opts.bfdIntervalMs ?? 300, multiplier: opts.bfdMultiplier ?? 3 }, underlay, addressFamilies: family };
  if (central && namespaces > 0) {
    // Pods round-robin over the hosts, so every namespace spans hosts and its traffic crosses the fabric.
    const vms: PlannedVm[] = [];
    const planned: PlannedNamespace[] = Array.from({ length: namespaces }, (_, i) => {
      const name = `ns${i + 1}`;
      const pods = Array.from({ length: podsPerNamespace }, (_, j) => {
        const pod = `${name}-p${j + 1}`;
        vms.push({ name: pod, host: hosts[vms.length % hosts.length]!.name, hostIface: pod, switch: name, ip: nth(POD_BASE, (i + 1) * 256 + 10 + j + 1).address, mtu: vmMtu });
        return pod;
      });
      return { name, subnet: `${nth(POD_BASE, (i + 1) * 256).address}/24`, pods, service: { name: `svc-${name}`, vip: nth(SERVICE_BASE, 10 + i + 1).address, port: 80, backends: pods.slice(0, -1) } };
    });
    plan.overlay = { central: central.name, centralAddress: central.routerId, vms, namespaces: planned };
  } else if (central) {
    const vms: PlannedVm[] = hosts.flatMap((host, h) =>
      Array.from({ length: vmsPerHost }, (_, v) => {
        const n = h * vmsPerHost + v + 1;
        const sw = n % 2 === 1 ? 'web' : 'db';
        return { name: `vm${n}`, host: host.name, hostIface: `vm${n}`, switch: sw, ip: nth(sw === 'web' ? '10.20.1.0' : '10.20.2.0', 10 + n).address, mtu: vmMtu } as PlannedVm;
      }),
    );
    plan.overlay = { central: central.name, centralAddress: central.routerId, vms };
    const gatewayHosts = hosts.slice(0, GATEWAY_PRIORITIES.length);
    // The floating IP goes to the last web VM: on a host other than the active gateway where
    // there is one, so its north–south traffic crosses a tunnel to the gateway (and survives
    // that gateway's failure, which the gateway-failover suite measures).
    const web = vms.filter((vm) => vm.switch === 'web').at(-1);
    plan.overlay.external = {
      node: EXTERNAL_NODE,
      subnet: PROVIDER_SUBNET,
      address: nth('172.24.4.0', 1).address,
      routerAddress: nth('172.24.4.0', 10).address,
      gateways: gatewayHosts.map((h, i) => ({ host: h.name, hostIface: EXTERNAL_NODE, iface: `eth${i + 1}`, priority: GATEWAY_PRIORITIES[i]! })),
      floatingIps: web ? [{ vm: web.name, ip: nth('172.24.4.0', 101).address }] : [],
      tunnelBfd: { intervalMs: opts.bfdIntervalMs ?? 300, multiplier: opts.bfdMultiplier ?? 3 },
      ...(web ? { loadBalancer: { name: 'web', vip: nth('172.24.4.0', 50).address, port: 80, backends: vms.filter((vm) => vm.switch === 'web').map((vm) => vm.name) } } : {}),
      mtu: PROVIDER_MTU,
    };
  }
  return plan;
}
