import { describe, expect, it } from 'vitest';
import { planClos, type ClosPlan } from './clos.ts';
import { expectedRoutes, probeFamily, type ExpectedRoute, type FabricLink, type RouterFacts } from './expected-routing.ts';

const plan = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4 });

/** What a suite would discover on a deployed lab, built here from the plan. */
function factsOf(p: ClosPlan, override: (r: RouterFacts) => RouterFacts = (r) => r): { routers: RouterFacts[]; links: FabricLink[] } {
  return {
    routers: p.routers.map((r) => override({ name: r.name, asn: r.asn, loopbacks: [r.loopback!], transit: r.tier !== 'compute' })),
    links: p.links.map((l) => ({ a: { node: l.a.node, iface: l.a.iface }, b: { node: l.b.node, iface: l.b.iface } })),
  };
}

const loopbackOf = (name: string) => plan.routers.find((r) => r.name === name)!.loopback;

function routeIn(routes: ExpectedRoute[], at: string, owner: string): ExpectedRoute | undefined {
  const found = routes.filter((r) => r.at === at && r.owner === owner);
  expect(found.length, `${at} → ${owner}: at most one route per loopback`).toBeLessThanOrEqual(1);
  return found[0];
}
function route(routes: ExpectedRoute[], at: string, owner: string): ExpectedRoute {
  const r = routeIn(routes, at, owner);
  expect(r, `${at} should have a route to ${owner}'s loopback`).toBeDefined();
  return r!;
}
const neighbors = (r: ExpectedRoute) => r.candidates.map((c) => c.neighbor).sort();

/** The local interface `at` uses towards `neighbor`, from the plan (not from the function under test). */
const ifaceTowards = (at: string, neighbor: string) =>
  plan.routers
    .find((r) => r.name === at)!
    .interfaces.filter((i) => i.peer.node === neighbor)
    .map((i) => i.name);

describe('expectedRoutes on a 2-spine, 4-leaf, 4-host Clos', () => {
  const { routers, links } = factsOf(plan);
  const routes = expectedRoutes(routers, links);

  it('a leaf reaches a remote leaf’s loopback over both spines', () => {
    const r = route(routes, 'leaf1', 'leaf3');
    expect(r.prefix).toBe(loopbackOf('leaf3'));
    expect(r.width).toBe(2);
    expect(r.hops).toBe(2);
    expect(neighbors(r)).toEqual(['spine1', 'spine2']);
    expect(r.candidates.map((c) => c.iface).sort()).toEqual([...ifaceTowards('leaf1', 'spine1'), ...ifaceTowards('leaf1', 'spine2')].sort());
  });

  it('names the neighbor’s interface on each candidate link', () => {
    const r = route(routes, 'leaf1', 'leaf3');
    for (const c of r.candidates) expect(c.neighborIface).toBe(ifaceTowards(c.neighbor, 'leaf1')[0]);
  });

  it('a spine does not expect the other spine’s loopback: same ASN, the AS-path loop check drops it', () => {
    expect(routeIn(routes, 'spine1', 'spine2')).toBeUndefined();
    expect(routeIn(routes, 'spine2', 'spine1')).toBeUndefined();
  });

  it('…but would if the spines had their own ASNs (the loop check is what removes it)', () => {
    const distinctSpines = factsOf(plan, (r) => (r.name === 'spine2' ? { ...r, asn: 64999 } : r));
    const r = route(expectedRoutes(distinctSpines.routers, distinctSpines.links), 'spine1', 'spine2');
    expect(r.hops).toBe(2);
    expect(neighbors(r)).toEqual(['leaf1', 'leaf2', 'leaf3', 'leaf4']);
  });

  it('a spine reaches a leaf directly, width 1', () => {
    for (const leaf of ['leaf1', 'leaf2', 'leaf3', 'leaf4']) {
      const r = route(routes, 'spine1', leaf);
      expect(r).toMatchObject({ width: 1, hops: 1 });
      expect(r.candidates).toEqual([{ iface: ifaceTowards('spine1', leaf)[0], neighbor: leaf, neighborIface: ifaceTowards(leaf, 'spine1')[0] }]);
    }
  });

  it('a leaf reaches a host on its own pair directly, width 1', () => {
    const r = route(routes, 'leaf1', 'host1');
    expect(r).toMatchObject({ width: 1, hops: 1 });
    expect(neighbors(r)).toEqual(['host1']);
  });

  it('a leaf reaches a host on another pair over both spines, width 2', () => {
    const r = route(routes, 'leaf1', 'host2');
    expect(r).toMatchObject({ width: 2, hops: 3 });
    expect(neighbors(r)).toEqual(['spine1', 'spine2']);
  });

  it('a host reaches a remote host over both its leaves, width 2', () => {
    const r = route(routes, 'host1', 'host2');
    expect(r).toMatchObject({ width: 2, hops: 4 });
    expect(neighbors(r)).toEqual(['leaf1', 'leaf2']);
  });

  it('a host reaches a host on the same pair over both leaves, in two hops', () => {
    expect(route(routes, 'host1', 'host3')).toMatchObject({ width: 2, hops: 2 });
  });

  it('hosts are not transit: a leaf reaches its pair partner over the spines only', () => {
    // leaf1 and leaf2 share host1 and host3; leaf1 → host1 → leaf2 is as short as leaf1 → spine → leaf2.
    expect(neighbors(route(routes, 'leaf1', 'leaf2'))).toEqual(['spine1', 'spine2']);
  });

  it('…and would be used if hosts were transit (so the rule is what keeps them out)', () => {
    const allTransit = factsOf(plan, (r) => ({ ...r, transit: true }));
    const r = route(expectedRoutes(allTransit.routers, allTransit.links), 'leaf1', 'leaf2');
    expect(neighbors(r)).toEqual(['host1', 'host3', 'spine1', 'spine2']);
  });

  it('no route anywhere goes through a host that does not own the prefix', () => {
    const hosts = new Set(plan.routers.filter((r) => r.tier === 'compute').map((r) => r.name));
    for (const r of routes) {
      for (const c of r.candidates) if (hosts.has(c.neighbor)) expect(c.neighbor, `${r.at} → ${r.owner}`).toBe(r.owner);
    }
  });

  it('every router expects every other loopback except same-ASN spines, and never its own', () => {
    for (const at of plan.routers) {
      const owners = routes.filter((r) => r.at === at.name).map((r) => r.owner);
      const others = plan.routers.filter((o) => o.name !== at.name && !(o.tier === 'spine' && at.tier === 'spine')).map((o) => o.name);
      expect(owners.sort(), at.name).toEqual(others.sort());
    }
  });

  it('lists candidates in interface order (eth2 before eth10)', () => {
    const wide = planClos({ name: 'w', spines: 10, leaves: 2, hosts: 0 });
    const f = factsOf(wide);
    const r = route(expectedRoutes(f.routers, f.links), 'leaf1', 'leaf2');
    expect(r.candidates.map((c) => c.iface)).toEqual(Array.from({ length: 10 }, (_, i) => `eth${i + 1}`));
  });
});

describe('expectedRoutes: limits', () => {
  it('maximum-paths caps the width, not the candidates', () => {
    const { routers, links } = factsOf(plan, (r) => (r.name === 'leaf1' ? { ...r, maxPaths: 1 } : r));
    const routes = expectedRoutes(routers, links);
    const capped = route(routes, 'leaf1', 'leaf3');
    expect(capped.width).toBe(1);
    expect(capped.candidates).toHaveLength(2);
    expect(route(routes, 'leaf2', 'leaf3').width).toBe(2);
  });

  it('an isolated router is reached by nobody and reaches nobody', () => {
    const { routers, links } = factsOf(plan);
    const lonely: RouterFacts = { name: 'lonely', asn: 64900, transit: true, loopbacks: ['10.255.9.1/32'] };
    const routes = expectedRoutes([...routers, lonely], links);
    expect(routes.filter((r) => r.owner === 'lonely' || r.prefix === '10.255.9.1/32')).toEqual([]);
    expect(routes.filter((r) => r.at === 'lonely')).toEqual([]);
  });

  it('ignores links to routers it was not told about', () => {
    const { routers, links } = factsOf(plan);
    const withStray = [...links, { a: { node: 'leaf1', iface: 'eth9' }, b: { node: 'ghost', iface: 'eth1' } }];
    expect(expectedRoutes(routers, withStray)).toEqual(expectedRoutes(routers, links));
  });

  it('expects one route per loopback of a router with several', () => {
    const { routers, links } = factsOf(plan, (r) => (r.name === 'leaf3' ? { ...r, loopbacks: [...r.loopbacks, '10.254.0.3/32'] } : r));
    const toLeaf3 = expectedRoutes(routers, links).filter((r) => r.at === 'leaf1' && r.owner === 'leaf3');
    expect(toLeaf3.map((r) => r.prefix).sort()).toEqual([loopbackOf('leaf3'), '10.254.0.3/32'].sort());
  });
});

describe('expectedRoutes: weighted ECMP (declared link bandwidths)', () => {
  const withBandwidth = (name: string, linkBandwidthMbps: Record<string, number>, more: Partial<RouterFacts> = {}) =>
    factsOf(plan, (r) => (r.name === name ? { ...r, ...more, linkBandwidthMbps } : r));
  // leaf1's uplinks: eth1 to spine1, eth2 to spine2 (from the plan, not from the function under test).
  const [up1, up2] = [ifaceTowards('leaf1', 'spine1')[0]!, ifaceTowards('leaf1', 'spine2')[0]!];

  it('the premise: leaf1 reaches spine1 by eth1 and spine2 by eth2', () => {
    expect([up1, up2]).toEqual(['eth1', 'eth2']);
  });

  it('a leaf with 300 and 100 Mbit/s on its two uplinks weights every route over them 75 % / 25 %', () => {
    const { routers, links } = withBandwidth('leaf1', { [up1]: 300, [up2]: 100 });
    const routes = expectedRoutes(routers, links);
    for (const owner of ['leaf2', 'leaf3', 'leaf4', 'host2', 'host4']) {
      const r = route(routes, 'leaf1', owner);
      expect(r.weighted, owner).toBe(true);
      expect(r.width, owner).toBe(2);
      expect(r.candidates, owner).toEqual([
        { iface: up1, neighbor: 'spine1', neighborIface: ifaceTowards('spine1', 'leaf1')[0], weight: { bandwidthMbps: 300, share: 0.75 } },
        { iface: up2, neighbor: 'spine2', neighborIface: ifaceTowards('spine2', 'leaf1')[0], weight: { bandwidthMbps: 100, share: 0.25 } },
      ]);
    }
  });

  it('weights only the routes of the router that declares them', () => {
    const { routers, links } = withBandwidth('leaf1', { [up1]: 300, [up2]: 100 });
    const routes = expectedRoutes(routers, links);
    const elsewhere = routes.filter((r) => r.at !== 'leaf1');
    expect(elsewhere.filter((r) => r.weighted || r.candidates.some((c) => c.weight))).toEqual([]);
    // …and every other router expects exactly what it expects without any bandwidth declared.
    const plain = factsOf(plan);
    expect(elsewhere).toEqual(expectedRoutes(plain.routers, plain.links).filter((r) => r.at !== 'leaf1'));
  });

  it('does not weight a route with one candidate, even over an interface with a declared bandwidth', () => {
    const hostPort = ifaceTowards('leaf1', 'host1')[0]!;
    const { routers, links } = withBandwidth('leaf1', { [up1]: 300, [up2]: 100, [hostPort]: 1000 });
    const routes = expectedRoutes(routers, links);
    for (const owner of ['host1', 'spine1', 'spine2']) {
      const r = route(routes, 'leaf1', owner);
      expect(r.candidates, owner).toHaveLength(1);
      expect(r, owner).not.toHaveProperty('weighted');
      expect(r.candidates[0], owner).not.toHaveProperty('weight');
    }
    expect(route(routes, 'leaf1', 'leaf3').weighted).toBe(true);
  });

  it('does not weight a route with a candidate whose interface has no declared bandwidth: FRR falls back to equal cost', () => {
    const { routers, links } = withBandwidth('leaf1', { [up1]: 300 });
    const r = route(expectedRoutes(routers, links), 'leaf1', 'leaf3');
    expect(r).not.toHaveProperty('weighted');
    expect(r.candidates.map((c) => c.weight)).toEqual([undefined, undefined]);
    expect(r.width).toBe(2);
  });

  it('does not weight a route maximum-paths caps: which next hops BGP keeps is its choice', () => {
    const { routers, links } = withBandwidth('leaf1', { [up1]: 300, [up2]: 100 }, { maxPaths: 1 });
    const r = route(expectedRoutes(routers, links), 'leaf1', 'leaf3');
    expect(r.width).toBe(1);
    expect(r.candidates).toHaveLength(2);
    expect(r).not.toHaveProperty('weighted');
    expect(r.candidates.some((c) => c.weight)).toBe(false);
  });

  it('a route as wide as maximum-paths allows is still weighted', () => {
    const { routers, links } = withBandwidth('leaf1', { [up1]: 300, [up2]: 100 }, { maxPaths: 2 });
    expect(route(expectedRoutes(routers, links), 'leaf1', 'leaf3').weighted).toBe(true);
  });

  it('gives each of three next hops its bandwidth over the total, the shares summing to 1', () => {
    const wide = planClos({ name: 'w', spines: 3, leaves: 2, hosts: 0 });
    const f = factsOf(wide, (r) => (r.name === 'leaf1' ? { ...r, linkBandwidthMbps: { eth1: 100, eth2: 100, eth3: 200 } } : r));
    const r = route(expectedRoutes(f.routers, f.links), 'leaf1', 'leaf2');
    expect(r.weighted).toBe(true);
    expect(r.candidates.map((c) => [c.iface, c.weight])).toEqual([
      ['eth1', { bandwidthMbps: 100, share: 0.25 }],
      ['eth2', { bandwidthMbps: 100, share: 0.25 }],
      ['eth3', { bandwidthMbps: 200, share: 0.5 }],
    ]);
    expect(r.candidates.reduce((s, c) => s + c.weight!.share, 0)).toBeCloseTo(1, 12);
  });

  it('equal declared bandwidths are still a weighted route, with equal shares', () => {
    const { routers, links } = withBandwidth('leaf1', { [up1]: 400, [up2]: 400 });
    const r = route(expectedRoutes(routers, links), 'leaf1', 'leaf3');
    expect(r.weighted).toBe(true);
    expect(r.candidates.map((c) => c.weight!.share)).toEqual([0.5, 0.5]);
  });
});

describe('probeFamily', () => {
  it('is IPv4 where any router has an IPv4 loopback (dual stack too), IPv6 where every loopback is IPv6', () => {
    expect(probeFamily([{ loopbacks: ['10.255.0.1/32'] }, { loopbacks: ['10.255.1.1/32', 'fd00:10:255:1::1/128'] }])).toBe(4);
    expect(probeFamily([{ loopbacks: ['fd00:10:255::1/128'] }, { loopbacks: ['fd00:10:255:1::1/128'] }])).toBe(6);
    expect(probeFamily([{ loopbacks: [] }])).toBe(4);
  });
});
