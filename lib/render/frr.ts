// frr.conf and daemons for a planned router: an eBGP fabric (the default), or an OSPF or IS-IS
// one (generate clos --underlay-protocol). Pure: returns text.
import type { ClosPlan, PlannedRouter, UnderlayProtocol } from '../plan/clos.ts';
import { KNOWN_DAEMONS } from '../topology/frr-daemon-names.ts';

export const FRR_IMAGE = 'quay.io/frrouting/frr:8.4.4';

export function renderFrrConf(r: PlannedRouter, plan: ClosPlan): string {
  if (plan.underlay !== 'bgp') return renderIgpConf(r, plan, plan.underlay);
  const lines: string[] = [
    'frr version 8.4',
    'frr defaults datacenter',
    `hostname ${r.name}`,
    'service integrated-vtysh-config',
    // frr.conf goes through vtysh, as FRR's start-up applies it; bgpd then holds the end of its
    // configuration (and its first updates) until the route-map delay timer fires, 5 s by
    // default once a route-map exists. Apply route-map changes at once instead.
    'bgp route-map delay-timer 0',
    // FRR 8.4 with kernel nexthop groups loses a next hop in the kernel after a carrier flap while
    // zebra still shows it installed (netproof's bfd-failover suite catches it; fixed upstream in
    // FRR 9.0, PR 13413). Plain routes re-install correctly.
    'no zebra nexthop kernel enable',
  ];
  if (r.addressesOn === 'br-phy') {
    // An OVS chassis (userspace datapath): br-phy owns the uplinks, so the link addresses and
    // the TEP live on its internal port. With the kernel datapath the TEP would be on lo.
    lines.push('!', 'interface br-phy', ` description underlay bridge over ${r.interfaces.map((i) => `${i.name} (to ${i.peer.node}:${i.peer.iface})`).join(', ')}`);
    for (const i of r.interfaces) if (i.address) lines.push(` ip address ${i.address}`);
    lines.push(` ip address ${r.loopback}`, 'exit');
  } else {
    lines.push('!', 'interface lo', ...(r.loopback ? [` ip address ${r.loopback}`] : []), ...(r.loopback6 ? [` ipv6 address ${r.loopback6}`] : []), 'exit');
    for (const i of r.interfaces) {
      // Unnumbered: no address; the session runs over the IPv6 link-local one (FRR sends router advertisements on it).
      lines.push('!', `interface ${i.name}`, ` description to ${i.peer.node}:${i.peer.iface}`, ...(i.address ? [` ip address ${i.address}`] : []), 'exit');
    }
  }
  const originatesOnly = r.tier === 'compute' || r.tier === 'ovn-central';
  if (originatesOnly) {
    // A host advertises its own loopback (its TEP) and nothing else: it must never become transit.
    if (r.loopback) lines.push('!', `ip prefix-list OWN-LOOPBACK seq 10 permit ${r.loopback}`, 'route-map ONLY-OWN-LOOPBACK permit 10', ' match ip address prefix-list OWN-LOOPBACK', 'exit');
    if (r.loopback6) lines.push('!', `ipv6 prefix-list OWN-LOOPBACK6 seq 10 permit ${r.loopback6}`, 'route-map ONLY-OWN-LOOPBACK6 permit 10', ' match ipv6 address prefix-list OWN-LOOPBACK6', 'exit');
    // The fabric carries loopbacks only, not link subnets: traffic a host originates must come
    // from its loopback, or replies have no way back.
    if (r.loopback) lines.push('!', 'route-map SOURCE-FROM-LOOPBACK permit 10', ` set src ${r.routerId}`, 'exit', 'ip protocol bgp route-map SOURCE-FROM-LOOPBACK');
  }
  // Weighted ECMP: the router at the far end of a weighted link sends its routes over it with
  // the link's bandwidth (BGP link-bandwidth community). FRR sets it only on the way out, and
  // never sends a non-transitive one to an eBGP peer, so it is transitive; the weighted router
  // then sends no extended communities on, and the weights stay its own (see linkBandwidthTowards).
  const bandwidth = (i: PlannedRouter['interfaces'][number]) => linkBandwidthTowards(plan, i.peer);
  const weighs = r.linkBandwidthMbps !== undefined;
  for (const i of r.interfaces) {
    if (bandwidth(i) !== undefined) lines.push('!', `route-map LINK-BANDWIDTH-${i.name} permit 10`, ` set extcommunity bandwidth ${bandwidth(i)}`, 'exit');
  }
  lines.push('!', `router bgp ${r.asn}`, ` bgp router-id ${r.routerId}`, ' no bgp ebgp-requires-policy', ' bgp bestpath as-path multipath-relax');
  // A numbered session names the peer's address; an unnumbered one the interface (RFC 5549).
  const peer = (i: PlannedRouter['interfaces'][number]) => i.peer.address ?? i.name;
  for (const i of r.interfaces) {
    lines.push(
      i.peer.address ? ` neighbor ${i.peer.address} remote-as ${i.peer.asn}` : ` neighbor ${i.name} interface remote-as ${i.peer.asn}`,
      ` neighbor ${peer(i)} description ${i.peer.node}`,
      ` neighbor ${peer(i)} bfd`,
      ` neighbor ${peer(i)} bfd profile fabric`,
    );
  }
  // Each family the same way; the sessions carry IPv6 only where asked (a dual-stack or IPv6-only
  // router), as FRR activates IPv4 unicast alone by default. An IPv6-only router's sessions keep
  // IPv4 unicast active and empty: nothing to advertise in it.
  const family = (af: 'ipv4' | 'ipv6', loopback: string, ownOnly: string) => {
    lines.push(' !', ` address-family ${af} unicast`, `  network ${loopback}`, `  maximum-paths ${r.maxPaths}`);
    if (af === 'ipv6') for (const i of r.interfaces) lines.push(`  neighbor ${peer(i)} activate`);
    if (originatesOnly) for (const i of r.interfaces) lines.push(`  neighbor ${peer(i)} route-map ${ownOnly} out`);
    for (const i of r.interfaces) if (bandwidth(i) !== undefined) lines.push(`  neighbor ${peer(i)} route-map LINK-BANDWIDTH-${i.name} out`);
    if (weighs) for (const i of r.interfaces) lines.push(`  no neighbor ${peer(i)} send-community extended`);
    lines.push(' exit-address-family');
  };
  if (r.loopback) family('ipv4', r.loopback, 'ONLY-OWN-LOOPBACK');
  if (r.loopback6) family('ipv6', r.loopback6, 'ONLY-OWN-LOOPBACK6');
  lines.push('exit');
  lines.push('!', 'bfd', ' profile fabric', `  detect-multiplier ${plan.bfd.multiplier}`, `  receive-interval ${plan.bfd.intervalMs}`, `  transmit-interval ${plan.bfd.intervalMs}`, ' exit', 'exit', '!', '');
  return lines.join('\n');
}

/** The bandwidth the router at `far` weighs the link by, when it was asked to (generate clos --link-bandwidth). */
function linkBandwidthTowards(plan: ClosPlan, far: { node: string; iface: string }): number | undefined {
  return plan.routers.find((x) => x.name === far.node)?.linkBandwidthMbps?.[far.iface];
}

/** The FRR header every generated router starts with; `bgp` adds bgpd's global setting. */
function header(r: PlannedRouter, bgp: boolean): string[] {
  return [
    'frr version 8.4',
    'frr defaults datacenter',
    `hostname ${r.name}`,
    'service integrated-vtysh-config',
    ...(bgp ? ['bgp route-map delay-timer 0'] : []),
    // See renderFrrConf: FRR 8.4 loses kernel next hops of nexthop groups after a carrier flap.
    'no zebra nexthop kernel enable',
  ];
}

/** The BFD profile every fabric adjacency uses, with the plan's timers. */
function bfdProfile(plan: ClosPlan): string[] {
  return ['!', 'bfd', ' profile fabric', `  detect-multiplier ${plan.bfd.multiplier}`, `  receive-interval ${plan.bfd.intervalMs}`, `  transmit-interval ${plan.bfd.intervalMs}`, ' exit', 'exit', '!', ''];
}

/** The IS-IS area of generated fabrics (49: private addressing), and its process name. */
export const ISIS_AREA = '49.0001';
export const ISIS_PROCESS = 'fabric';

/**
 * An IS-IS system id (six bytes, twelve hex digits) from an IPv4 loopback: each octet written as
 * three decimal digits, the twelve digits grouped by four (10.255.1.3 → 010255001003 →
 * 0102.5500.1003). Distinct loopbacks give distinct ids, and the id reads back as the address.
 */
export function isisSystemId(ipv4: string): string {
  const octets = ipv4.split('.');
  if (octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) throw new Error(`not an IPv4 address: ${ipv4}`);
  return octets.map((o) => o.padStart(3, '0')).join('').match(/.{4}/g)!.join('.');
}

/**
 * An OSPF (area 0) or IS-IS (level 2) fabric: every fabric link point-to-point with BFD (the BGP
 * fabric's profile and timers), the loopback advertised and passive, no BGP. Hosts and the
 * central must never be transit, as the BGP fabric's outbound filter ensures: OSPF marks them
 * stub routers (RFC 6987: their transit links at the largest metric, their own prefixes not),
 * IS-IS sets their overload bit. Underlay only: planClos refuses an overlay.
 */
function renderIgpConf(r: PlannedRouter, plan: ClosPlan, igp: Exclude<UnderlayProtocol, 'bgp'>): string {
  const ospf = igp === 'ospf';
  const lines = header(r, false);
  // Hellos every second: BFD detects a failure, hellos only find the neighbor, and at the
  // default 10 s (OSPF) or 3 s (IS-IS) a hello sent before the other end listened costs a whole
  // interval at bring-up.
  const onFabric = ospf
    ? [' ip ospf area 0.0.0.0', ' ip ospf network point-to-point', ' ip ospf hello-interval 1', ' ip ospf dead-interval 4', ' ip ospf bfd', ' ip ospf bfd profile fabric']
    : [` ip router isis ${ISIS_PROCESS}`, ' isis network point-to-point', ' isis hello-interval 1', ' isis hello-multiplier 4', ' isis bfd', ' isis bfd profile fabric'];
  // planClos refuses an IGP with an overlay: a chassis' TEP on br-phy would not be advertised.
  if (r.addressesOn === 'br-phy') throw new Error(`${r.name}: an ${igp} fabric has no OVN chassis (planClos refuses --underlay-protocol ${igp} with an overlay)`);
  lines.push('!', 'interface lo', ` ip address ${r.loopback}`, ...(ospf ? [' ip ospf area 0.0.0.0', ' ip ospf passive'] : [` ip router isis ${ISIS_PROCESS}`, ' isis passive']), 'exit');
  for (const i of r.interfaces) lines.push('!', `interface ${i.name}`, ` description to ${i.peer.node}:${i.peer.iface}`, ` ip address ${i.address}`, ...onFabric, 'exit');
  const originatesOnly = r.tier === 'compute' || r.tier === 'ovn-central';
  if (originatesOnly) {
    // As in the BGP fabric: what a host originates leaves from its loopback (its TEP).
    lines.push('!', 'route-map SOURCE-FROM-LOOPBACK permit 10', ` set src ${r.routerId}`, 'exit', `ip protocol ${igp} route-map SOURCE-FROM-LOOPBACK`);
  }
  // Bring-up changes a router's LSA/LSP once per adjacency: FRR's defaults hold a change back
  // up to 5 s (OSPF's LSA throttle) or 30 s (IS-IS's lsp-gen-interval) after the previous one.
  if (ospf) {
    lines.push('!', 'router ospf', ` ospf router-id ${r.routerId}`, ` maximum-paths ${r.maxPaths}`, ' timers throttle lsa all 100', ' timers throttle spf 0 50 1000', ...(originatesOnly ? [' max-metric router-lsa administrative'] : []), 'exit');
  } else {
    // isisd 8.4 has no maximum-paths: it installs as many equal paths as FRR was built for.
    lines.push('!', `router isis ${ISIS_PROCESS}`, ` net ${ISIS_AREA}.${isisSystemId(r.routerId)}.00`, ' is-type level-2-only', ' metric-style wide', ' lsp-gen-interval 1', ...(originatesOnly ? [' set-overload-bit'] : []), 'exit');
  }
  lines.push(...bfdProfile(plan));
  return lines.join('\n');
}

/** The routing daemons a generated router runs besides zebra and staticd: its underlay protocol's, and bfdd. */
export function underlayDaemons(plan: Pick<ClosPlan, 'underlay'>): string[] {
  return [{ bgp: 'bgpd', ospf: 'ospfd', isis: 'isisd' }[plan.underlay], 'bfdd'];
}

/** FRR's daemons file: which daemons the node runs (zebra and staticd always run), each listening for vty on loopback only. */
export function renderDaemons(daemons: readonly string[]): string {
  const more = daemons.filter((d) => !['zebra', 'bgpd', 'bfdd', 'staticd'].includes(d)).map((d) => `${d}_options="${' '.repeat(Math.max(0, 7 - d.length))}-A 127.0.0.1"`);
  return [...KNOWN_DAEMONS.map((d) => `${d}=${daemons.includes(d) ? 'yes' : 'no'}`), 'vtysh_enable=yes', 'zebra_options="  -A 127.0.0.1 -s 90000000"', 'bgpd_options="   -A 127.0.0.1"', 'bfdd_options="   -A 127.0.0.1"', ...more, 'staticd_options="-A 127.0.0.1"', ''].join('\n');
}
