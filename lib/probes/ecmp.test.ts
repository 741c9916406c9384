import { describe, expect, it } from 'vitest';
import { planClos, type ClosOptions, type ClosPlan } from '../plan/clos.ts';
import { expectedRoutes, type ExpectedRoute, type FabricLink, type RouterFacts } from '../plan/expected-routing.ts';
import { chooseProbePath } from './ecmp.ts';

/** The routes a suite would expect on a deployed lab of this plan (facts built from the plan). */
function fabricOf(opts: Omit<ClosOptions, 'name'>): { plan: ClosPlan; routes: ExpectedRoute[]; tierOf: (n: string) => string | undefined } {
  const plan = planClos({ name: 't', ...opts });
  const routers: RouterFacts[] = plan.routers.map((r) => ({
    name: r.name,
    asn: r.asn,
    loopbacks: [r.loopback],
    transit: r.tier !== 'compute' && r.tier !== 'ovn-central',
    maxPaths: r.maxPaths,
  }));
  const links: FabricLink[] = plan.links.map((l) => ({ a: { node: l.a.node, iface: l.a.iface }, b: { node: l.b.node, iface: l.b.iface } }));
  const tiers = new Map<string, string>(plan.routers.map((r) => [r.name, r.tier]));
  return { plan, routes: expectedRoutes(routers, links), tierOf: (n) => tiers.get(n) };
}

/** The nodes a node is cabled to, from the plan alone. */
const neighborsOf = (plan: ClosPlan, node: string) =>
  new Set(plan.links.flatMap((l) => (l.a.node === node ? [l.b.node] : l.b.node === node ? [l.a.node] : [])));
const tierIn = (plan: ClosPlan, node: string) => plan.routers.find((r) => r.name === node)?.tier;
const loopbackOf = (plan: ClosPlan, node: string) => plan.routers.find((r) => r.name === node)!.loopback;

/** Some router from `src` towards `prefix` installs two or more next hops (walking every candidate). */
function crossesSplit(routes: ExpectedRoute[], src: string, prefix: string, depth = 0): boolean {
  const r = routes.find((x) => x.at === src && x.prefix === prefix);
  if (!r || depth > 8) return false;
  return r.width >= 2 || r.candidates.some((c) => crossesSplit(routes, c.neighbor, prefix, depth + 1));
}

describe('chooseProbePath', () => {
  describe('with hosts (2 spines, 4 leaves, 4 hosts)', () => {
    const { plan, routes, tierOf } = fabricOf({ spines: 2, leaves: 4, hosts: 4 });
    const path = chooseProbePath(routes, tierOf);

    it('picks a compute host as the source and another compute host as the destination', () => {
      expect(path).toBeDefined();
      expect(tierIn(plan, path!.src)).toBe('compute');
      expect(tierIn(plan, path!.dst)).toBe('compute');
      expect(path!.dst).not.toBe(path!.src);
    });

    it('the destination hangs off another leaf pair, so the path crosses the spines', () => {
      const srcLeaves = neighborsOf(plan, path!.src);
      const dstLeaves = neighborsOf(plan, path!.dst);
      expect([...srcLeaves].every((n) => tierIn(plan, n) === 'leaf')).toBe(true);
      expect(srcLeaves.size).toBe(2);
      expect([...srcLeaves].filter((l) => dstLeaves.has(l))).toEqual([]);
      // host1's pair is leaf1/leaf2 and host3 shares it: the pick is host2 (leaf3/leaf4), first by name.
      expect(path).toEqual({ src: 'host1', dst: 'host2', dstIp: '10.255.2.2' });
    });

    it('gives the destination’s loopback without its prefix length', () => {
      expect(`${path!.dstIp}/32`).toBe(loopbackOf(plan, path!.dst));
    });

    it('the chosen traffic meets an ECMP split', () => {
      expect(crossesSplit(routes, path!.src, `${path!.dstIp}/32`)).toBe(true);
    });
  });

  describe('hosts named so that the first other host by name shares the source’s leaf pair', () => {
    // The same 2-spine, 4-leaf, 4-host fabric with host2 and host3 swapping names: now host2
    // hangs off host1's pair (leaf1/leaf2) and host3 off leaf3/leaf4.
    const swap: Record<string, string> = { host2: 'host3', host3: 'host2' };
    const rename = (n: string) => swap[n] ?? n;
    const plan = planClos({ name: 't', spines: 2, leaves: 4, hosts: 4 });
    const routers: RouterFacts[] = plan.routers.map((r) => ({ name: rename(r.name), asn: r.asn, loopbacks: [r.loopback], transit: r.tier !== 'compute', maxPaths: r.maxPaths }));
    const links: FabricLink[] = plan.links.map((l) => ({ a: { node: rename(l.a.node), iface: l.a.iface }, b: { node: rename(l.b.node), iface: l.b.iface } }));
    const tiers = new Map<string, string>(plan.routers.map((r) => [rename(r.name), r.tier]));
    const routes = expectedRoutes(routers, links);
    const leavesOf = (host: string) => links.flatMap((l) => (l.a.node === host ? [l.b.node] : l.b.node === host ? [l.a.node] : [])).sort();

    it('still picks the destination across the spines, not the one next door', () => {
      expect(leavesOf('host1')).toEqual(leavesOf('host2')); // the premise
      const path = chooseProbePath(routes, (n) => tiers.get(n));
      expect(path?.src).toBe('host1');
      expect(path?.dst).toBe('host3');
      expect(leavesOf('host3').filter((l) => leavesOf('host1').includes(l))).toEqual([]);
    });
  });

  describe('with an overlay (chassis use one path: maxPaths 1)', () => {
    const { plan, routes, tierOf } = fabricOf({ spines: 2, leaves: 4, hosts: 4, vmsPerHost: 1 });
    const path = chooseProbePath(routes, tierOf);

    it('still starts at a host and ends at a host on another leaf pair: the leaf splits over the spines', () => {
      expect(path).toEqual({ src: 'host1', dst: 'host2', dstIp: '10.255.2.2' });
      const atHost = routes.find((r) => r.at === 'host1' && r.prefix === loopbackOf(plan, 'host2'))!;
      expect(atHost.width).toBe(1); // the premise: the host itself does not split
      expect(crossesSplit(routes, path!.src, `${path!.dstIp}/32`)).toBe(true);
    });

    it('never picks the OVN central node', () => {
      expect([path!.src, path!.dst]).not.toContain(plan.overlay!.central);
    });
  });

  describe('without hosts (2 spines, 4 leaves)', () => {
    const { plan, routes, tierOf } = fabricOf({ spines: 2, leaves: 4, hosts: 0 });
    const path = chooseProbePath(routes, tierOf);

    it('picks leaf → leaf across the spines', () => {
      expect(path).toBeDefined();
      expect(tierIn(plan, path!.src)).toBe('leaf');
      expect(tierIn(plan, path!.dst)).toBe('leaf');
      expect(path!.src).not.toBe(path!.dst);
      const r = routes.find((x) => x.at === path!.src && x.prefix === `${path!.dstIp}/32`)!;
      expect(r.candidates.map((c) => c.neighbor).sort()).toEqual(['spine1', 'spine2']);
      expect(r.width).toBe(2);
      expect(path).toEqual({ src: 'leaf1', dst: 'leaf2', dstIp: '10.255.1.2' });
    });
  });

  describe('where no ECMP split exists', () => {
    it.each([
      ['1 spine, 2 leaves', { spines: 1, leaves: 2, hosts: 0 }],
      ['1 spine, 4 leaves', { spines: 1, leaves: 4, hosts: 0 }],
      // Chassis install one path, their leaves reach the other chassis directly: nothing splits,
      // although each chassis has two candidate uplinks.
      ['1 spine, 2 leaves, 2 single-path chassis', { spines: 1, leaves: 2, hosts: 2, vmsPerHost: 1 }],
    ])('returns undefined on %s', (_, opts) => {
      const { routes, tierOf } = fabricOf(opts);
      // The premise, checked independently: between hosts and leaves, no router on the way installs two next hops.
      const probed = (n: string) => tierOf(n) === 'compute' || tierOf(n) === 'leaf';
      expect(routes.filter((r) => probed(r.at) && probed(r.owner) && crossesSplit(routes, r.at, r.prefix)).map((r) => `${r.at} → ${r.owner}`)).toEqual([]);
      expect(chooseProbePath(routes, tierOf)).toBeUndefined();
    });

    it('returns undefined when no node has a tier it probes from (everything unlabelled)', () => {
      const { routes } = fabricOf({ spines: 2, leaves: 4, hosts: 4 });
      expect(chooseProbePath(routes, () => undefined)).toBeUndefined();
    });
  });

  describe('with one spine but dual-homed multipath hosts', () => {
    it('the host’s own two uplinks are the split', () => {
      const { routes, tierOf } = fabricOf({ spines: 1, leaves: 2, hosts: 2 });
      const path = chooseProbePath(routes, tierOf);
      expect(path).toEqual({ src: 'host1', dst: 'host2', dstIp: '10.255.2.2' });
      const r = routes.find((x) => x.at === 'host1' && x.prefix === '10.255.2.2/32')!;
      expect(r.width).toBe(2);
    });

    it('with single-path chassis behind one spine and two leaf pairs, the split is at the spine and is still found', () => {
      const { routes, tierOf } = fabricOf({ spines: 1, leaves: 4, hosts: 4, vmsPerHost: 1 });
      const path = chooseProbePath(routes, tierOf);
      expect(path).toBeDefined();
      expect(crossesSplit(routes, path!.src, `${path!.dstIp}/32`)).toBe(true);
    });
  });
});
