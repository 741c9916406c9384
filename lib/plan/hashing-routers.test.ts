import { describe, expect, it } from 'vitest';
import { loopbacksOf, planClos } from './clos.ts';
import { expectedRoutes, probeFamily, type ExpectedRoute } from './expected-routing.ts';
import { hashingRouters } from './hashing-routers.ts';

function clos(vmsPerHost: number) {
  const plan = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4, vmsPerHost });
  const tier = new Map(plan.routers.map((r) => [r.name, r.tier]));
  const routes = expectedRoutes(
    plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback!], transit: r.tier === 'spine' || r.tier === 'leaf', maxPaths: r.maxPaths })),
    plan.links.map((l) => ({ a: l.a, b: l.b })),
  );
  return { routes, tier };
}

describe('hashingRouters', () => {
  it('names every leaf and spine of a Clos (and the dual-homed OVN central), each with a route of two installed next hops, and no single-path chassis', () => {
    const { routes, tier } = clos(1);
    const found = hashingRouters(routes, (n) => tier.get(n));
    expect(found.map((h) => h.router)).toEqual(['central', 'leaf1', 'leaf2', 'leaf3', 'leaf4', 'spine1', 'spine2']);
    for (const h of found) expect(h.route.width).toBe(2);
    // A spine splits towards a dual-homed host's TEP; a leaf towards a TEP behind the spines.
    expect(tier.get(found.find((h) => h.router === 'spine1')!.route.owner)).toBe('compute');
    expect(found.find((h) => h.router === 'leaf1')!.route.candidates.map((c) => c.neighbor)).toEqual(['spine1', 'spine2']);
  });

  it('names hosts too where they multipath (no overlay: maximum-paths 64)', () => {
    const { routes, tier } = clos(0);
    expect(hashingRouters(routes, (n) => tier.get(n)).map((h) => h.router)).toEqual(['host1', 'host2', 'host3', 'host4', 'leaf1', 'leaf2', 'leaf3', 'leaf4', 'spine1', 'spine2']);
  });

  it('prefers the route with the most installed next hops', () => {
    const r = (prefix: string, width: number, owner = 'x'): ExpectedRoute => ({ at: 'r1', prefix, owner, candidates: [], width, hops: 1 });
    expect(hashingRouters([r('10.0.0.1/32', 2), r('10.0.0.2/32', 4), r('10.0.0.3/32', 1)], () => 'leaf')[0]!.route.prefix).toBe('10.0.0.2/32');
    expect(hashingRouters([r('10.0.0.1/32', 1)], () => 'leaf')).toEqual([]);
  });
});

describe('hashingRouters on a dual-stack fabric', () => {
  it('picks an IPv4 route for every hashing router (the suite adds its IPv6 counterpart itself)', () => {
    const plan = planClos({ name: 'ds', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'dual-stack' });
    const tier = new Map(plan.routers.map((r) => [r.name, r.tier]));
    const routes = expectedRoutes(
      plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback6!, r.loopback!], transit: r.tier !== 'compute', maxPaths: r.maxPaths })),
      plan.links,
    );
    const chosen = hashingRouters(routes, (n) => tier.get(n));
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.filter((h) => h.route.prefix.includes(':'))).toEqual([]);
  });
});

describe('hashingRouters on an IPv6-only fabric', () => {
  it('picks an IPv6 route for every router that hashes, as the probes run in IPv6 (probeFamily)', () => {
    const plan = planClos({ name: 'v6', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'ipv6' });
    const tier = new Map(plan.routers.map((r) => [r.name, r.tier]));
    const facts = plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: loopbacksOf(r), transit: r.tier !== 'compute', maxPaths: r.maxPaths }));
    const routes = expectedRoutes(facts, plan.links);
    expect(probeFamily(facts)).toBe(6);
    expect(hashingRouters(routes, (n) => tier.get(n))).toEqual([]); // nothing to hash in IPv4
    const chosen = hashingRouters(routes, (n) => tier.get(n), 6);
    expect(chosen.map((h) => h.router)).toEqual(['host1', 'host2', 'leaf1', 'leaf2', 'spine1', 'spine2']);
    for (const h of chosen) expect(h.route.prefix).toMatch(/^fd00:.*\/128$/);
  });
});
