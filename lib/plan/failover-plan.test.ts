import { describe, expect, it } from 'vitest';
import { planClos } from './clos.ts';
import { expectedRoutes, type FabricLink, type RouterFacts } from './expected-routing.ts';
import { linkGroups, streamCandidates, type FailoverLink } from './failover-plan.ts';

function clos() {
  const plan = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4, vmsPerHost: 1 });
  const tier = new Map(plan.routers.map((r) => [r.name, r.tier]));
  const routers: RouterFacts[] = plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback], transit: r.tier === 'spine' || r.tier === 'leaf', maxPaths: r.maxPaths }));
  const links: FabricLink[] = plan.links.filter((l) => tier.has(l.a.node) && tier.has(l.b.node)).map((l) => ({ a: l.a, b: l.b }));
  const tierOf = (n: string) => tier.get(n);
  const streams = (link: FailoverLink) =>
    streamCandidates(link, expectedRoutes(routers, links), expectedRoutes(routers, links.filter((l) => !(l.a.node === link.a.node && l.a.iface === link.a.iface))), tierOf);
  return { links, tierOf, streams, loopback: (n: string) => plan.routers.find((r) => r.name === n)!.loopback.replace(/\/32$/, '') };
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
