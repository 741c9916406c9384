import { describe, expect, it } from 'vitest';
import { fakeFabric, hashOf, polarisedHash } from '../../fixtures/fake-fabric.ts';
import { branchLabel, disjointRounds, enumeratePaths, pathEgresses, pathInterfaces, pathKey, pathLabel, resolveHop, type Lookup } from './ecmp-paths.ts';

// 2 spines, 4 leaves; host1 and host3 on leaf1/leaf2, host2 and host4 on leaf3/leaf4. Hosts are
// OVN chassis: their addresses sit on br-phy and they install one path (maximum-paths 1).
const fabric = fakeFabric();
const { owners, addressOf } = fabric;
const { links } = fabric.topology;
const fakeKernels = (dst: string) => fabric.lookup(dst);

const PORTS = Array.from({ length: 256 }, (_, i) => 40_000 + i);

describe('enumeratePaths', () => {
  it('finds the four paths host1 → host2 takes (its one uplink, either spine, either of host2’s leaves), each with the ports that take it', async () => {
    const lookup = fakeKernels('host2');
    const found = await enumeratePaths({ src: 'host1', dst: 'host2', links, owners, ports: PORTS, lookup });
    expect(found.problems).toEqual([]);
    expect(found.untaken).toEqual([]);
    expect(found.paths.map(pathLabel)).toEqual([
      'host1 → host2 via host1:eth1 → leaf1:eth1 → spine1:eth3 → leaf3:eth3',
      'host1 → host2 via host1:eth1 → leaf1:eth1 → spine1:eth4 → leaf4:eth3',
      'host1 → host2 via host1:eth1 → leaf1:eth2 → spine2:eth3 → leaf3:eth3',
      'host1 → host2 via host1:eth1 → leaf1:eth2 → spine2:eth4 → leaf4:eth3',
    ]);
    expect(found.paths.map(pathKey)).toEqual(['leaf1-spine1-leaf3', 'leaf1-spine1-leaf4', 'leaf1-spine2-leaf3', 'leaf1-spine2-leaf4']);
    // Every sampled port is on exactly one path, and each port's path is the one its hashes give.
    expect(found.paths.flatMap((p) => p.ports).sort((a, b) => a - b)).toEqual(PORTS);
    for (const p of found.paths) {
      for (const port of p.ports) expect(p.hops.slice(1, 3).map((h) => h.out.iface)).toEqual([`eth${(hashOf(`leaf1/${port}`) % 2) + 1}`, `eth${(hashOf(`${p.hops[2]!.out.node}/${port}`) % 2) + 3}`]);
    }
    // The chassis sends by br-phy; OVS picks the uplink by the next hop: the hop names both.
    expect(found.paths[0]!.hops[0]).toMatchObject({ out: { node: 'host1', iface: 'eth1' }, in: { node: 'leaf1', iface: 'eth3' }, dev: 'br-phy' });
    // Flows arriving at one router by one interface are looked up together: one call per (router, iif).
    expect([...lookup.calls].sort()).toEqual(['host1', 'leaf1<eth3', 'leaf3<eth1', 'leaf3<eth2', 'leaf4<eth1', 'leaf4<eth2', 'spine1<eth1', 'spine2<eth1']);
  });

  it('finds the one path between two hosts of one leaf pair, named by the leaf between them', async () => {
    const found = await enumeratePaths({ src: 'host3', dst: 'host1', links, owners, ports: PORTS, lookup: fakeKernels('host1') });
    expect(found.paths.map(pathLabel)).toEqual(['host3 → host1 via host3:eth1 → leaf1:eth3']);
    expect(found.paths.map(pathKey)).toEqual(['leaf1']);
  });

  it('reports the next hops no sampled flow takes, with how the flows reached them: routers that hash alike (polarised) leave two of the four paths unused', async () => {
    const found = await enumeratePaths({ src: 'host1', dst: 'host2', links, owners, ports: PORTS, lookup: fakeFabric({}, polarisedHash).lookup('host2') });
    expect(found.paths.map(pathKey)).toEqual(['leaf1-spine1-leaf3', 'leaf1-spine2-leaf4']);
    expect(found.untaken.map(branchLabel)).toEqual(['spine1:eth4 → leaf4', 'spine2:eth3 → leaf3']);
    // Each with the way the flows came: measured from spine1 on, it completes a path no flow takes.
    expect(found.untaken[0]).toMatchObject({ at: 'spine1', hop: { in: { node: 'leaf4', iface: 'eth1' } } });
    expect(found.untaken[0]!.prefix.map((h) => `${h.out.node}:${h.out.iface}`)).toEqual(['host1:eth1', 'leaf1:eth1']);
  });

  it('names a router without a route, and a route by a device on no link to an address nobody has', async () => {
    const healthy = fakeKernels('host2');
    const broken: Lookup = async (node, iif, ports) => {
      if (node === 'spine1') return { byPort: new Map(), nexthops: [] };
      if (node === 'spine2') return { byPort: new Map(ports.map((p) => [p, { dev: 'tun0', gateway: '192.0.2.1' }])), nexthops: [] };
      return healthy(node, iif, ports);
    };
    const found = await enumeratePaths({ src: 'host1', dst: 'host2', links, owners, ports: PORTS, lookup: broken });
    expect(found.paths).toEqual([]);
    expect(found.problems.sort()).toEqual(["spine1 has no route to host2's TEP", 'spine2: the route leaves by dev tun0 via 192.0.2.1, an address no node of the lab has']);
  });

  it('stops a flow that loops, naming where it went', async () => {
    const healthy = fakeKernels('host2');
    // leaf3 sends host2's traffic back up to spine1, which sends it down to leaf3 again.
    const looping: Lookup = async (node, iif, ports) => {
      if (node === 'leaf3') return { byPort: new Map(ports.map((p) => [p, { dev: 'eth1', gateway: addressOf('spine1', 'eth3') }])), nexthops: [] };
      if (node === 'spine1') return { byPort: new Map(ports.map((p) => [p, { dev: 'eth3', gateway: addressOf('leaf3', 'eth1') }])), nexthops: [] };
      return healthy(node, iif, ports);
    };
    const found = await enumeratePaths({ src: 'host1', dst: 'host2', links, owners, ports: PORTS, lookup: looping });
    expect(found.problems).toContain('host1 → host2: flows loop (host1:eth1 → leaf1:eth1 → spine1:eth3 → leaf3:eth1 → spine1)');
    expect(found.paths.map(pathKey)).toEqual(['leaf1-spine2-leaf4']);
  });
});

describe('resolveHop', () => {
  it('follows a router’s device to the link, and a chassis’ br-phy by the next hop’s address', () => {
    expect(resolveHop(links, owners, 'leaf1', { dev: 'eth2', gateway: addressOf('spine2', 'eth1') })).toMatchObject({ out: { node: 'leaf1', iface: 'eth2' }, in: { node: 'spine2', iface: 'eth1' } });
    const up = resolveHop(links, owners, 'host1', { dev: 'br-phy', gateway: addressOf('leaf2', 'eth3') });
    expect(up).toMatchObject({ out: { node: 'host1', iface: 'eth2' }, in: { node: 'leaf2', iface: 'eth3' }, dev: 'br-phy' });
    // Towards a chassis, whose address sits on br-phy: the leaf's own device says the link.
    expect(resolveHop(links, owners, 'leaf1', { dev: 'eth3', gateway: addressOf('host1', 'eth1') })).toMatchObject({ in: { node: 'host1', iface: 'eth1' } });
  });

  it('says when the next hop’s node is not a neighbour', () => {
    expect(resolveHop(links, owners, 'host1', { dev: 'br-phy', gateway: addressOf('spine1', 'eth1') })).toBe(`host1: the route leaves by dev br-phy via ${addressOf('spine1', 'eth1')} (spine1:eth1), but no link joins host1 and spine1`);
  });
});

describe('a path’s interfaces and links', () => {
  it('lists both ends of every link and the device the sender’s kernel uses; egresses are where it leaves each node', async () => {
    const found = await enumeratePaths({ src: 'host1', dst: 'host2', links, owners, ports: PORTS, lookup: fakeKernels('host2') });
    const p = found.paths[0]!;
    expect(pathInterfaces(p)).toEqual(['host1:br-phy', 'host1:eth1', 'leaf1:eth3', 'leaf1:eth1', 'spine1:eth1', 'spine1:eth3', 'leaf3:eth1', 'leaf3:eth3', 'host2:eth1']);
    expect(pathEgresses(p)).toEqual(['host1:eth1', 'leaf1:eth1', 'spine1:eth3', 'leaf3:eth3']);
  });
});

describe('disjointRounds', () => {
  it('puts together only items that share no key, first fit in order', () => {
    const items = [
      { n: 'a', keys: ['x', 'y'] },
      { n: 'b', keys: ['y'] },
      { n: 'c', keys: ['z'] },
      { n: 'd', keys: ['x'] },
      { n: 'e', keys: [] },
    ];
    expect(disjointRounds(items, (i) => i.keys).map((r) => r.map((i) => i.n).join(''))).toEqual(['ace', 'bd']);
  });

  it('measures host1’s four paths to host2 one after another: they all leave host1 by its one uplink', async () => {
    const found = await enumeratePaths({ src: 'host1', dst: 'host2', links, owners, ports: PORTS, lookup: fakeKernels('host2') });
    const back = await enumeratePaths({ src: 'host2', dst: 'host1', links, owners, ports: PORTS, lookup: fakeKernels('host1') });
    const rounds = disjointRounds([...found.paths, ...back.paths], pathEgresses);
    expect(rounds).toHaveLength(4);
    // Each round has one path each way: the two directions share no link the same way.
    for (const r of rounds) expect(r.map((p) => p.src).sort()).toEqual(['host1', 'host2']);
  });
});
