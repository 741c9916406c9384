import { describe, expect, it } from 'vitest';
import { planClos, type PlannedRouter } from '../plan/clos.ts';
import { linkPeerAddress, routeFamilies } from './fabric.ts';
import type { InterfaceAddress } from './kernel.ts';

// What `ip -j addr show` reports in each node of a planned overlay lab: spines, leaves and the
// central keep their link addresses on eth*, the loopback on lo; a chassis has them all on br-phy.
const plan = planClos({ name: 'ov', spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1 });

function kernelAddresses(r: PlannedRouter): InterfaceAddress[] {
  const a = (iface: string, cidr: string): InterfaceAddress => {
    const [local, len] = cidr.split('/') as [string, string];
    return { iface, family: 'inet', local, prefixlen: Number(len), scope: 'global' };
  };
  const on = (iface: string) => (r.addressesOn === 'br-phy' ? 'br-phy' : iface);
  return [
    { iface: 'lo', family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' },
    a(on('lo'), r.loopback!),
    ...r.interfaces.map((i) => a(on(i.name), i.address!)),
    { iface: on('eth1'), family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
  ];
}

const addrOf = new Map(plan.routers.map((r) => [r.name, kernelAddresses(r)]));
const router = (name: string) => plan.routers.find((r) => r.name === name)!;
const host1 = router('host1');

describe('linkPeerAddress', () => {
  it('finds the peer’s address on every link of a plain fabric, from both ends', () => {
    for (const r of plan.routers.filter((x) => x.addressesOn === 'interfaces')) {
      for (const i of r.interfaces) {
        expect(linkPeerAddress(addrOf, { node: r.name, iface: i.name }, { node: i.peer.node, iface: i.peer.iface }), `${r.name}:${i.name}`).toBe(i.peer.address);
      }
    }
  });

  it('finds a chassis’s address although it sits on br-phy, not on the link’s interface', () => {
    expect(addrOf.get('host1')!.filter((a) => a.iface === 'eth1')).toEqual([]); // the premise
    for (const i of host1.interfaces) {
      const leaf = router(i.peer.node);
      const leafIface = leaf.interfaces.find((x) => x.name === i.peer.iface)!;
      // The leaf's session to the host: the host's address on this link, not its other uplink's or its TEP.
      expect(linkPeerAddress(addrOf, { node: leaf.name, iface: leafIface.name }, { node: 'host1', iface: i.name })).toBe(leafIface.peer.address);
      expect(leafIface.peer.address!).toBe(i.address!.split('/')[0]);
    }
  });

  it('finds the leaf’s address from the chassis’s end (the leaf’s interface gives the subnet)', () => {
    for (const i of host1.interfaces) {
      expect(linkPeerAddress(addrOf, { node: 'host1', iface: i.name }, { node: i.peer.node, iface: i.peer.iface })).toBe(i.peer.address);
    }
  });

  it('never answers with the asking node’s own address, even when the peer claims it too', () => {
    const [l1] = host1.interfaces as [PlannedRouter['interfaces'][0]];
    const leaf = router(l1.peer.node);
    const own = l1.address!.split('/')[0]!;
    // A misconfigured leaf that also holds the host's address (and not its own) on that link.
    const clash = new Map(addrOf);
    clash.set(leaf.name, [
      ...addrOf.get(leaf.name)!.filter((a) => a.local !== l1.peer.address),
      { iface: l1.peer.iface, family: 'inet', local: own, prefixlen: 31, scope: 'global' },
    ]);
    expect(linkPeerAddress(clash, { node: 'host1', iface: l1.name }, { node: leaf.name, iface: l1.peer.iface })).toBeUndefined();
  });

  it('ignores /32s (a TEP on br-phy is not a link address)', () => {
    const tepOnly = new Map(addrOf);
    tepOnly.set('host1', addrOf.get('host1')!.filter((a) => a.prefixlen === 32));
    const [l1] = host1.interfaces as [PlannedRouter['interfaces'][0]];
    expect(linkPeerAddress(tepOnly, { node: l1.peer.node, iface: l1.peer.iface }, { node: 'host1', iface: l1.name })).toBeUndefined();
  });

  it('does not take a /32 on the peer’s link interface (a loopback copied onto it) for its link address', () => {
    const [l1] = host1.interfaces as [PlannedRouter['interfaces'][0]];
    const leaf = router(l1.peer.node);
    const copied = new Map(addrOf);
    copied.set(leaf.name, [{ iface: l1.peer.iface, family: 'inet', local: leaf.routerId, prefixlen: 32, scope: 'global' }, ...addrOf.get(leaf.name)!]);
    expect(linkPeerAddress(copied, { node: 'host1', iface: l1.name }, { node: leaf.name, iface: l1.peer.iface })).toBe(l1.peer.address);
  });

  it('is undefined when neither end has an address on the link, or a node reported none', () => {
    const [l1] = host1.interfaces as [PlannedRouter['interfaces'][0]];
    expect(linkPeerAddress(new Map(), { node: 'host1', iface: l1.name }, { node: l1.peer.node, iface: l1.peer.iface })).toBeUndefined();
    const bare = new Map(addrOf);
    bare.set(l1.peer.node, addrOf.get(l1.peer.node)!.filter((a) => a.iface !== l1.peer.iface));
    // host1's addresses are on br-phy and the leaf's end has none: nothing says which subnet the link is.
    expect(linkPeerAddress(bare, { node: l1.peer.node, iface: l1.peer.iface }, { node: 'host1', iface: l1.name })).toBeUndefined();
  });
});

describe('routeFamilies', () => {
  it('reads IPv6 routes only where an expected route is IPv6', () => {
    expect(routeFamilies([{ prefix: '10.255.0.1/32' }])).toEqual([4]);
    expect(routeFamilies([{ prefix: '10.255.0.1/32' }, { prefix: 'fd00:10:255::1/128' }])).toEqual([4, 6]);
    expect(routeFamilies([])).toEqual([4]);
  });
});
