// frr.conf and daemons for a planned router. Pure: returns text.
import type { ClosPlan, PlannedRouter } from '../plan/clos.ts';
import { KNOWN_DAEMONS } from '../topology/frr-daemon-names.ts';

export const FRR_IMAGE = 'quay.io/frrouting/frr:8.4.4';

export function renderFrrConf(r: PlannedRouter, plan: ClosPlan): string {
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
    lines.push('!', 'interface lo', ` ip address ${r.loopback}`, 'exit');
    for (const i of r.interfaces) {
      // Unnumbered: no address; the session runs over the IPv6 link-local one (FRR sends router advertisements on it).
      lines.push('!', `interface ${i.name}`, ` description to ${i.peer.node}:${i.peer.iface}`, ...(i.address ? [` ip address ${i.address}`] : []), 'exit');
    }
  }
  const originatesOnly = r.tier === 'compute' || r.tier === 'ovn-central';
  if (originatesOnly) {
    // A host advertises its own loopback (its TEP) and nothing else: it must never become transit.
    lines.push('!', `ip prefix-list OWN-LOOPBACK seq 10 permit ${r.loopback}`, 'route-map ONLY-OWN-LOOPBACK permit 10', ' match ip address prefix-list OWN-LOOPBACK', 'exit');
    // The fabric carries loopbacks only, not link subnets: traffic a host originates must come
    // from its loopback, or replies have no way back.
    lines.push('!', 'route-map SOURCE-FROM-LOOPBACK permit 10', ` set src ${r.routerId}`, 'exit', 'ip protocol bgp route-map SOURCE-FROM-LOOPBACK');
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
  lines.push(' !', ' address-family ipv4 unicast', `  network ${r.loopback}`, `  maximum-paths ${r.maxPaths}`);
  if (originatesOnly) for (const i of r.interfaces) lines.push(`  neighbor ${peer(i)} route-map ONLY-OWN-LOOPBACK out`);
  lines.push(' exit-address-family', 'exit');
  lines.push('!', 'bfd', ' profile fabric', `  detect-multiplier ${plan.bfd.multiplier}`, `  receive-interval ${plan.bfd.intervalMs}`, `  transmit-interval ${plan.bfd.intervalMs}`, ' exit', 'exit', '!', '');
  return lines.join('\n');
}

/** FRR's daemons file: which daemons the node runs (zebra and staticd always run). */
export function renderDaemons(daemons: readonly string[]): string {
  return [...KNOWN_DAEMONS.map((d) => `${d}=${daemons.includes(d) ? 'yes' : 'no'}`), 'vtysh_enable=yes', 'zebra_options="  -A 127.0.0.1 -s 90000000"', 'bgpd_options="   -A 127.0.0.1"', 'bfdd_options="   -A 127.0.0.1"', 'staticd_options="-A 127.0.0.1"', ''].join('\n');
}
