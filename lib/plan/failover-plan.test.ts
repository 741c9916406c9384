import { describe, expect, it } from 'vitest';
import { planClos } from './clos.ts';
import { expectedRoutes, type FabricLink, type RouterFacts } from './expected-routing.ts';
import { changedRoutes, linkGroups, streamCandidates, streamFootprint, waveConflict, type FailoverLink } from './failover-plan.ts';

function clos() {
  const plan = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4, vmsPerHost: 1 });
  const tier = new Map(plan.routers.map((r) => [r.name, r.tier]));
  const routers: RouterFacts[] = plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback!], transit: r.tier === 'spine' || r.tier === 'leaf', maxPaths: r.maxPaths }));
  const links: FabricLink[] = plan.links.filter((l) => tier.has(l.a.node) && tier.has(l.b.node)).map((l) => ({ a: l.a, b: l.b }));
  const tierOf = (n: string) => tier.get(n);
  const streams = (link: FailoverLink) =>
    streamCandidates(link, expectedRoutes(routers, links), expectedRoutes(routers, links.filter((l) => !(l.a.node === link.a.node && l.a.iface === link.a.iface))), tierOf);
  return { routers, links, tierOf, streams, loopback: (n: string) => plan.routers.find((r) => r.name === n)!.loopback!.replace(/\/32$/, '') };
}

describe('linkGroups', () => {
  it('groups router-to-router links by tier pair, each pair once, its links in topology order', () => {
    const { links, tierOf } = clos();
    const groups = linkGroups(links, tierOf, 'tier-pairs');
    expect(groups.map((g) => g.name)).toEqual(['compute–leaf', 'leaf–ovn-central', 'leaf–spine']);
    expect(groups.find((g) => g.name === 'leaf–spine')!.candidates).toHaveLength(8);
    expect(groups.find((g) => g.name === 'compute–leaf')!.candidates[0]!.label).toMatch(/^leaf1:eth\d+ – host1:eth1$/);
  });

  it('under "all", every link is its own group', () => {
    const { links, tierOf } = clos();
    const groups = linkGroups(links, tierOf, 'all');
    expect(groups).toHaveLength(links.length);
    for (const g of groups) expect(g.candidates).toHaveLength(1);
  });
});

describe('streamCandidates', () => {
  it('leaf–spine: the leaf sends to a TEP behind the spines, the spine to a dual-homed TEP, and a remote leaf to the leaf only that spine link reaches', () => {
    const { links, tierOf, streams, loopback } = clos();
    const link = linkGroups(links, tierOf, 'tier-pairs').find((g) => g.name === 'leaf–spine')!.candidates[0]!;
    expect([link.a.node, link.b.node]).toEqual(['spine1', 'leaf1']);
    const s = streams(link);
    // Forward: spine1 towards a TEP it reaches through leaf1 or the other leaf of that host.
    expect(s.forward[0]).toMatchObject({ sender: 'spine1', owner: 'host1', egress: { node: 'spine1', iface: link.a.iface, neighbor: 'leaf1' } });
    expect(s.reverse[0]).toMatchObject({ sender: 'leaf1', egress: { node: 'leaf1', iface: link.b.iface, neighbor: 'spine1' } });
    expect(tierOf(s.reverse[0]!.owner)).toBe('compute');
    // Remote: another leaf, through spine1, to leaf1's own loopback (spine1 has no other way there).
    const remote = s.remote.find((r) => r.dstIp === loopback('leaf1'));
    expect(remote).toMatchObject({ upstream: { node: 'spine1' }, egress: { neighbor: 'spine1' } });
    expect(tierOf(remote!.sender)).toBe('leaf');
  });

  it('compute–leaf: the leaf falls back to a longer path to its host; the host sends over the link; a spine learns late', () => {
    const { links, tierOf, streams, loopback } = clos();
    const link = linkGroups(links, tierOf, 'tier-pairs').find((g) => g.name === 'compute–leaf')!.candidates[0]!;
    const s = streams(link);
    // The leaf's only shortest path to host1 is the link, but BGP falls back to one through a spine.
    expect(s.forward[0]).toMatchObject({ sender: 'leaf1', owner: 'host1', dstIp: loopback('host1') });
    expect(s.reverse.map((r) => r.sender)).toContain('host1');
    expect(s.remote[0]).toMatchObject({ owner: 'host1', upstream: { node: 'leaf1' } });
    expect(tierOf(s.remote[0]!.sender)).toBe('spine');
  });

  it('offers no stream to a loopback nobody reaches once the link is gone', () => {
    const { links, tierOf, streams, loopback } = clos();
    const link = linkGroups(links, tierOf, 'tier-pairs').find((g) => g.name === 'leaf–spine')!.candidates[0]!;
    // spine1 reaches leaf1's loopback only over this link and has no other way (spines share an ASN).
    expect(streams(link).forward.map((c) => c.dstIp)).not.toContain(loopback('leaf1'));
  });
});

describe('streamCandidates on an IPv6-only fabric', () => {
  it('sends to IPv6 loopbacks, by address without length, and footprints them by their /128', () => {
    const plan = planClos({ name: 'v6', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'ipv6' });
    const tier = new Map(plan.routers.map((r) => [r.name, r.tier]));
    const routers: RouterFacts[] = plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback6!], transit: r.tier !== 'compute', maxPaths: r.maxPaths }));
    const links: FabricLink[] = plan.links.map((l) => ({ a: l.a, b: l.b }));
    const link = linkGroups(links, (n) => tier.get(n), 'tier-pairs').find((g) => g.name === 'leaf–spine')!.candidates[0]!;
    const healthy = expectedRoutes(routers, links);
    const failed = expectedRoutes(routers, links.filter((l) => !(l.a.node === link.a.node && l.a.iface === link.a.iface)));
    const forward = streamCandidates(link, healthy, failed, (n) => tier.get(n)).forward[0]!;
    expect(forward.dstIp).toMatch(/^fd00:[0-9a-f:]+$/);
    expect(streamFootprint(forward, healthy, failed).routes.size).toBeGreaterThan(0);
  });
});

describe('waves: links failed at one instant', () => {
  const setup = () => {
    const c = clos();
    const { links } = c;
    const withoutCache = new Map<string, ReturnType<typeof expectedRoutes>>();
    const routesWithout = (gone: readonly FailoverLink[]) => {
      const key = gone.map((l) => l.label).sort().join('+');
      if (!withoutCache.has(key)) withoutCache.set(key, expectedRoutes(c.routers, links.filter((l) => !gone.some((g) => g.a.node === l.a.node && g.a.iface === l.a.iface))));
      return withoutCache.get(key)!;
    };
    const groups = linkGroups(links, c.tierOf, 'tier-pairs');
    const link = (a: string, b: string) => groups.flatMap((g) => g.candidates).find((l) => [l.a.node, l.b.node].sort().join() === [a, b].sort().join())!;
    const footprint = (l: FailoverLink, role: 'forward' | 'reverse' | 'remote', dst?: string) => {
      const cand = c.streams(l)[role].find((x) => !dst || x.dstIp === c.loopback(dst))!;
      return { cand, fp: streamFootprint(cand, routesWithout([]), routesWithout([l])) };
    };
    return { ...c, routesWithout, link, footprint };
  };

  it("a stream's footprint is its steered path healthy, and every path its sender may take with its link down", () => {
    const { link, footprint } = setup();
    const l = link('leaf1', 'host1');
    // leaf1 → host1: over the link while it is up; through both spines and leaf2 once it is down.
    const { fp } = footprint(l, 'forward', 'host1');
    expect(fp.links).toContain(`leaf1:${l.a.node === 'leaf1' ? l.a.iface : l.b.iface}`);
    expect([...fp.routes].some((r) => r.startsWith('spine1 ')) && [...fp.routes].some((r) => r.startsWith('spine2 '))).toBe(true);
    expect([...fp.routes].some((r) => r.startsWith('leaf2 '))).toBe(true);
    expect([...fp.routes].some((r) => r.startsWith('leaf3 ') || r.startsWith('leaf4 '))).toBe(false);
  });

  it('changedRoutes names exactly the routes whose next hops a failure changes', () => {
    const { link, routesWithout, loopback } = setup();
    const changed = changedRoutes(routesWithout([]), routesWithout([link('leaf1', 'host1')]));
    expect(changed).toContain(`leaf1 ${loopback('host1')}/32`); // direct → through a spine
    expect(changed).toContain(`spine1 ${loopback('host1')}/32`); // two next hops → one
    expect(changed).not.toContain(`leaf3 ${loopback('host2')}/32`);
  });

  it('keeps apart links that share a router', () => {
    const { link, routesWithout } = setup();
    expect(waveConflict(link('leaf1', 'spine1'), [], { link: link('leaf1', 'host1'), footprints: [] }, routesWithout)).toMatch(/shares leaf1/);
  });

  it("keeps apart a link that one of the other's streams crosses once that other link is down", () => {
    const { link, routesWithout, footprint } = setup();
    const hostLink = link('leaf1', 'host1');
    const member = { link: hostLink, footprints: [footprint(hostLink, 'forward', 'host1').fp] };
    // leaf1 → host1 falls back through spine1 → leaf2: failing spine1–leaf2 too would blur its loss.
    expect(waveConflict(link('spine1', 'leaf2'), [], member, routesWithout)).toMatch(/may cross spine1:\S+ – leaf2:\S+|may cross leaf2:\S+ – spine1:\S+/);
  });

  it("keeps apart a link whose failure changes a route one of the other's streams is forwarded by", () => {
    const { link, routesWithout, loopback } = setup();
    // A stream forwarded by spine1's route to host2 (and crossing no other link): host2–leaf4
    // failing takes that route from two next hops to one, so ECMP may move the stream.
    const member = { link: link('spine2', 'leaf1'), footprints: [{ routes: new Set([`spine1 ${loopback('host2')}/32`]), links: new Set<string>() }] };
    expect(waveConflict(link('leaf4', 'host2'), [], member, routesWithout)).toMatch(/forwarded by spine1's route to 10\.255\.2\.2\/32, which leaf4:\S+ – host2:\S+ failing changes/);
  });

  it('lets a compute–leaf link on one pod and a leaf–spine link on the other fail together when their streams stay apart', () => {
    const { link, routesWithout, footprint } = setup();
    const hostLink = link('leaf1', 'host1');
    const spineLink = link('spine1', 'leaf3');
    const member = { link: hostLink, footprints: [footprint(hostLink, 'forward', 'host1').fp, footprint(hostLink, 'reverse', 'leaf1').fp] };
    // spine1 → host4 stays behind leaf3/leaf4, which leaf1–host1 failing leaves alone.
    const candidate = footprint(spineLink, 'forward', 'host4');
    expect(waveConflict(spineLink, [candidate.fp], member, routesWithout)).toBeUndefined();
  });
});
