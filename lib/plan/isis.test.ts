import { describe, expect, it } from 'vitest';
import { areaOfNet, expectedIsisAdjacencies, expectedIsisRoutes, parseIsisConfig, type IsisConfig } from './isis.ts';

// A ring of three routers, /31 links, loopbacks passive in IS-IS, level 2 only (FRR 8.4's isis1 lab).
const conf = (n: number, links: [string, string][], extra: { isType?: string; net?: string; iface?: Record<string, string[]> } = {}) =>
  [
    'frr defaults datacenter',
    `hostname router${n}`,
    '!',
    ...links.flatMap(([iface, cidr]) => [`interface ${iface}`, ` ip address ${cidr}`, ' ip router isis core', ' isis network point-to-point', ...(extra.iface?.[iface] ?? []).map((l) => ` ${l}`), '!']),
    'interface lo',
    ` ip address 10.10.10.${n}/32`,
    ' ip router isis core',
    ' isis passive',
    '!',
    'router isis core',
    ` net ${extra.net ?? `49.0001.0000.0000.000${n}.00`}`,
    ` is-type ${extra.isType ?? 'level-2-only'}`,
    '!',
  ].join('\n');
const links1: [string, string][] = [['eth1', '10.0.12.0/31'], ['eth2', '10.0.13.0/31']];
const links2: [string, string][] = [['eth1', '10.0.12.1/31'], ['eth2', '10.0.23.0/31']];
const links3: [string, string][] = [['eth1', '10.0.13.1/31'], ['eth2', '10.0.23.1/31']];
const ringOf = (c1: string, c2: string, c3: string) => new Map<string, IsisConfig>([parseIsisConfig('router1', c1)!, parseIsisConfig('router2', c2)!, parseIsisConfig('router3', c3)!].map((c) => [c.router, c]));
const configs = ringOf(conf(1, links1), conf(2, links2), conf(3, links3));
const link = (a: string, b: string) => ({ endpoints: [a, b].map((e) => ({ node: e.split(':')[0]!, iface: e.split(':')[1]! })) as [{ node: string; iface: string }, { node: string; iface: string }] });
const ring = [link('router1:eth1', 'router2:eth1'), link('router1:eth2', 'router3:eth1'), link('router2:eth2', 'router3:eth2'), link('PC1:eth1', 'router1:eth3')];
const names = (adjs: { at: string; iface: string; neighbor: string; neighborIface: string }[]) => adjs.map((a) => `${a.at}:${a.iface}-${a.neighbor}:${a.neighborIface}`);

describe('parseIsisConfig', () => {
  it('reads the instance (net, is-type) and each interface (addresses, instance, passive, metric, circuit-type, network); undefined without router isis', () => {
    const c = configs.get('router1')!;
    expect(c.instances).toEqual({ core: { name: 'core', areas: ['49.0001'], levels: [2] } });
    expect(c.interfaces.eth1).toEqual({ addresses: ['10.0.12.0/31'], instance: 'core', pointToPoint: true });
    expect(c.interfaces.lo).toEqual({ addresses: ['10.10.10.1/32'], instance: 'core', passive: true });
    const x = parseIsisConfig('x', 'interface eth1\n ip address 10.0.0.1/31\n ip address 10.9.0.1/24\n ip router isis A\n isis metric 40\n isis metric level-1 5\n isis circuit-type level-1\nexit\n!\nrouter isis A\n net 49.00AA.0000.0000.0009.00\nexit\n')!;
    expect(x.interfaces.eth1).toEqual({ addresses: ['10.0.0.1/31', '10.9.0.1/24'], instance: 'A', metric: { 1: 5, 2: 40 }, circuitLevels: [1] });
    expect(x.instances.A).toEqual({ name: 'A', areas: ['49.00aa'], levels: [1, 2] });
    expect(parseIsisConfig('y', 'router ospf\n network 10.0.0.0/8 area 0\n!')).toBeUndefined();
    expect(areaOfNet('49.0001.1921.6800.1001.00')).toBe('49.0001');
  });
});

describe('expectedIsisAdjacencies', () => {
  it('expects both ends of every ring link with the peer address its frr.conf declares, nothing to a PC or on a passive loopback', () => {
    const adjs = expectedIsisAdjacencies(configs, ring);
    expect(names(adjs)).toEqual(['router1:eth1-router2:eth1', 'router2:eth1-router1:eth1', 'router1:eth2-router3:eth1', 'router3:eth1-router1:eth2', 'router2:eth2-router3:eth2', 'router3:eth2-router2:eth2']);
    expect(adjs[0]).toEqual({ at: 'router1', iface: 'eth1', neighbor: 'router2', neighborIface: 'eth1', levels: [2], neighborAddress: '10.0.12.1' });
  });

  it('expects none where one end leaves the link out of IS-IS, makes it passive, or names an instance it does not define', () => {
    const without = ringOf(conf(1, links1), conf(2, links2).replace(/(interface eth1\n ip address \S+\n) ip router isis core\n/, '$1'), conf(3, links3));
    expect(names(expectedIsisAdjacencies(without, ring)).filter((n) => n.includes('router2:eth1'))).toEqual([]);
    const passive = ringOf(conf(1, links1, { iface: { eth1: ['isis passive'] } }), conf(2, links2), conf(3, links3));
    expect(names(expectedIsisAdjacencies(passive, ring)).filter((n) => n.includes('router1:eth1'))).toEqual([]);
    const otherTag = ringOf(conf(1, links1).replace('interface eth2\n ip address 10.0.13.0/31\n ip router isis core', 'interface eth2\n ip address 10.0.13.0/31\n ip router isis edge'), conf(2, links2), conf(3, links3));
    expect(names(expectedIsisAdjacencies(otherTag, ring)).filter((n) => n.includes('router1:eth2'))).toEqual([]);
  });

  it('forms level 1 only within one area, and only at levels both is-type and circuit-type allow at both ends', () => {
    // router1 and router2 are level-1-2 in area 49.0001, router3 level-1-2 in area 49.0002.
    const l12 = ringOf(conf(1, links1, { isType: 'level-1-2' }), conf(2, links2, { isType: 'level-1-2' }), conf(3, links3, { isType: 'level-1-2', net: '49.0002.0000.0000.0003.00' }));
    const levels = (adjs: ReturnType<typeof expectedIsisAdjacencies>) => Object.fromEntries(adjs.map((a) => [`${a.at}:${a.iface}`, a.levels]));
    expect(levels(expectedIsisAdjacencies(l12, ring))).toMatchObject({ 'router1:eth1': [1, 2], 'router1:eth2': [2], 'router3:eth2': [2] });
    // A level-1 router in another area forms nothing with router1; with a level-2-only circuit, nothing either.
    const l1 = ringOf(conf(1, links1, { isType: 'level-1-2' }), conf(2, links2, { isType: 'level-1-2' }), conf(3, links3, { isType: 'level-1', net: '49.0002.0000.0000.0003.00' }));
    expect(names(expectedIsisAdjacencies(l1, ring)).filter((n) => n.includes('router3'))).toEqual([]);
    const circuit = ringOf(conf(1, links1, { isType: 'level-1-2', iface: { eth1: ['isis circuit-type level-2-only'] } }), conf(2, links2, { isType: 'level-1' }), conf(3, links3, { isType: 'level-1-2' }));
    expect(names(expectedIsisAdjacencies(circuit, ring)).filter((n) => n.includes('router1:eth1'))).toEqual([]);
  });

  it('still expects a link whose ends declare different network types, saying so', () => {
    const mixed = ringOf(conf(1, links1).replace('interface eth1\n ip address 10.0.12.0/31\n ip router isis core\n isis network point-to-point\n', 'interface eth1\n ip address 10.0.12.0/31\n ip router isis core\n'), conf(2, links2), conf(3, links3));
    expect(expectedIsisAdjacencies(mixed, ring).filter((a) => a.iface === 'eth1' && a.at !== 'router3').map((a) => a.networkMismatch)).toEqual([true, true]);
  });
});

describe('expectedIsisRoutes', () => {
  const routes = expectedIsisRoutes(configs, ring);
  const at = (router: string, prefix: string) => routes.find((r) => r.at === router && r.prefix === prefix);

  it('expects what FRR 8.4 installed on the isis1 lab: the far link over both neighbors, each loopback over one, none of its own links', () => {
    // router1's `show ip route json`: 10.0.23.0/31 isis via eth1 and eth2; 10.10.10.2/32 via eth1; 10.10.10.3/32 via eth2.
    expect(routes.filter((r) => r.at === 'router1').map((r) => `${r.prefix} ${r.via.map((v) => `${v.iface}→${v.neighbor}`).join(',')}`)).toEqual([
      '10.0.23.0/31 eth1→router2,eth2→router3',
      '10.10.10.2/32 eth1→router2',
      '10.10.10.3/32 eth2→router3',
    ]);
    expect(at('router1', '10.0.23.0/31')).toEqual({ at: 'router1', prefix: '10.0.23.0/31', advertisedBy: ['router2', 'router3'], width: 2, via: [{ iface: 'eth1', neighbor: 'router2' }, { iface: 'eth2', neighbor: 'router3' }], level: 2 });
    expect(routes).toHaveLength(9);
  });

  it('follows declared metrics: a dearer link leaves one shortest path', () => {
    const dear = ringOf(conf(1, links1, { iface: { eth2: ['isis metric 100'] } }), conf(2, links2), conf(3, links3));
    expect(expectedIsisRoutes(dear, ring).find((r) => r.at === 'router1' && r.prefix === '10.0.23.0/31')).toMatchObject({ width: 1, via: [{ iface: 'eth1', neighbor: 'router2' }] });
    expect(expectedIsisRoutes(dear, ring).find((r) => r.at === 'router1' && r.prefix === '10.10.10.3/32')).toMatchObject({ width: 1, via: [{ iface: 'eth1', neighbor: 'router2' }] });
  });

  it('learns level 1 within the area and level 2 across it, and expects nothing a level-1 router only gets by default route', () => {
    const l1 = ringOf(conf(1, links1, { isType: 'level-1-2' }), conf(2, links2, { isType: 'level-1-2', net: '49.0002.0000.0000.0002.00' }), conf(3, links3, { isType: 'level-1' }));
    const r = expectedIsisRoutes(l1, ring);
    // router3 (level 1, area 49.0001) reaches router1's loopback at level 1 but not router2's (area 49.0002, level 2 only to it).
    expect(r.find((x) => x.at === 'router3' && x.prefix === '10.10.10.1/32')).toMatchObject({ level: 1, via: [{ iface: 'eth1', neighbor: 'router1' }] });
    expect(r.some((x) => x.at === 'router3' && x.prefix === '10.10.10.2/32')).toBe(false);
    // router1 learns router2's loopback at level 2, router3's at level 1.
    expect(r.find((x) => x.at === 'router1' && x.prefix === '10.10.10.2/32')).toMatchObject({ level: 2, width: 1 });
    expect(r.find((x) => x.at === 'router1' && x.prefix === '10.10.10.3/32')).toMatchObject({ level: 1, width: 1 });
  });

  it('never goes through a router that sets the overload bit, but reaches its own prefixes', () => {
    // leaf1 and leaf2 under one spine, and a host dual-homed to both leaves.
    const node = (name: string, n: number, ifaces: [string, string][], overload: boolean) =>
      parseIsisConfig(name, [...ifaces.flatMap(([i, a]) => [`interface ${i}`, ` ip address ${a}`, ' ip router isis fabric', ' isis network point-to-point']), 'interface lo', ` ip address 10.255.0.${n}/32`, ' ip router isis fabric', ' isis passive', 'router isis fabric', ` net 49.0001.0000.0000.000${n}.00`, ' is-type level-2-only', ...(overload ? [' set-overload-bit'] : [])].join('\n'))!;
    const fabric = (overload: boolean) =>
      new Map<string, IsisConfig>(
        [
          node('spine', 1, [['eth1', '10.0.0.0/31'], ['eth2', '10.0.0.2/31']], false),
          node('leaf1', 2, [['eth1', '10.0.0.1/31'], ['eth2', '10.0.0.4/31']], false),
          node('leaf2', 3, [['eth1', '10.0.0.3/31'], ['eth2', '10.0.0.6/31']], false),
          node('host', 4, [['eth1', '10.0.0.5/31'], ['eth2', '10.0.0.7/31']], overload),
        ].map((c) => [c.router, c]),
      );
    const links = [link('spine:eth1', 'leaf1:eth1'), link('spine:eth2', 'leaf2:eth1'), link('leaf1:eth2', 'host:eth1'), link('leaf2:eth2', 'host:eth2')];
    const toLeaf2 = (overload: boolean) => expectedIsisRoutes(fabric(overload), links).find((r) => r.at === 'leaf1' && r.prefix === '10.255.0.3/32');
    expect(toLeaf2(false)).toMatchObject({ width: 2 });
    expect(toLeaf2(true)).toMatchObject({ width: 1, via: [{ iface: 'eth1', neighbor: 'spine' }] });
    expect(expectedIsisRoutes(fabric(true), links).find((r) => r.at === 'spine' && r.prefix === '10.255.0.4/32')).toMatchObject({ width: 2 });
  });

  it('expects nothing without adjacencies, and no prefix at a router that has it connected', () => {
    expect(expectedIsisRoutes(configs, [])).toEqual([]);
    expect(routes.some((r) => r.at === 'router2' && r.prefix === '10.0.12.0/31')).toBe(false);
  });
});
