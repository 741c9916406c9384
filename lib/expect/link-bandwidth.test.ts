import { describe, expect, it } from 'vitest';
import { planClos } from '../plan/clos.ts';
import { expectedRoutes, type ExpectedRoute } from '../plan/expected-routing.ts';
import { linkBandwidthCulprits, linkBandwidthMbps, type BgpPath } from './link-bandwidth.ts';

const INTENT = '/labs/dc/dc.intent.yml';
const plan = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4 });
const facts = (bandwidths: Record<string, Record<string, number>>) =>
  expectedRoutes(
    plan.routers.map((r) => ({ name: r.name, asn: r.asn, loopbacks: [r.loopback!], transit: r.tier !== 'compute', ...(bandwidths[r.name] ? { linkBandwidthMbps: bandwidths[r.name] } : {}) })),
    plan.links.map((l) => ({ a: { node: l.a.node, iface: l.a.iface }, b: { node: l.b.node, iface: l.b.iface } })),
  );
// leaf1 declares 300 Mbit/s on eth1 (to spine1) and 100 on eth2 (to spine2).
const routes = facts({ leaf1: { eth1: 300, eth2: 100 } });
const w13 = routes.find((r) => r.at === 'leaf1' && r.owner === 'leaf3')!;

/** The address `node` has on its link to `peer`: the peer id leaf1 sees for it. */
const addressOf = (node: string, peer: string) => plan.routers.find((r) => r.name === node)!.interfaces.find((i) => i.peer.node === peer)!.address!.split('/')[0]!;
/** Address → "node:iface", as the fabric probe reports it. */
const owners = new Map(plan.routers.flatMap((r) => r.interfaces.map((i) => [i.address!.split('/')[0]!, `${r.name}:${i.name}`] as const)));

/** A path as `show bgp ipv4 unicast PREFIX json` shows it, learned from `spine`, with these extended communities. */
const pathFrom = (spine: string, communities?: string): BgpPath => ({
  peer: { peerId: addressOf(spine, 'leaf1') },
  nexthops: [{ ip: addressOf(spine, 'leaf1') }],
  ...(communities !== undefined ? { extendedCommunity: { string: communities } } : {}),
});
// FRR writes the bandwidth in bytes per second: 300 Mbit/s is 37 500 000 B/s.
const LB300 = 'LB:65000:37500000 (300.000 Mbps)';
const LB100 = 'LB:65000:12500000 (100.000 Mbps)';

describe('linkBandwidthMbps', () => {
  it.each([
    ['LB:65000:37500000 (300.000 Mbps)', 300],
    ['LB:65000:12500000 (100.000 Mbps)', 100],
    ['LB:65000:125000 (1.000 Mbps)', 1],
    ['LB:65000:3200000000 (25.600 Gbps)', 25600],
    ['RT:65000:1 LB:65101:25000000 (200.000 Mbps) SoO:65000:2', 200],
    ['LB:23456:37500000', 300],
  ])('%s → %s Mbit/s', (string, mbps) => {
    expect(linkBandwidthMbps({ extendedCommunity: { string } })).toBe(mbps);
  });

  it('is undefined without a link-bandwidth community', () => {
    expect(linkBandwidthMbps({})).toBeUndefined();
    expect(linkBandwidthMbps({ extendedCommunity: {} })).toBeUndefined();
    expect(linkBandwidthMbps({ extendedCommunity: { string: 'RT:65000:1 SoO:65000:2' } })).toBeUndefined();
  });
});

describe('linkBandwidthCulprits', () => {
  it('the premise: leaf1 → leaf3 is weighted, over eth1 to spine1 (300) and eth2 to spine2 (100)', () => {
    expect(w13.weighted).toBe(true);
    expect(w13.candidates.map((c) => [c.iface, c.neighbor, c.weight?.bandwidthMbps])).toEqual([
      ['eth1', 'spine1', 300],
      ['eth2', 'spine2', 100],
    ]);
  });

  it('finds nothing wrong when every path carries the bandwidth declared for its interface', () => {
    expect(linkBandwidthCulprits(w13, [pathFrom('spine1', LB300), pathFrom('spine2', LB100)], owners, INTENT)).toEqual([]);
    // In any order, among other communities.
    expect(linkBandwidthCulprits(w13, [pathFrom('spine2', `RT:1:1 ${LB100}`), pathFrom('spine1', LB300)], owners, INTENT)).toEqual([]);
  });

  it('allows the few bits a 32-bit float of bytes per second loses', () => {
    expect(linkBandwidthCulprits(w13, [pathFrom('spine1', 'LB:65000:37499999 (299.999 Mbps)'), pathFrom('spine2', 'LB:65000:12500001 (100.000 Mbps)')], owners, INTENT)).toEqual([]);
  });

  it('names a path without the community: router, prefix, neighbor, interface, and the intent field that declares it', () => {
    expect(linkBandwidthCulprits(w13, [pathFrom('spine1', LB300), pathFrom('spine2')], owners, INTENT)).toEqual([
      `leaf1: ${w13.prefix} (loopback of leaf3) learned from spine2 over eth2 carries no link-bandwidth community (extended communities: none); declared 100 Mbit/s (routers.leaf1.link-bandwidth.eth2 in ${INTENT})`,
    ]);
    expect(linkBandwidthCulprits(w13, [pathFrom('spine1', LB300), pathFrom('spine2', 'RT:65000:1')], owners, INTENT)).toEqual([
      `leaf1: ${w13.prefix} (loopback of leaf3) learned from spine2 over eth2 carries no link-bandwidth community (extended communities: RT:65000:1); declared 100 Mbit/s (routers.leaf1.link-bandwidth.eth2 in ${INTENT})`,
    ]);
  });

  it('names a different bandwidth, and the one declared', () => {
    expect(linkBandwidthCulprits(w13, [pathFrom('spine1', LB300), pathFrom('spine2', 'LB:65000:25000000 (200.000 Mbps)')], owners, INTENT)).toEqual([
      `leaf1: ${w13.prefix} (loopback of leaf3) learned from spine2 over eth2 carries link bandwidth 200 Mbit/s; declared 100 Mbit/s (routers.leaf1.link-bandwidth.eth2 in ${INTENT})`,
    ]);
    // The two swapped: both named.
    expect(linkBandwidthCulprits(w13, [pathFrom('spine1', LB100), pathFrom('spine2', LB300)], owners, INTENT)).toEqual([
      `leaf1: ${w13.prefix} (loopback of leaf3) learned from spine1 over eth1 carries link bandwidth 100 Mbit/s; declared 300 Mbit/s (routers.leaf1.link-bandwidth.eth1 in ${INTENT})`,
      `leaf1: ${w13.prefix} (loopback of leaf3) learned from spine2 over eth2 carries link bandwidth 300 Mbit/s; declared 100 Mbit/s (routers.leaf1.link-bandwidth.eth2 in ${INTENT})`,
    ]);
  });

  it('leaves a neighbor no path was learned from to the RIB check, which names the missing next hop', () => {
    expect(linkBandwidthCulprits(w13, [pathFrom('spine1', LB300)], owners, INTENT)).toEqual([]);
  });

  it('matches an unnumbered path (peer known by no address) by its interface', () => {
    const unnumbered = (iface: string, communities?: string): BgpPath => ({
      peer: { peerId: 'fe80::a8c1:abff:fe00:1', interface: iface },
      nexthops: [{ ip: 'fe80::a8c1:abff:fe00:1', interface: iface }],
      ...(communities ? { extendedCommunity: { string: communities } } : {}),
    });
    expect(linkBandwidthCulprits(w13, [unnumbered('eth1', LB300), unnumbered('eth2', LB100)], owners, INTENT)).toEqual([]);
    expect(linkBandwidthCulprits(w13, [unnumbered('eth1', LB300), unnumbered('eth2')], owners, INTENT)).toEqual([expect.stringContaining('learned from spine2 over eth2 carries no link-bandwidth community')]);
  });

  it('asks nothing of a route that is not weighted', () => {
    const plain = facts({}).find((r) => r.at === 'leaf1' && r.owner === 'leaf3')!;
    expect(plain.weighted).toBeUndefined();
    expect(linkBandwidthCulprits(plain, [], owners, INTENT)).toEqual([]);
    const oneDeclared: ExpectedRoute = facts({ leaf1: { eth1: 300 } }).find((r) => r.at === 'leaf1' && r.owner === 'leaf3')!;
    expect(linkBandwidthCulprits(oneDeclared, [pathFrom('spine1'), pathFrom('spine2')], owners, INTENT)).toEqual([]);
  });

  it('names the route by its description when it has one', () => {
    const described = { ...w13, description: 'the TEP of host3' };
    expect(linkBandwidthCulprits(described, [pathFrom('spine1', LB300), pathFrom('spine2')], owners, INTENT)[0]).toMatch(/^leaf1: the TEP of host3 learned from spine2 over eth2 carries no link-bandwidth community/);
  });
});
