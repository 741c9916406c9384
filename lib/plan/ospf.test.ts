import { describe, expect, it } from 'vitest';
import { expectedAdjacencies, expectedOspfRoutes, parseOspfConfig, type OspfConfig } from './ospf.ts';

// containerlab's frr01: a ring of three routers, a PC subnet behind each (passive), loopbacks not in OSPF.
const conf = (n: number, links: [string, string][], pc: string) =>
  [
    'frr version 10.5.1',
    'frr defaults traditional',
    `hostname router${n}`,
    '!',
    ...links.flatMap(([iface, cidr]) => [`interface ${iface}`, ` ip address ${cidr}`, '!']),
    'interface eth3',
    ` ip address ${pc}`,
    '!',
    'interface lo',
    ` ip address 10.10.10.${n}/32`,
    '!',
    'router ospf',
    ' passive-interface eth3',
    ...[...links.map(([, cidr]) => cidr), pc].map((cidr) => ` network ${cidr.replace(/\.\d+\//, '.0/')} area 0.0.0.0`),
    '!',
    'line vty',
    '!',
  ].join('\n');
const r1 = parseOspfConfig('router1', conf(1, [['eth1', '192.168.1.1/24'], ['eth2', '192.168.2.1/24']], '192.168.11.1/24'))!;
const r2 = parseOspfConfig('router2', conf(2, [['eth1', '192.168.1.2/24'], ['eth2', '192.168.3.1/24']], '192.168.12.1/24'))!;
const r3 = parseOspfConfig('router3', conf(3, [['eth1', '192.168.2.2/24'], ['eth2', '192.168.3.2/24']], '192.168.13.1/24'))!;
const configs = new Map<string, OspfConfig>([r1, r2, r3].map((c) => [c.router, c]));
const link = (a: string, b: string) => ({ endpoints: [a, b].map((e) => ({ node: e.split(':')[0]!, iface: e.split(':')[1]! })) as [{ node: string; iface: string }, { node: string; iface: string }] });
const ring = [link('router1:eth1', 'router2:eth1'), link('router1:eth2', 'router3:eth1'), link('router2:eth2', 'router3:eth2'), link('PC1:eth1', 'router1:eth3')];

describe('parseOspfConfig', () => {
  it('reads networks, passive interfaces, addresses, areas and costs; undefined without router ospf', () => {
    expect(r1.networks).toEqual([
      { prefix: '192.168.1.0/24', area: '0.0.0.0' },
      { prefix: '192.168.2.0/24', area: '0.0.0.0' },
      { prefix: '192.168.11.0/24', area: '0.0.0.0' },
    ]);
    expect([...r1.passive.ifaces]).toEqual(['eth3']);
    expect(r1.interfaces.lo).toEqual({ address: '10.10.10.1/32' });
    const c = parseOspfConfig('x', 'interface eth1\n ip address 10.0.0.1/31\n ip ospf area 1\n ip ospf cost 40\n!\nrouter ospf\n passive-interface default\n no passive-interface eth1\n!')!;
    expect(c.interfaces.eth1).toEqual({ address: '10.0.0.1/31', area: '1', cost: 40 });
    expect(c.passive).toEqual({ all: true, ifaces: new Set(), except: new Set(['eth1']) });
    expect(parseOspfConfig('y', 'router bgp 65000\n neighbor 10.0.0.1 remote-as 65001\n!')).toBeUndefined();
  });
});

describe('expectedAdjacencies', () => {
  it('expects both ends of every ring link, and nothing to a PC or on a passive interface', () => {
    expect(expectedAdjacencies(configs, ring).map((a) => `${a.at}:${a.iface}-${a.neighbor}:${a.neighborIface}`)).toEqual([
      'router1:eth1-router2:eth1',
      'router2:eth1-router1:eth1',
      'router1:eth2-router3:eth1',
      'router3:eth1-router1:eth2',
      'router2:eth2-router3:eth2',
      'router3:eth2-router2:eth2',
    ]);
  });

  it('expects none on a link one end leaves out of OSPF; one the ends put in two areas is still expected, saying so', () => {
    const out = parseOspfConfig('router2', conf(2, [['eth1', '192.168.1.2/24'], ['eth2', '192.168.3.1/24']], '192.168.12.1/24').replace(' network 192.168.1.0/24 area 0.0.0.0\n', ''))!;
    expect(expectedAdjacencies(new Map([...configs, ['router2', out]]), ring).some((a) => a.at === 'router2' && a.iface === 'eth1')).toBe(false);
    const area1 = parseOspfConfig('router3', conf(3, [['eth1', '192.168.2.2/24'], ['eth2', '192.168.3.2/24']], '192.168.13.1/24').replace('network 192.168.2.0/24 area 0.0.0.0', 'network 192.168.2.0/24 area 0.0.0.1'))!;
    expect(expectedAdjacencies(new Map([...configs, ['router3', area1]]), ring).filter((a) => a.iface === 'eth1' && a.at === 'router3')).toEqual([
      { at: 'router3', iface: 'eth1', neighbor: 'router1', neighborIface: 'eth2', area: '0.0.0.1', neighborArea: '0.0.0.0' },
    ]);
  });
});

describe('expectedOspfRoutes', () => {
  const routes = expectedOspfRoutes(configs, ring);
  const at = (router: string, prefix: string) => routes.find((r) => r.at === router && r.prefix === prefix);

  it('expects every advertised subnet at every router not attached to it, and no loopback (not in OSPF)', () => {
    expect(routes.filter((r) => r.at === 'router1').map((r) => r.prefix).sort()).toEqual(['192.168.12.0/24', '192.168.13.0/24', '192.168.3.0/24']);
    expect(routes.some((r) => r.prefix.startsWith('10.10.10.'))).toBe(false);
  });

  it('gives the far link of the ring two equal-cost next hops, and a PC subnet one', () => {
    expect(at('router1', '192.168.3.0/24')).toMatchObject({ width: 2, via: [{ iface: 'eth1', neighbor: 'router2' }, { iface: 'eth2', neighbor: 'router3' }], advertisedBy: ['router2', 'router3'] });
    expect(at('router1', '192.168.12.0/24')).toMatchObject({ width: 1, via: [{ iface: 'eth1', neighbor: 'router2' }] });
  });

  it('follows declared costs: a dearer link leaves one shortest path', () => {
    const dear = { ...r1, interfaces: { ...r1.interfaces, eth2: { ...r1.interfaces.eth2, cost: 100 } } };
    const r = expectedOspfRoutes(new Map([...configs, ['router1', dear]]), ring).find((x) => x.at === 'router1' && x.prefix === '192.168.13.0/24');
    expect(r).toMatchObject({ width: 1, via: [{ iface: 'eth1', neighbor: 'router2' }] });
  });

  it('never crosses a stub router (max-metric router-lsa administrative), and still reaches its own subnets through it', () => {
    // router3 a stub: router1 reaches router2's PC subnet directly, the far link 192.168.3.0/24 by router2 alone,
    // and router3's PC subnet through router3 itself.
    const stub = parseOspfConfig('router3', `${conf(3, [['eth1', '192.168.2.2/24'], ['eth2', '192.168.3.2/24']], '192.168.13.1/24')}\nrouter ospf\n max-metric router-lsa administrative\n!`)!;
    expect(stub.stubRouter).toBe(true);
    const routes = expectedOspfRoutes(new Map([...configs, ['router3', stub]]), ring);
    const at = (router: string, prefix: string) => routes.find((r) => r.at === router && r.prefix === prefix);
    expect(at('router1', '192.168.3.0/24')).toMatchObject({ width: 2 }); // both ends attached: router3's own subnet
    expect(at('router1', '192.168.13.0/24')).toMatchObject({ width: 1, via: [{ iface: 'eth2', neighbor: 'router3' }] });
    // router2 to router1's PC subnet: directly, never through router3 (equal cost otherwise would not arise; the point is the crossing).
    expect(at('router2', '192.168.11.0/24')).toMatchObject({ width: 1, via: [{ iface: 'eth1', neighbor: 'router1' }] });
    // router1 to router2's loopback-less PC subnet, with its direct link dearer: not through the stub router3.
    const dear = { ...r1, interfaces: { ...r1.interfaces, eth1: { ...r1.interfaces.eth1, cost: 100 } } };
    const viaStub = expectedOspfRoutes(new Map([...configs, ['router1', dear], ['router3', stub]]), ring).find((x) => x.at === 'router1' && x.prefix === '192.168.12.0/24');
    expect(viaStub).toMatchObject({ width: 1, via: [{ iface: 'eth1', neighbor: 'router2' }] });
  });
});
