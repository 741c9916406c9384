import { Address4 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import { EXIT, UsageError } from '../errors.ts';
import { CLOS_LIMITS, ipv6LoopbackOf, loopbacksOf, OVN_GENEVE_OVERHEAD_BYTES, planClos, type ClosOptions, type ClosPlan, type PlannedRouter } from './clos.ts';

const DC: ClosOptions = { name: 'dc', spines: 2, leaves: 4, hosts: 4 };

const byTier = (plan: ClosPlan, tier: PlannedRouter['tier']) => plan.routers.filter((r) => r.tier === tier);
const router = (plan: ClosPlan, name: string) => {
  const r = plan.routers.find((x) => x.name === name);
  if (!r) throw new Error(`no router ${name}`);
  return r;
};
/** The /31 network an address with prefix belongs to, e.g. 10.1.0.0/31 for 10.1.0.1/31. */
const network = (cidr: string) => {
  const a = new Address4(cidr);
  return `${a.startAddress().address}/${a.subnetMask}`;
};
// Numbered plans: every link end has an address.
const allEndAddresses = (plan: ClosPlan) => plan.links.flatMap((l) => [l.a.address!, l.b.address!]);
const distinct = <T>(xs: T[]) => new Set(xs).size === xs.length;

describe('planClos: shape', () => {
  const plan = planClos(DC);

  it('plans spines + leaves + hosts routers, named by tier', () => {
    expect(plan.name).toBe('dc');
    expect(byTier(plan, 'spine').map((r) => r.name)).toEqual(['spine1', 'spine2']);
    expect(byTier(plan, 'leaf').map((r) => r.name)).toEqual(['leaf1', 'leaf2', 'leaf3', 'leaf4']);
    expect(byTier(plan, 'compute').map((r) => r.name)).toEqual(['host1', 'host2', 'host3', 'host4']);
  });

  it('links every spine to every leaf, and every host to two leaves', () => {
    expect(plan.links).toHaveLength(DC.spines * DC.leaves + 2 * DC.hosts);
    for (const s of byTier(plan, 'spine')) {
      for (const l of byTier(plan, 'leaf')) {
        const between = plan.links.filter((k) => [k.a.node, k.b.node].sort().join() === [s.name, l.name].sort().join());
        expect(between, `${s.name}–${l.name}`).toHaveLength(1);
      }
    }
    expect(plan.links.filter((k) => k.a.node.startsWith('spine') && k.b.node.startsWith('spine'))).toEqual([]);
    expect(plan.links.filter((k) => k.a.node.startsWith('leaf') && k.b.node.startsWith('leaf'))).toEqual([]);
  });

  it('gives spine–leaf links the fabric MTU and leaf–host links the host MTU (9000 and 1500 by default)', () => {
    for (const l of plan.links) {
      const toHost = l.a.node.startsWith('host') || l.b.node.startsWith('host');
      expect(l.mtu, `${l.a.node}–${l.b.node}`).toBe(toHost ? 1500 : 9000);
    }
    const custom = planClos({ ...DC, fabricMtu: 9100, hostMtu: 1400 });
    expect(new Set(custom.links.map((l) => l.mtu))).toEqual(new Set([9100, 1400]));
  });

  it('plans BFD at 300 ms × 3 unless told otherwise', () => {
    expect(plan.bfd).toEqual({ intervalMs: 300, multiplier: 3 });
    expect(planClos({ ...DC, bfdIntervalMs: 100, bfdMultiplier: 5 }).bfd).toEqual({ intervalMs: 100, multiplier: 5 });
  });

  it('plans a fabric without hosts, even with an odd number of leaves', () => {
    const p = planClos({ name: 'x', spines: 1, leaves: 3, hosts: 0 });
    expect(p.routers).toHaveLength(4);
    expect(p.links).toHaveLength(3);
  });
});

describe('planClos: addresses', () => {
  const plan = planClos(DC);

  it('puts both ends of every link in the same /31', () => {
    for (const l of plan.links) {
      const a = new Address4(l.a.address!);
      const b = new Address4(l.b.address!);
      expect(a.subnetMask).toBe(31);
      expect(b.subnetMask).toBe(31);
      expect(a.correctForm()).not.toBe(b.correctForm());
      expect(network(l.a.address!)).toBe(network(l.b.address!));
      expect(a.isInSubnet(new Address4('10.1.0.0/16'))).toBe(true);
    }
  });

  it('uses every address once and every /31 for one link', () => {
    expect(distinct(allEndAddresses(plan).map((a) => new Address4(a).correctForm()))).toBe(true);
    expect(distinct(plan.links.map((l) => network(l.a.address!)))).toBe(true);
  });

  it('gives every router a unique /32 loopback in its tier’s block, and the loopback as router id', () => {
    const blocks = { spine: '10.255.0.0/24', leaf: '10.255.1.0/24', compute: '10.255.2.0/24', 'ovn-central': '10.255.3.0/24' };
    for (const r of plan.routers) {
      const lo = new Address4(r.loopback!);
      expect(lo.subnetMask, r.name).toBe(32);
      expect(lo.isInSubnet(new Address4(blocks[r.tier])), `${r.name} ${r.loopback}`).toBe(true);
      expect(r.routerId).toBe(lo.correctForm());
    }
    expect(distinct(plan.routers.map((r) => new Address4(r.loopback!).correctForm()))).toBe(true);
  });

  it('keeps loopbacks out of the link addresses', () => {
    const fabric = new Address4('10.1.0.0/16');
    for (const r of plan.routers) expect(new Address4(r.loopback!).isInSubnet(fabric)).toBe(false);
  });

  it('stays unique and inside its blocks at the largest allowed size', () => {
    const big = planClos({ name: 'big', spines: CLOS_LIMITS.spines[1], leaves: CLOS_LIMITS.leaves[1], hosts: CLOS_LIMITS.hosts[1] });
    const fabric = new Address4('10.1.0.0/16');
    const ends = allEndAddresses(big);
    expect(ends).toHaveLength(2 * (16 * 64 + 2 * 512));
    expect(distinct(ends.map((a) => new Address4(a).correctForm()))).toBe(true);
    expect(ends.every((a) => new Address4(a).isInSubnet(fabric))).toBe(true);
    expect(distinct(big.routers.map((r) => r.loopback))).toBe(true);
    // The first 254 hosts keep the hosts' /24 (every lab generated before keeps its addresses); the rest come after.
    const hosts = byTier(big, 'compute');
    expect(hosts.slice(0, 254).every((h) => new Address4(h.loopback!).isInSubnet(new Address4('10.255.2.0/24')))).toBe(true);
    expect(hosts.slice(254).every((h) => new Address4(h.loopback!).isInSubnet(new Address4('10.255.16.0/20')))).toBe(true);
    expect(hosts[254]!.loopback).toBe('10.255.16.1/32');
  });

  it('gives hosts private 16-bit ASNs while they last (65301–65534), then private 32-bit ones (RFC 6996)', () => {
    const big = planClos({ name: 'big', spines: 8, leaves: 64, hosts: 328 });
    const asns = byTier(big, 'compute').map((h) => h.asn);
    expect(asns[233]).toBe(65534);
    expect(asns[234]).toBe(4_200_000_235);
    expect(asns.every((a) => (a >= 64512 && a <= 65534) || (a >= 4_200_000_000 && a <= 4_294_967_294))).toBe(true);
    expect(new Set(asns).size).toBe(328);
    expect(big.routers).toHaveLength(400);
  });

  it("refuses more VMs than a switch's /24 holds", () => {
    expect(() => planClos({ name: 'big', spines: 2, leaves: 4, hosts: 61, vmsPerHost: 8 })).toThrow(/244 VMs on each of the web and db switches, more than their \/24s hold \(240\)/);
  });
});

describe('planClos: ASNs (RFC 7938)', () => {
  const plan = planClos(DC);

  it('gives all spines one ASN', () => {
    expect(new Set(byTier(plan, 'spine').map((r) => r.asn)).size).toBe(1);
  });

  it('gives every leaf and every host its own ASN, none shared with the spines', () => {
    const spineAsn = byTier(plan, 'spine')[0]!.asn;
    const others = [...byTier(plan, 'leaf'), ...byTier(plan, 'compute')].map((r) => r.asn);
    expect(distinct(others)).toBe(true);
    expect(others).not.toContain(spineAsn);
  });

  it('uses private 16-bit ASNs', () => {
    for (const r of plan.routers) expect(r.asn >= 64512 && r.asn <= 65534, `${r.name} AS ${r.asn}`).toBe(true);
  });
});

describe('planClos: interfaces and peers', () => {
  const plan = planClos(DC);

  it('numbers every router’s interfaces eth1, eth2, … without gaps', () => {
    for (const r of plan.routers) expect(r.interfaces.map((i) => i.name), r.name).toEqual(r.interfaces.map((_, k) => `eth${k + 1}`));
  });

  it('gives spines one interface per leaf, leaves one per spine plus one per attached host, hosts two', () => {
    for (const s of byTier(plan, 'spine')) expect(s.interfaces).toHaveLength(DC.leaves);
    const hostPorts = byTier(plan, 'leaf').map((l) => l.interfaces.length - DC.spines);
    expect(hostPorts.reduce((a, b) => a + b, 0)).toBe(2 * DC.hosts);
    for (const h of byTier(plan, 'compute')) expect(h.interfaces).toHaveLength(2);
  });

  it('puts a leaf’s spine uplinks first', () => {
    for (const l of byTier(plan, 'leaf')) {
      expect(l.interfaces.slice(0, DC.spines).map((i) => i.peer.node)).toEqual(byTier(plan, 'spine').map((s) => s.name));
    }
  });

  it('describes each interface’s peer exactly as the peer sees itself', () => {
    for (const r of plan.routers) {
      for (const i of r.interfaces) {
        const peer = router(plan, i.peer.node);
        const back = peer.interfaces.find((x) => x.name === i.peer.iface);
        expect(back, `${r.name}:${i.name} → ${i.peer.node}:${i.peer.iface}`).toBeDefined();
        expect(back!.peer).toEqual({ node: r.name, iface: i.name, address: new Address4(i.address!).correctForm(), asn: r.asn });
        expect(i.peer.address!).toBe(new Address4(back!.address!).correctForm());
        expect(i.peer.asn).toBe(peer.asn);
        expect(network(i.address!)).toBe(network(back!.address!));
      }
    }
  });

  it('lists each link once, matching the routers’ interfaces', () => {
    const fromLinks = plan.links.flatMap((l) => [`${l.a.node}:${l.a.iface}=${l.a.address}`, `${l.b.node}:${l.b.iface}=${l.b.address}`]).sort();
    const fromRouters = plan.routers.flatMap((r) => r.interfaces.map((i) => `${r.name}:${i.name}=${i.address}`)).sort();
    expect(fromLinks).toEqual(fromRouters);
  });
});

describe('planClos: hosts are dual-homed to a leaf pair', () => {
  const leafIndex = (name: string) => Number(/^leaf(\d+)$/.exec(name)?.[1]);

  it.each([
    { spines: 2, leaves: 4, hosts: 4 },
    { spines: 1, leaves: 2, hosts: 3 },
    { spines: 4, leaves: 8, hosts: 10 },
  ])('$spines spines, $leaves leaves, $hosts hosts', (size) => {
    const plan = planClos({ name: 'p', ...size });
    const perPair = new Map<number, number>();
    for (const h of byTier(plan, 'compute')) {
      const peers = h.interfaces.map((i) => i.peer.node);
      expect(peers.every((p) => p.startsWith('leaf')), `${h.name}: ${peers}`).toBe(true);
      const [x, y] = peers.map(leafIndex).sort((a, b) => a - b) as [number, number];
      expect(x % 2, `${h.name} on leaf${x}/leaf${y}`).toBe(1); // a pair is (leaf1, leaf2), (leaf3, leaf4)…
      expect(y).toBe(x + 1);
      perPair.set(x, (perPair.get(x) ?? 0) + 1);
    }
    // Hosts spread over the pairs: no pair has two more hosts than another.
    const counts = [...perPair.values()];
    expect(perPair.size).toBe(Math.min(size.hosts, size.leaves / 2));
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });
});

describe('planClos: limits', () => {
  const usage = (opts: Partial<ClosOptions>) => {
    try {
      planClos({ ...DC, ...opts });
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).exitCode).toBe(EXIT.usage);
      return (e as Error).message;
    }
    throw new Error(`expected planClos(${JSON.stringify(opts)}) to throw`);
  };

  it.each([
    [{ spines: 0 }, /--spines must be an integer from 1 to 16 \(got 0\)/],
    [{ spines: 17 }, /--spines .*got 17/],
    [{ leaves: 1, hosts: 0 }, /--leaves must be an integer from 2 to 64 \(got 1\)/],
    [{ leaves: 66 }, /--leaves .*got 66/],
    [{ hosts: -1 }, /--hosts .*got -1/],
    [{ hosts: 513 }, /--hosts must be an integer from 0 to 512 \(got 513\)/],
    [{ spines: 1.5 }, /--spines must be an integer/],
    [{ leaves: Number.NaN }, /--leaves must be an integer/],
  ])('refuses %j', (opts, message) => {
    expect(usage(opts)).toMatch(message);
  });

  it('refuses an odd number of leaves when there are hosts to dual-home', () => {
    expect(usage({ leaves: 3, hosts: 1 })).toMatch(/--leaves must be even.*got 3.*leaf pair/);
  });

  it('accepts the limits themselves', () => {
    expect(() => planClos({ name: 'min', spines: CLOS_LIMITS.spines[0], leaves: CLOS_LIMITS.leaves[0], hosts: CLOS_LIMITS.hosts[0] })).not.toThrow();
  });
});

describe('planClos: overlay (vmsPerHost > 0)', () => {
  const OV: ClosOptions = { ...DC, vmsPerHost: 2 };
  const plan = planClos(OV);
  const central = byTier(plan, 'ovn-central');

  it('has no overlay, no central and plain hosts without vmsPerHost', () => {
    for (const p of [planClos(DC), planClos({ ...DC, vmsPerHost: 0 })]) {
      expect(p.overlay).toBeUndefined();
      expect(byTier(p, 'ovn-central')).toEqual([]);
      for (const h of byTier(p, 'compute')) expect(h).toMatchObject({ maxPaths: 64, addressesOn: 'interfaces' });
    }
  });

  it('adds one OVN central with a /32 loopback in 10.255.3.0/24 as its router id', () => {
    expect(central).toHaveLength(1);
    const c = central[0]!;
    expect(c.loopback).toMatch(/\/32$/);
    expect(new Address4(c.loopback!).isInSubnet(new Address4('10.255.3.0/24'))).toBe(true);
    expect(c.loopback).toBe(`${c.routerId}/32`);
    expect(plan.overlay).toMatchObject({ central: c.name, centralAddress: c.routerId });
  });

  it('dual-homes the central to leaf1 and leaf2 at the host MTU, whatever the number of leaves', () => {
    for (const opts of [OV, { ...OV, leaves: 8, hostMtu: 1400 }]) {
      const p = planClos(opts);
      const c = byTier(p, 'ovn-central')[0]!;
      expect(c.interfaces.map((i) => i.peer.node)).toEqual(['leaf1', 'leaf2']);
      const links = p.links.filter((l) => l.a.node === c.name || l.b.node === c.name);
      expect(links).toHaveLength(2);
      for (const l of links) expect(l.mtu).toBe(opts.hostMtu ?? 1500);
      for (const i of c.interfaces) expect(router(p, i.peer.node).interfaces.find((x) => x.name === i.peer.iface)?.peer).toMatchObject({ node: c.name, iface: i.name });
    }
  });

  it('gives the central its own ASN, a loopback and link addresses no one else has', () => {
    const c = central[0]!;
    expect(plan.routers.filter((r) => r.asn === c.asn).map((r) => r.name)).toEqual([c.name]);
    expect(plan.routers.filter((r) => r.loopback === c.loopback)).toHaveLength(1);
    expect(distinct(allEndAddresses(plan))).toBe(true);
    expect(allEndAddresses(plan).map((a) => a.split('/')[0])).not.toContain(c.routerId);
  });

  it('makes the hosts OVN chassis: one path, addresses on br-phy; nothing else changes', () => {
    for (const h of byTier(plan, 'compute')) expect(h, h.name).toMatchObject({ maxPaths: 1, addressesOn: 'br-phy' });
    for (const r of plan.routers.filter((x) => x.tier !== 'compute')) expect(r, r.name).toMatchObject({ maxPaths: 64, addressesOn: 'interfaces' });
  });

  it('plans vmsPerHost VMs on every host, each with its own port, address and name', () => {
    const vms = plan.overlay!.vms;
    expect(vms).toHaveLength(DC.hosts * OV.vmsPerHost!);
    for (const h of byTier(plan, 'compute')) expect(vms.filter((v) => v.host === h.name), h.name).toHaveLength(OV.vmsPerHost!);
    expect(vms.map((v) => v.name)).toEqual(vms.map((_, i) => `vm${i + 1}`));
    for (const v of vms) expect(v.hostIface).toBe(v.name);
    expect(distinct(vms.map((v) => v.ip))).toBe(true);
  });

  it('alternates the VMs between the web and db subnets, so every host has both when it has two', () => {
    const vms = plan.overlay!.vms;
    for (const v of vms) {
      const subnet = v.switch === 'web' ? '10.20.1.0/24' : '10.20.2.0/24';
      expect(new Address4(v.ip).isInSubnet(new Address4(subnet)), `${v.name} ${v.ip} in ${subnet}`).toBe(true);
    }
    expect(vms.map((v) => v.switch)).toEqual(vms.map((_, i) => (i % 2 === 0 ? 'web' : 'db')));
    for (const h of byTier(plan, 'compute')) expect(new Set(vms.filter((v) => v.host === h.name).map((v) => v.switch)), h.name).toEqual(new Set(['web', 'db']));
  });

  it.each([
    { hostMtu: 1500, fabricMtu: 9000 },
    { hostMtu: 9000, fabricMtu: 1500 },
    { hostMtu: 9000, fabricMtu: 9000 },
    { hostMtu: 1400, fabricMtu: 1450 },
  ])('defaults the VM MTU to the smallest underlay MTU minus the GENEVE overhead ($hostMtu host, $fabricMtu fabric)', (mtus) => {
    const p = planClos({ ...OV, ...mtus });
    const expected = Math.min(mtus.hostMtu, mtus.fabricMtu) - OVN_GENEVE_OVERHEAD_BYTES;
    expect(new Set(p.overlay!.vms.map((v) => v.mtu))).toEqual(new Set([expected]));
  });

  it('uses the GENEVE overhead measured on the wire: outer Ethernet, IPv4, UDP, Geneve and OVN’s 8-byte option', () => {
    expect(OVN_GENEVE_OVERHEAD_BYTES).toBe(14 + 20 + 8 + 8 + 8);
    expect(planClos(OV).overlay!.vms[0]!.mtu).toBe(1500 - OVN_GENEVE_OVERHEAD_BYTES);
  });

  it('takes the VM MTU it is given', () => {
    expect(new Set(planClos({ ...OV, vmMtu: 1300 }).overlay!.vms.map((v) => v.mtu))).toEqual(new Set([1300]));
    expect(new Set(planClos({ ...OV, fabricMtu: 9000, hostMtu: 9000, vmMtu: 1500 }).overlay!.vms.map((v) => v.mtu))).toEqual(new Set([1500]));
  });

  it('refuses VMs without hosts to run on, as a usage error', () => {
    const err = (() => {
      try {
        planClos({ ...DC, hosts: 0, vmsPerHost: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(EXIT.usage);
    expect((err as Error).message).toBe('--vms-per-host needs hosts to run on: set --hosts too');
  });

  it.each([-1, 9, 1.5, Number.NaN])('refuses --vms-per-host %s', (vmsPerHost) => {
    expect(() => planClos({ ...DC, vmsPerHost })).toThrow(new UsageError(`--vms-per-host must be an integer from 0 to 8 (got ${vmsPerHost})`));
  });
});

describe('planClos --unnumbered', () => {
  const un = planClos({ name: 'un', spines: 2, leaves: 4, hosts: 2, unnumbered: true });

  it('plans no link addresses and names each peer by node, interface and ASN', () => {
    expect(un.links.flatMap((l) => [l.a.address, l.b.address]).filter((a) => a !== undefined)).toEqual([]);
    for (const r of un.routers) for (const i of r.interfaces) {
      expect(i.address).toBeUndefined();
      const peer = un.routers.find((x) => x.name === i.peer.node)!;
      expect(i.peer).toEqual({ node: peer.name, iface: peer.interfaces.find((x) => x.peer.node === r.name && x.peer.iface === i.name)!.name, asn: peer.asn });
    }
  });

  it('keeps the loopbacks, ASNs and links of the numbered plan', () => {
    const numbered = planClos({ name: 'un', spines: 2, leaves: 4, hosts: 2 });
    expect(un.routers.map((r) => [r.name, r.asn, r.loopback])).toEqual(numbered.routers.map((r) => [r.name, r.asn, r.loopback]));
    expect(un.links.map((l) => `${l.a.node}:${l.a.iface}-${l.b.node}:${l.b.iface}`)).toEqual(numbered.links.map((l) => `${l.a.node}:${l.a.iface}-${l.b.node}:${l.b.iface}`));
  });

  it('refuses an overlay, saying why', () => {
    expect(() => planClos({ name: 'un', spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1, unnumbered: true })).toThrow(/--unnumbered builds an underlay only: drop --vms-per-host/);
  });
});

describe('planClos --underlay dual-stack', () => {
  const ds = planClos({ name: 'ds', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'dual-stack' });

  it('gives every router an IPv6 /128 loopback that reads as its IPv4 one, all distinct', () => {
    expect(ds.addressFamilies).toBe('dual-stack');
    expect(ds.routers.map((r) => [r.loopback, r.loopback6])).toEqual([
      ['10.255.0.1/32', 'fd00:10:255::1/128'],
      ['10.255.0.2/32', 'fd00:10:255::2/128'],
      ['10.255.1.1/32', 'fd00:10:255:1::1/128'],
      ['10.255.1.2/32', 'fd00:10:255:1::2/128'],
      ['10.255.2.1/32', 'fd00:10:255:2::1/128'],
      ['10.255.2.2/32', 'fd00:10:255:2::2/128'],
    ]);
    expect(ipv6LoopbackOf('10.255.16.200')).toBe('fd00:10:255:16::200/128');
  });

  it('plans IPv4 loopbacks only by default', () => {
    const v4 = planClos({ name: 'v4', spines: 2, leaves: 2, hosts: 2, unnumbered: true });
    expect(v4.addressFamilies).toBe('ipv4');
    expect(v4.routers.every((r) => r.loopback6 === undefined)).toBe(true);
  });

  it('plans dual stack on numbered links too: the IPv4 sessions carry both families', () => {
    const numbered = planClos({ name: 'ds', spines: 2, leaves: 2, hosts: 2, underlayFamily: 'dual-stack' });
    expect(numbered.routers.every((r) => r.loopback && r.loopback6)).toBe(true);
    expect(numbered.routers.flatMap((r) => r.interfaces).every((i) => i.address && i.peer.address)).toBe(true);
  });

  it('refuses IPv6 only without --unnumbered, as a usage error saying why', () => {
    const v6 = () => planClos({ name: 'v6', spines: 2, leaves: 2, hosts: 2, underlayFamily: 'ipv6' });
    expect(v6).toThrow(UsageError);
    expect(v6).toThrow('--underlay ipv6 needs --unnumbered: its sessions run over IPv6 link-local addresses (numbered IPv6 links are not built yet)');
  });
});

describe('planClos --underlay ipv6', () => {
  const v6 = planClos({ name: 'v6', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'ipv6' });

  it('gives every router an IPv6 /128 loopback and no IPv4 one; the router ID stays a 32-bit ID', () => {
    expect(v6.addressFamilies).toBe('ipv6');
    expect(v6.routers.map((r) => [r.loopback, r.loopback6, r.routerId])).toEqual([
      [undefined, 'fd00:10:255::1/128', '10.255.0.1'],
      [undefined, 'fd00:10:255::2/128', '10.255.0.2'],
      [undefined, 'fd00:10:255:1::1/128', '10.255.1.1'],
      [undefined, 'fd00:10:255:1::2/128', '10.255.1.2'],
      [undefined, 'fd00:10:255:2::1/128', '10.255.2.1'],
      [undefined, 'fd00:10:255:2::2/128', '10.255.2.2'],
    ]);
    expect(v6.routers.map(loopbacksOf)).toEqual(v6.routers.map((r) => [r.loopback6]));
  });

  it.each(['ipv6', 'dual-stack'] as const)('refuses an overlay on --underlay %s: OVN here tunnels between IPv4 TEPs', (family) => {
    const overlaid = () => planClos({ name: 'v6', spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1, unnumbered: true, underlayFamily: family });
    expect(overlaid).toThrow(UsageError);
    expect(overlaid).toThrow(`--underlay ${family} builds an underlay only: drop --vms-per-host/--namespaces (the OVN overlay here tunnels between IPv4 TEPs`);
  });
});

describe('planClos --underlay-protocol', () => {
  const strip = (p: ClosPlan) => ({ ...p, underlay: undefined });

  it('plans eBGP by default, and the same routers, links and addresses whatever the protocol', () => {
    expect(planClos(DC).underlay).toBe('bgp');
    for (const underlayProtocol of ['ospf', 'isis'] as const) {
      const igp = planClos({ ...DC, underlayProtocol });
      expect(igp.underlay).toBe(underlayProtocol);
      expect(strip(igp)).toEqual(strip(planClos(DC)));
    }
  });

  it('refuses --unnumbered with an IGP, naming the option and the fix, as a usage error', () => {
    for (const underlayProtocol of ['ospf', 'isis'] as const) {
      const refuse = () => planClos({ ...DC, unnumbered: true, underlayProtocol });
      expect(refuse).toThrow(UsageError);
      expect(refuse).toThrow(`--unnumbered is BGP unnumbered (RFC 5549): drop it, or use --underlay-protocol bgp (got --underlay-protocol ${underlayProtocol}`);
    }
  });

  it('refuses an IGP with an overlay, saying why and what to use instead', () => {
    for (const overlay of [{ vmsPerHost: 1 }, { namespaces: 2 }]) {
      for (const underlayProtocol of ['ospf', 'isis'] as const) {
        const refuse = () => planClos({ ...DC, ...overlay, underlayProtocol });
        expect(refuse).toThrow(UsageError);
        expect(refuse).toThrow(new RegExp(`^--underlay-protocol ${underlayProtocol} builds an underlay only: drop --vms-per-host/--namespaces, or use --underlay-protocol bgp \\(an OVN chassis keeps its TEP and both uplinks on br-phy`));
      }
    }
  });

  it('refuses a protocol it does not know, listing the ones it does', () => {
    expect(() => planClos({ ...DC, underlayProtocol: 'rip' as 'ospf' })).toThrow('--underlay-protocol must be one of bgp, ospf, isis (got rip)');
  });
});

describe('planClos --link-bandwidth (weighted ECMP)', () => {
  const LB: ClosOptions['linkBandwidth'] = { leaf1: { eth1: 300, eth2: 100 } };
  const withLb = planClos({ ...DC, linkBandwidth: LB });

  it('gives the named router its link bandwidths, and no other router any', () => {
    expect(router(withLb, 'leaf1').linkBandwidthMbps).toEqual({ eth1: 300, eth2: 100 });
    for (const r of withLb.routers.filter((x) => x.name !== 'leaf1')) expect(r, r.name).not.toHaveProperty('linkBandwidthMbps');
  });

  it('changes nothing else in the plan', () => {
    const { linkBandwidthMbps: _lb, ...leaf1 } = router(withLb, 'leaf1');
    expect({ ...withLb, routers: withLb.routers.map((r) => (r.name === 'leaf1' ? leaf1 : r)) }).toEqual(planClos(DC));
    expect(planClos({ ...DC, linkBandwidth: {} })).toEqual(planClos(DC));
  });

  it('copies what it was asked, so the plan does not share the caller’s object', () => {
    const asked = { leaf2: { eth1: 200 } };
    const p = planClos({ ...DC, linkBandwidth: asked });
    asked.leaf2.eth1 = 1;
    expect(router(p, 'leaf2').linkBandwidthMbps).toEqual({ eth1: 200 });
  });

  it('takes several routers, links to hosts, the range’s ends, and an unnumbered fabric', () => {
    const p = planClos({ ...DC, unnumbered: true, linkBandwidth: { spine1: { eth1: 1, eth2: 25600 }, host1: { eth1: 400, eth2: 100 } } });
    expect(router(p, 'spine1').linkBandwidthMbps).toEqual({ eth1: 1, eth2: 25600 });
    expect(router(p, 'host1').linkBandwidthMbps).toEqual({ eth1: 400, eth2: 100 });
  });

  const usage = (linkBandwidth: ClosOptions['linkBandwidth'], more: Partial<ClosOptions> = {}) => {
    try {
      planClos({ ...DC, ...more, linkBandwidth });
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).exitCode).toBe(EXIT.usage);
      return (e as Error).message;
    }
    throw new Error(`expected planClos with --link-bandwidth ${JSON.stringify(linkBandwidth)} to throw`);
  };

  it('refuses a router the fabric does not have, listing the ones it has', () => {
    expect(usage({ leaf9: { eth1: 100 } })).toBe(`--link-bandwidth names leaf9, which this fabric does not have (routers: ${planClos(DC).routers.map((r) => r.name).join(', ')})`);
  });

  it('refuses an interface the router does not have, listing its links and where they lead', () => {
    const links = router(planClos(DC), 'leaf1').interfaces.map((i) => `${i.name} to ${i.peer.node}`).join(', ');
    expect(links).toMatch(/^eth1 to spine1, eth2 to spine2, eth3 to host\d, eth4 to host\d$/);
    expect(usage({ leaf1: { eth1: 300, eth9: 100 } })).toBe(`--link-bandwidth names leaf1:eth9, which is not one of leaf1's links (${links})`);
  });

  it('refuses a link to a host: it sends only its own loopback, which has no other path', () => {
    const host = router(planClos(DC), 'leaf1').interfaces.find((i) => i.name === 'eth3')!.peer.node;
    expect(usage({ leaf1: { eth3: 100 } })).toBe(`--link-bandwidth leaf1:eth3: eth3 leads to ${host}, a host that sends only its own loopback, which leaf1 reaches by that link alone; weigh links to spines or leaves (eth1, eth2)`);
  });

  it.each([0, 25601, 30000, -1, 1.5, Number.NaN])('refuses %s Mbit/s, naming the item and the range', (mbps) => {
    expect(usage({ leaf1: { eth1: 300, eth2: mbps } })).toBe(`--link-bandwidth leaf1:eth2=${mbps}: write the bandwidth in Mbit/s as a whole number from 1 to 25600`);
  });

  it('refuses an IGP underlay: the community is BGP’s', () => {
    for (const underlayProtocol of ['ospf', 'isis'] as const) {
      expect(usage(LB, { underlayProtocol })).toBe(`--link-bandwidth sets BGP's link-bandwidth community: drop it, or use --underlay-protocol bgp (got ${underlayProtocol})`);
    }
    expect(planClos({ ...DC, underlayProtocol: 'ospf', linkBandwidth: {} }).underlay).toBe('ospf');
  });
});
