import { describe, expect, it } from 'vitest';
import { planClos } from '../plan/clos.ts';
import { expectedRoutes, type ExpectedRoute, type ExpectedSession } from '../plan/expected-routing.ts';
import type { BgpSummary } from '../probes/frr.ts';
import type { ObservedRoutes } from '../probes/fabric.ts';
import { routeCulprits, sessionCulprits } from './bgp.ts';

const plan = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4 });

const sessions: ExpectedSession[] = plan.routers.flatMap((r) =>
  r.interfaces.map((i) => ({ at: r.name, iface: i.name, neighbor: i.peer.node, neighborIface: i.peer.iface, peerAddress: i.peer.address! })),
);

function healthySummaries(): Map<string, BgpSummary | undefined> {
  return new Map(
    plan.routers.map((r) => [
      r.name,
      { as: r.asn, routerId: r.routerId, peers: Object.fromEntries(r.interfaces.map((i) => [i.peer.address, { state: 'Established', remoteAs: i.peer.asn }])) },
    ]),
  );
}

describe('sessionCulprits', () => {
  it('finds nothing wrong when every expected session is Established', () => {
    expect(sessionCulprits(sessions, healthySummaries())).toEqual([]);
  });

  it('names node, neighbor, address, interface, the state seen and the state expected', () => {
    const expected: ExpectedSession[] = [{ at: 'leaf3', iface: 'eth1', neighbor: 'spine1', neighborIface: 'eth3', peerAddress: '10.1.0.8' }];
    const summaries = new Map([['leaf3', { as: 65103, routerId: '10.255.1.3', peers: { '10.1.0.8': { state: 'Idle', remoteAs: 65000 } } }]]);
    expect(sessionCulprits(expected, summaries)).toEqual(['leaf3: session to spine1 (10.1.0.8) over eth1 is Idle, expected Established']);
  });

  it('names an unnumbered session by both interfaces, found under the interface name FRR keys it by', () => {
    const expected: ExpectedSession[] = [
      { at: 'leaf3', iface: 'eth1', neighbor: 'spine1', neighborIface: 'eth3', peerAddress: 'eth1', unnumbered: true },
      { at: 'leaf3', iface: 'eth2', neighbor: 'spine2', neighborIface: 'eth3', peerAddress: 'eth2', unnumbered: true },
      { at: 'leaf3', iface: 'eth3', neighbor: 'host1', neighborIface: 'eth1', peerAddress: 'eth3', unnumbered: true },
    ];
    const summaries = new Map([['leaf3', { as: 65103, routerId: '10.255.1.3', peers: { eth1: { state: 'Established', remoteAs: 65000 }, eth2: { state: 'Active', remoteAs: 65000 } } }]]);
    expect(sessionCulprits(expected, summaries)).toEqual([
      'leaf3:eth2 ↔ spine2:eth3: unnumbered session is Active, expected Established',
      'leaf3:eth3 ↔ host1:eth1: no unnumbered BGP session (neighbor eth3 interface) is configured, expected one on every fabric link (configured peers: eth1, eth2)',
    ]);
  });

  it('adds why a down session last reset, when the probe found out', () => {
    const expected: ExpectedSession[] = [{ at: 'leaf3', iface: 'eth1', neighbor: 'spine1', neighborIface: 'eth3', peerAddress: '10.1.0.8' }];
    const peer = { state: 'Idle', remoteAs: 65000, lastReset: 'OPEN Message Error/Bad Peer AS' };
    const summaries = new Map([['leaf3', { as: 65103, routerId: '10.255.1.3', peers: { '10.1.0.8': peer, '192.0.2.9': { ...peer, lastReset: 'BFD down received' } } }]]);
    expect(sessionCulprits(expected, summaries)).toEqual([
      'leaf3: session to spine1 (10.1.0.8) over eth1 is Idle, expected Established (last reset: OPEN Message Error/Bad Peer AS)',
      'leaf3: configured session to 192.0.2.9 (AS 65000) is Idle, expected Established (last reset: BFD down received)',
    ]);
  });

  it('reports only the sessions that are down, on both ends', () => {
    const summaries = healthySummaries();
    const leaf1 = plan.routers.find((r) => r.name === 'leaf1')!;
    const toSpine2 = leaf1.interfaces.find((i) => i.peer.node === 'spine2')!;
    const spine2 = plan.routers.find((r) => r.name === 'spine2')!;
    const toLeaf1 = spine2.interfaces.find((i) => i.peer.node === 'leaf1')!;
    summaries.get('leaf1')!.peers[toSpine2.peer.address!]!.state = 'Active';
    summaries.get('spine2')!.peers[toLeaf1.peer.address!]!.state = 'Connect';
    expect(sessionCulprits(sessions, summaries).sort()).toEqual([
      `leaf1: session to spine2 (${toSpine2.peer.address}) over ${toSpine2.name} is Active, expected Established`,
      `spine2: session to leaf1 (${toLeaf1.peer.address}) over ${toLeaf1.name} is Connect, expected Established`,
    ]);
  });

  it('says when bgpd does not answer on a node', () => {
    const summaries = healthySummaries();
    summaries.set('host2', undefined);
    const culprits = sessionCulprits(sessions, summaries);
    expect(culprits).toHaveLength(2);
    for (const c of culprits) expect(c).toMatch(/^host2: bgpd is not answering .*expected a session to leaf\d \(10\.1\.\d+\.\d+\) over eth\d$/);
  });

  it('says when an expected session is not configured, listing the configured peers', () => {
    const summaries = healthySummaries();
    const host1 = plan.routers.find((r) => r.name === 'host1')!;
    const [kept, dropped] = host1.interfaces as [(typeof host1.interfaces)[0], (typeof host1.interfaces)[0]];
    delete summaries.get('host1')!.peers[dropped.peer.address!];
    expect(sessionCulprits(sessions, summaries)).toEqual([
      `host1: no BGP session to ${dropped.peer.node} (${dropped.peer.address}) over ${dropped.name} is configured, expected one on every fabric link (configured peers: ${kept.peer.address})`,
    ]);
    summaries.get('host1')!.peers = {};
    expect(sessionCulprits(sessions, summaries).every((c) => c.endsWith('(configured peers: none)'))).toBe(true);
  });

  it('matches unnumbered sessions by interface name', () => {
    const expected: ExpectedSession[] = [{ at: 'leaf1', iface: 'eth1', neighbor: 'spine1', neighborIface: 'eth1', peerAddress: '10.1.0.0' }];
    const up = new Map([['leaf1', { as: 65101, routerId: '10.255.1.1', peers: { eth1: { state: 'Established', remoteAs: 65000 } } }]]);
    expect(sessionCulprits(expected, up)).toEqual([]);
    up.get('leaf1')!.peers.eth1.state = 'OpenSent';
    expect(sessionCulprits(expected, up)).toEqual(['leaf1: session to spine1 (10.1.0.0) over eth1 is OpenSent, expected Established']);
  });

  it('also reports configured sessions nobody expected, if they are down, with their AS', () => {
    const summaries = healthySummaries();
    summaries.get('spine1')!.peers['192.0.2.7'] = { state: 'Idle', remoteAs: 64999 };
    summaries.get('spine1')!.peers['192.0.2.8'] = { state: 'Established', remoteAs: 64998 };
    expect(sessionCulprits(sessions, summaries)).toEqual(['spine1: configured session to 192.0.2.7 (AS 64999) is Idle, expected Established']);
  });
});

// ---- routes ----

const routes = expectedRoutes(
  plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback!], transit: r.tier !== 'compute' })),
  plan.links.map((l) => ({ a: { node: l.a.node, iface: l.a.iface }, b: { node: l.b.node, iface: l.b.iface } })),
);
const routeTo = (at: string, owner: string): ExpectedRoute => routes.find((r) => r.at === at && r.owner === owner)!;
const via = (r: ExpectedRoute, n = r.candidates.length) => r.candidates.slice(0, n).map((c) => `${c.iface} → ${c.neighbor}`).join(', ');

/** What healthy routers would report for `expected`: the RIB and the kernel agree with the expectation. */
function healthyObservation(expected: ExpectedRoute[]): Map<string, ObservedRoutes> {
  const out = new Map<string, ObservedRoutes>();
  for (const r of expected) {
    const seen = out.get(r.at) ?? { rib: {}, kernel: [] };
    const used = r.candidates.slice(0, r.width);
    seen.rib[r.prefix] = [{ prefix: r.prefix, protocol: 'bgp', selected: true, installed: true, nexthops: used.map((c) => ({ interfaceName: c.iface, fib: true, active: true })) }];
    seen.kernel.push({ dst: r.prefix, protocol: 'bgp', nexthops: used.map((c) => ({ dev: c.iface })) });
    out.set(r.at, seen);
  }
  return out;
}

describe('routeCulprits', () => {
  const r13 = routeTo('leaf1', 'leaf3');

  it('finds nothing wrong in a converged fabric', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(routeCulprits(routes, healthyObservation(routes))).toEqual([]);
  });

  it('names a missing route: node, prefix, owner, and the expected next hops', () => {
    const observed = healthyObservation(routes);
    delete observed.get('leaf1')!.rib[r13.prefix];
    expect(routeCulprits(routes, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) is not in the RIB, expected 2 (via ${via(r13)})`]);
  });

  it('treats a route BGP did not select as missing', () => {
    const observed = healthyObservation(routes);
    observed.get('leaf1')!.rib[r13.prefix]![0]!.selected = false;
    expect(routeCulprits(routes, observed)).toEqual([expect.stringContaining(`leaf1: ${r13.prefix} (loopback of leaf3) is not in the RIB`)]);
  });

  it('reports every expected route of a node that reported nothing', () => {
    const observed = healthyObservation(routes);
    observed.delete('host4');
    const culprits = routeCulprits(routes, observed);
    expect(culprits).toHaveLength(routes.filter((r) => r.at === 'host4').length);
    expect(culprits.every((c) => c.startsWith('host4: ') && c.includes('is not in the RIB'))).toBe(true);
  });

  it('names a static blackhole that wins over BGP: the router, the prefix, the protocol and its next hop', () => {
    const observed = healthyObservation(routes);
    // `ip route 10.255.x.y/32 blackhole` in the leaf's frr.conf: distance 1 beats eBGP's 20.
    observed.get('leaf1')!.rib[r13.prefix]!.unshift({ prefix: r13.prefix, protocol: 'static', selected: true, installed: true, nexthops: [{ blackhole: true, fib: true, active: true }] });
    observed.get('leaf1')!.rib[r13.prefix]![1]!.selected = false;
    expect(routeCulprits(routes, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) is routed by static in the RIB (via blackhole), not by BGP; expected bgp 2 (via ${via(r13)})`]);
  });

  it('names a connected or static route with a next hop that overrides BGP', () => {
    const observed = healthyObservation(routes);
    observed.get('leaf1')!.rib[r13.prefix] = [{ prefix: r13.prefix, protocol: 'static', selected: true, installed: true, nexthops: [{ ip: '10.1.0.0', interfaceName: 'eth1', fib: true, active: true }] }];
    expect(routeCulprits(routes, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) is routed by static in the RIB (via eth1 → 10.1.0.0), not by BGP; expected bgp 2 (via ${via(r13)})`]);
  });

  it('names a BGP route zebra selected but did not install', () => {
    const observed = healthyObservation(routes);
    observed.get('leaf1')!.rib[r13.prefix]![0]!.installed = false;
    expect(routeCulprits(routes, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) is selected but not installed in the kernel FIB by zebra, expected 2 (via ${via(r13)})`]);
  });

  it('names a kernel route that is not BGP’s even when the RIB looks right', () => {
    const observed = healthyObservation(routes);
    const k = observed.get('leaf1')!.kernel.find((e) => e.dst === r13.prefix)!;
    k.type = 'blackhole';
    k.protocol = 'static';
    k.nexthops = [{}];
    expect(routeCulprits(routes, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) is a blackhole route of protocol static in the kernel FIB, expected bgp 2 (via ${via(r13)})`]);
  });

  it('names a RIB with too few installed next hops, and which ones it has', () => {
    const observed = healthyObservation(routes);
    const entry = observed.get('leaf1')!.rib[r13.prefix]![0]!;
    entry.nexthops[1]!.fib = false; // selected by BGP but not installed by zebra
    expect(routeCulprits(routes, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) has 1 next hop in the RIB (via ${via(r13, 1)}), expected 2 (via ${via(r13)})`]);
  });

  it('names a RIB next hop that goes the wrong way, even if the count is right', () => {
    const observed = healthyObservation(routes);
    const hostPort = plan.routers.find((r) => r.name === 'leaf1')!.interfaces.find((i) => i.peer.node.startsWith('host'))!.name;
    observed.get('leaf1')!.rib[r13.prefix]![0]!.nexthops[1]!.interfaceName = hostPort;
    const [culprit, ...rest] = routeCulprits(routes, observed);
    expect(rest).toEqual([]);
    expect(culprit).toContain(`leaf1: ${r13.prefix} (loopback of leaf3) has 2 next hops in the RIB`);
    expect(culprit).toContain(hostPort);
  });

  it('names a kernel FIB that disagrees with the RIB', () => {
    const observed = healthyObservation(routes);
    observed.get('leaf1')!.kernel.find((k) => k.dst === r13.prefix)!.nexthops.pop();
    expect(routeCulprits(routes, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) has 1 next hop in the kernel FIB (via ${via(r13, 1)}), expected 2 (via ${via(r13)})`]);
  });

  it('names a route missing from the kernel although the RIB has it', () => {
    const observed = healthyObservation(routes);
    const seen = observed.get('leaf1')!;
    seen.kernel = seen.kernel.filter((k) => k.dst !== r13.prefix);
    expect(routeCulprits(routes, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) has 0 next hops in the kernel FIB (via nothing), expected 2 (via ${via(r13)})`]);
  });

  it('reports one culprit per route: the RIB before the kernel', () => {
    const observed = healthyObservation(routes);
    const seen = observed.get('leaf1')!;
    seen.rib[r13.prefix]![0]!.nexthops.pop();
    seen.kernel = seen.kernel.filter((k) => k.dst !== r13.prefix);
    const culprits = routeCulprits(routes, observed);
    expect(culprits).toHaveLength(1);
    expect(culprits[0]).toContain('in the RIB');
  });

  it('says when maximum-paths allows fewer next hops than there are paths', () => {
    const capped = routes.map((r) => (r === r13 ? { ...r, width: 1 } : r));
    const observed = healthyObservation(capped);
    expect(routeCulprits(capped, observed)).toEqual([]);
    delete observed.get('leaf1')!.rib[r13.prefix];
    expect(routeCulprits(capped, observed)).toEqual([`leaf1: ${r13.prefix} (loopback of leaf3) is not in the RIB, expected 1 (via 1 of ${via(r13)})`]);
  });
});

// ---- routes on OVS chassis: next hops leave by br-phy, and are known by their gateway's owner ----

describe('routeCulprits with gateway owners (OVS chassis keep their sessions on br-phy)', () => {
  const ov = planClos({ name: 'ov', spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1 });
  const ovRoutes = expectedRoutes(
    ov.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback!], transit: r.tier === 'spine' || r.tier === 'leaf', maxPaths: r.maxPaths })),
    ov.links.map((l) => ({ a: { node: l.a.node, iface: l.a.iface }, b: { node: l.b.node, iface: l.b.iface } })),
  );
  const ovRouter = (name: string) => ov.routers.find((r) => r.name === name)!;
  /** Where each address lives, as the fabric probe reports it: chassis addresses are on br-phy. */
  const owners = new Map(
    ov.routers.flatMap((r) => r.interfaces.map((i) => [i.address!.split('/')[0]!, `${r.name}:${r.addressesOn === 'br-phy' ? 'br-phy' : i.name}`] as const)),
  );
  /** The neighbor's address on the link `at` reaches it by. */
  const gatewayTo = (at: string, neighbor: string) => ovRouter(at).interfaces.find((i) => i.peer.node === neighbor)!.peer.address;
  const host1Address = (leaf: string) => gatewayTo(leaf, 'host1');
  const devOf = (at: string, iface: string) => (ovRouter(at).addressesOn === 'br-phy' ? 'br-phy' : iface);

  /** Healthy routers: each route via its first `width` candidates, by the device the kernel really uses. */
  function observe(expected: ExpectedRoute[]): Map<string, ObservedRoutes> {
    const out = new Map<string, ObservedRoutes>();
    for (const r of expected) {
      const seen = out.get(r.at) ?? { rib: {}, kernel: [] };
      const used = r.candidates.slice(0, r.width);
      seen.rib[r.prefix] = [
        { prefix: r.prefix, protocol: 'bgp', selected: true, installed: true, nexthops: used.map((c) => ({ ip: gatewayTo(r.at, c.neighbor), interfaceName: devOf(r.at, c.iface), fib: true, active: true })) },
      ];
      seen.kernel.push({ dst: r.prefix, protocol: 'bgp', nexthops: used.map((c) => ({ gateway: gatewayTo(r.at, c.neighbor), dev: devOf(r.at, c.iface) })) });
      out.set(r.at, seen);
    }
    return out;
  }
  const route = (at: string, owner: string) => ovRoutes.find((r) => r.at === at && r.owner === owner)!;
  const h1h2 = route('host1', 'host2');

  it('the premise: a chassis has one of two leaves as next hop, and its routes leave by br-phy', () => {
    expect(h1h2.width).toBe(1);
    expect(h1h2.candidates.map((c) => c.neighbor).sort()).toEqual(['leaf1', 'leaf2']);
    expect(observe([h1h2]).get('host1')!.rib[h1h2.prefix]![0]!.nexthops[0]!.interfaceName).toBe('br-phy');
  });

  it('finds nothing wrong in a converged overlay fabric', () => {
    expect(routeCulprits(ovRoutes, observe(ovRoutes), owners)).toEqual([]);
  });

  it('cannot match br-phy next hops without owners: they name no expected interface', () => {
    const culprits = routeCulprits([h1h2], observe([h1h2]));
    expect(culprits).toEqual([expect.stringContaining(`host1: ${h1h2.prefix} (loopback of host2) has 1 next hop in the RIB (via br-phy → `)]);
  });

  it('names the chassis’s next hop by the leaf that owns its gateway: br-phy → leaf1', () => {
    const observed = observe(ovRoutes);
    observed.get('host1')!.rib[h1h2.prefix]![0]!.nexthops.push({ ip: gatewayTo('host1', 'leaf2'), interfaceName: 'br-phy', fib: true, active: true });
    const [first] = h1h2.candidates as [(typeof h1h2.candidates)[0]];
    expect(routeCulprits(ovRoutes, observed, owners)).toEqual([
      `host1: ${h1h2.prefix} (loopback of host2) has 2 next hops in the RIB (via br-phy → ${first.neighbor}, br-phy → ${first.neighbor === 'leaf1' ? 'leaf2' : 'leaf1'}), expected 1 (via 1 of ${h1h2.candidates.map((c) => `${c.iface} → ${c.neighbor}`).join(', ')})`,
    ]);
    expect(first.neighbor).toBe('leaf1');
  });

  it('reports a next hop whose gateway belongs to a router that is not a candidate', () => {
    const observed = observe(ovRoutes);
    const centralAddress = ovRouter('central').interfaces[0]!.address!.split('/')[0]!;
    observed.get('host1')!.rib[h1h2.prefix]![0]!.nexthops[0]!.ip = centralAddress;
    expect(routeCulprits(ovRoutes, observed, owners)).toEqual([expect.stringMatching(new RegExp(`^host1: ${h1h2.prefix.replace(/\./g, '\\.')} .* in the RIB \\(via br-phy → central\\), expected 1`))]);
  });

  it('trusts the gateway’s owner over the interface: two next hops through one spine are one neighbor twice', () => {
    const r = route('leaf1', 'leaf2');
    expect(r.width).toBe(2);
    const observed = observe(ovRoutes);
    const hops = observed.get('leaf1')!.rib[r.prefix]![0]!.nexthops;
    hops[1]!.ip = hops[0]!.ip; // right interfaces, but both gateways are spine1's
    expect(routeCulprits([r], observed)).toEqual([]); // matched by interface alone, this looks fine
    const culprits = routeCulprits(ovRoutes, observed, owners);
    expect(culprits).toHaveLength(1);
    expect(culprits[0]).toContain(`leaf1: ${r.prefix} (loopback of leaf2) has 2 next hops in the RIB (via eth1 → spine1, eth2 → spine1)`);
  });

  it('falls back to the interface for a gateway nobody owns, and shows the gateway', () => {
    const observed = observe(ovRoutes);
    observed.get('host1')!.kernel.find((k) => k.dst === h1h2.prefix)!.nexthops[0]!.gateway = '192.0.2.1';
    expect(routeCulprits(ovRoutes, observed, owners)).toEqual([expect.stringContaining(`host1: ${h1h2.prefix} (loopback of host2) has 1 next hop in the kernel FIB (via br-phy → 192.0.2.1)`)]);
    // A leaf's next hop to a chassis is known by the owner "host1:br-phy" just the same.
    const toHost = route('leaf1', 'host1');
    expect(observe([toHost]).get('leaf1')!.kernel[0]!.nexthops[0]!.gateway).toBe(host1Address('leaf1'));
    expect(owners.get(host1Address('leaf1')!)).toBe('host1:br-phy');
  });
});

// ---- weighted ECMP: next hops weighted by the declared link bandwidths ----

describe('routeCulprits with { weights: true } (weighted ECMP)', () => {
  // leaf1 declares 300 Mbit/s on eth1 (to spine1) and 100 on eth2 (to spine2): 75 % / 25 %.
  const wRoutes = expectedRoutes(
    plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback!], transit: r.tier !== 'compute', ...(r.name === 'leaf1' ? { linkBandwidthMbps: { eth1: 300, eth2: 100 } } : {}) })),
    plan.links.map((l) => ({ a: { node: l.a.node, iface: l.a.iface }, b: { node: l.b.node, iface: l.b.iface } })),
  );
  const weighted = wRoutes.filter((r) => r.weighted);
  const w13 = wRoutes.find((r) => r.at === 'leaf1' && r.owner === 'leaf3')!;
  const declared = 'expected eth1 → spine1 75 % (300 Mbit/s), eth2 → spine2 25 % (100 Mbit/s), from the declared link bandwidths';

  /** Healthy routers that weight as declared: each next hop of a weighted route carries `scale` × its share. */
  function weightedObservation(scale = 100): Map<string, ObservedRoutes> {
    const observed = healthyObservation(wRoutes);
    for (const r of weighted) {
      const weightOf = (iface?: string) => Math.round(scale * r.candidates.find((c) => c.iface === iface)!.weight!.share);
      for (const n of observed.get(r.at)!.rib[r.prefix]![0]!.nexthops) n.weight = weightOf(n.interfaceName);
      for (const n of observed.get(r.at)!.kernel.find((k) => k.dst === r.prefix)!.nexthops) n.weight = weightOf(n.dev);
    }
    return observed;
  }
  const ribHops = (o: Map<string, ObservedRoutes>, r = w13) => o.get(r.at)!.rib[r.prefix]![0]!.nexthops;
  const kernelHops = (o: Map<string, ObservedRoutes>, r = w13) => o.get(r.at)!.kernel.find((k) => k.dst === r.prefix)!.nexthops;

  it('the premise: leaf1’s routes over both spines are weighted 75 % / 25 %, nobody else’s', () => {
    expect(weighted.length).toBeGreaterThan(1);
    expect(new Set(weighted.map((r) => r.at))).toEqual(new Set(['leaf1']));
    expect(w13.candidates.map((c) => [c.iface, c.neighbor, c.weight?.share])).toEqual([
      ['eth1', 'spine1', 0.75],
      ['eth2', 'spine2', 0.25],
    ]);
  });

  it('finds nothing wrong when the RIB and the kernel weight the next hops as declared, at any scale', () => {
    expect(routeCulprits(wRoutes, weightedObservation(100), undefined, { weights: true })).toEqual([]);
    expect(routeCulprits(wRoutes, weightedObservation(4), undefined, { weights: true })).toEqual([]); // weights 3 and 1
    expect(routeCulprits(wRoutes, weightedObservation(255), undefined, { weights: true })).toEqual([]); // 191 and 64
  });

  it('names a RIB whose next hops are not weighted: router, prefix, what it has and the declared shares', () => {
    const observed = weightedObservation();
    for (const n of ribHops(observed)) delete n.weight;
    expect(routeCulprits(wRoutes, observed, undefined, { weights: true })).toEqual([
      `leaf1: ${w13.prefix} (loopback of leaf3) is not weighted as declared in the RIB: eth1 → spine1 unweighted (50 %), eth2 → spine2 unweighted (50 %); ${declared}`,
    ]);
  });

  it('names equal weights, and weights the wrong way round', () => {
    const observed = weightedObservation();
    for (const n of ribHops(observed)) n.weight = 1;
    expect(routeCulprits(wRoutes, observed, undefined, { weights: true })).toEqual([
      `leaf1: ${w13.prefix} (loopback of leaf3) is not weighted as declared in the RIB: eth1 → spine1 weight 1 (50 %), eth2 → spine2 weight 1 (50 %); ${declared}`,
    ]);
    ribHops(observed)[0]!.weight = 25;
    ribHops(observed)[1]!.weight = 75;
    expect(routeCulprits(wRoutes, observed, undefined, { weights: true })).toEqual([
      `leaf1: ${w13.prefix} (loopback of leaf3) is not weighted as declared in the RIB: eth1 → spine1 weight 25 (25 %), eth2 → spine2 weight 75 (75 %); ${declared}`,
    ]);
  });

  it('allows FRR’s rounding, within 2 percentage points of each share, and no more', () => {
    const observed = weightedObservation();
    ribHops(observed)[0]!.weight = 74;
    ribHops(observed)[1]!.weight = 26;
    expect(routeCulprits(wRoutes, observed, undefined, { weights: true })).toEqual([]);
    ribHops(observed)[0]!.weight = 72;
    ribHops(observed)[1]!.weight = 28;
    expect(routeCulprits(wRoutes, observed, undefined, { weights: true })).toEqual([expect.stringContaining('is not weighted as declared in the RIB: eth1 → spine1 weight 72 (72 %)')]);
  });

  it('checks the kernel FIB’s weights too, when the RIB is right', () => {
    const observed = weightedObservation();
    for (const n of kernelHops(observed)) n.weight = 1;
    expect(routeCulprits(wRoutes, observed, undefined, { weights: true })).toEqual([
      `leaf1: ${w13.prefix} (loopback of leaf3) is not weighted as declared in the kernel FIB: eth1 → spine1 weight 1 (50 %), eth2 → spine2 weight 1 (50 %); ${declared}`,
    ]);
  });

  it('reports one culprit per route: the RIB’s weights before the kernel’s', () => {
    const observed = weightedObservation();
    for (const n of [...ribHops(observed), ...kernelHops(observed)]) n.weight = 1;
    const culprits = routeCulprits(wRoutes, observed, undefined, { weights: true });
    expect(culprits).toHaveLength(1);
    expect(culprits[0]).toContain('is not weighted as declared in the RIB');
  });

  it('a wrong next hop is reported as such, not as a wrong weight', () => {
    const observed = weightedObservation();
    ribHops(observed).pop();
    expect(routeCulprits(wRoutes, observed, undefined, { weights: true })).toEqual([`leaf1: ${w13.prefix} (loopback of leaf3) has 1 next hop in the RIB (via eth1 → spine1), expected 2 (via eth1 → spine1, eth2 → spine2)`]);
  });

  it('without { weights: true }, does not look at weights at all', () => {
    const observed = healthyObservation(wRoutes); // no weights anywhere
    expect(routeCulprits(wRoutes, observed)).toEqual([]);
    expect(routeCulprits(wRoutes, observed, undefined, {})).toEqual([]);
    expect(routeCulprits(wRoutes, observed, undefined, { weights: true })).toHaveLength(weighted.length);
  });

  it('does not ask routes with nothing declared to be weighted, whatever their next hops carry', () => {
    expect(routeCulprits(routes, healthyObservation(routes), undefined, { weights: true })).toEqual([]);
    const observed = healthyObservation(routes);
    const [a, b] = observed.get('leaf1')!.rib[routeTo('leaf1', 'leaf3').prefix]![0]!.nexthops;
    a!.weight = 90;
    b!.weight = 10;
    expect(routeCulprits(routes, observed, undefined, { weights: true })).toEqual([]);
  });

  it('finds each next hop’s declared share by the neighbor owning its gateway', () => {
    const addressOf = (node: string, peer: string) => plan.routers.find((r) => r.name === node)!.interfaces.find((i) => i.peer.node === peer)!.address!.split('/')[0]!;
    const owners = new Map(['spine1', 'spine2'].map((s) => [addressOf(s, 'leaf1'), `${s}:eth1`]));
    const observed = weightedObservation();
    const hops = ribHops(observed);
    hops[0]!.ip = addressOf('spine1', 'leaf1');
    hops[1]!.ip = addressOf('spine2', 'leaf1');
    expect(routeCulprits([w13], observed, owners, { weights: true })).toEqual([]);
    [hops[0]!.weight, hops[1]!.weight] = [hops[1]!.weight, hops[0]!.weight];
    expect(routeCulprits([w13], observed, owners, { weights: true })).toEqual([expect.stringContaining('eth1 → spine1 weight 25 (25 %), eth2 → spine2 weight 75 (75 %)')]);
  });
});

describe('routeCulprits on IPv6 loopbacks (a dual-stack fabric)', () => {
  // Every router's IPv6 loopback beside its IPv4 one, reached over link-local next hops.
  const ds = planClos({ name: 'ds', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'dual-stack' });
  const facts = ds.routers.map((r) => ({ name: r.name, asn: r.asn, transit: r.tier !== 'compute', loopbacks: [r.loopback!, r.loopback6!] }));
  const expected = expectedRoutes(facts, ds.links);
  const v6 = expected.filter((r) => r.prefix.includes(':'));
  const linkLocal = (iface: string) => `fe80::${iface.replace('eth', '')}`;
  const observe = (routes: ExpectedRoute[]): Map<string, ObservedRoutes> => {
    const out = new Map<string, ObservedRoutes>();
    for (const r of routes) {
      const o = out.get(r.at) ?? out.set(r.at, { rib: {}, kernel: [] }).get(r.at)!;
      o.rib[r.prefix] = [{ prefix: r.prefix, protocol: 'bgp', selected: true, installed: true, nexthops: r.candidates.map((c) => ({ ip: linkLocal(c.iface), interfaceName: c.iface, fib: true, active: true })) }];
      o.kernel.push({ dst: r.prefix, protocol: 'bgp', nexthops: r.candidates.map((c) => ({ gateway: linkLocal(c.iface), dev: c.iface })) });
    }
    return out;
  };

  it('expects each IPv6 loopback wherever its IPv4 one is, with the same width', () => {
    expect(v6.length * 2).toBe(expected.length);
    for (const r of v6) expect(expected.find((x) => x.at === r.at && x.owner === r.owner && !x.prefix.includes(':'))?.width).toBe(r.width);
  });

  it('finds nothing wrong when every IPv6 route is installed over link-local next hops, matched by interface', () => {
    expect(routeCulprits(expected, observe(expected))).toEqual([]);
  });

  it('names an IPv6 loopback missing at a router, and nothing else', () => {
    const observed = observe(expected);
    delete observed.get('spine1')!.rib['fd00:10:255:2::1/128'];
    expect(routeCulprits(expected, observed)).toEqual(['spine1: fd00:10:255:2::1/128 (loopback of host1) is not in the RIB, expected 2 (via eth1 → leaf1, eth2 → leaf2)']);
  });

  it('names an IPv6 route that lost a next hop in the kernel FIB', () => {
    const observed = observe(expected);
    observed.get('spine1')!.kernel.find((k) => k.dst === 'fd00:10:255:2::1/128')!.nexthops.pop();
    expect(routeCulprits(expected, observed)).toEqual(['spine1: fd00:10:255:2::1/128 (loopback of host1) has 1 next hop in the kernel FIB (via eth1 → leaf1), expected 2 (via eth1 → leaf1, eth2 → leaf2)']);
  });
});
