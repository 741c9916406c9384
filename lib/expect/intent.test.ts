import { describe, expect, it } from 'vitest';
import type { Intent } from '../model/intent.ts';
import { linkLabel, type LabLink } from '../model/topology.ts';
import type { ExpectedRoute, ExpectedSession } from '../plan/expected-routing.ts';
import { bfdCulprits, hashCulprits, mtuCulprits, type ConfiguredBfd } from './intent.ts';

const intent: Intent = {
  file: '/labs/dc/dc.intent.yml',
  routers: { leaf2: { name: 'leaf2', bfd: { transmitIntervalMs: 100, receiveIntervalMs: 100, detectMultiplier: 3 } } },
  bfd: { required: true, timers: { transmitIntervalMs: 300, receiveIntervalMs: 300, detectMultiplier: 3 } },
  failover: {},
};
const session = (at: string, neighbor: string, peerAddress: string, iface = 'eth1'): ExpectedSession => ({ at, iface, neighbor, neighborIface: 'eth1', peerAddress });
const peer = (address: string, tx = 300, rx = 300, mult = 3, status = 'up'): ConfiguredBfd => ({ peer: address, status, 'transmit-interval': tx, 'receive-interval': rx, 'detect-multiplier': mult });

describe('bfdCulprits', () => {
  it('finds an unnumbered session’s BFD peer by its interface, and names the session by both interfaces', () => {
    const un = (at: string, iface: string, neighbor: string, neighborIface: string): ExpectedSession => ({ at, iface, neighbor, neighborIface, peerAddress: iface, unnumbered: true });
    const ll = (iface: string, status = 'up'): ConfiguredBfd => ({ ...peer('fe80::a8c1:abff:fe00:1', 300, 300, 3, status), interface: iface });
    const seen = new Map([
      ['leaf1', [ll('eth1'), ll('eth2', 'down')]],
      ['spine1', [ll('eth1')]],
    ]);
    expect(bfdCulprits([un('leaf1', 'eth1', 'spine1', 'eth1'), un('leaf1', 'eth2', 'spine2', 'eth1'), un('spine1', 'eth1', 'leaf1', 'eth1')], seen, intent, { timersToo: true })).toEqual(['leaf1:eth2 ↔ spine2:eth1: BFD down']);
  });

  const sessions = [session('leaf1', 'spine1', '10.0.0.0'), session('leaf2', 'spine1', '10.0.0.2'), session('spine1', 'leaf1', '10.0.0.1')];

  it('passes sessions that are up with the declared timers, a router override included', () => {
    const seen = new Map([
      ['leaf1', [peer('10.0.0.0')]],
      ['leaf2', [peer('10.0.0.2', 100, 100)]],
      ['spine1', [peer('10.0.0.1')]],
    ]);
    expect(bfdCulprits(sessions, seen, intent, { timersToo: true })).toEqual([]);
  });

  it('names a session with no BFD, one that is down, and the router configured slower than declared', () => {
    const seen = new Map([
      ['leaf1', [peer('10.0.0.0', 1000, 1000, 3)]],
      ['leaf2', [peer('10.0.0.2', 100, 100, 3, 'down')]],
      ['spine1', []],
    ]);
    expect(bfdCulprits(sessions, seen, intent, { timersToo: true })).toEqual([
      'leaf1 → spine1 (10.0.0.0) over eth1: BFD runs 3 × 1000/1000 ms, the intent declares 3 × 300/300 ms (detect multiplier × transmit/receive interval)',
      'leaf2 → spine1 (10.0.0.2) over eth1: BFD down',
      'spine1 → leaf1 (10.0.0.1) over eth1: no BFD session; the intent requires BFD 3 × 300/300 ms (detect multiplier × transmit/receive interval)',
    ]);
    expect(bfdCulprits(sessions, seen, intent, { timersToo: false })).toHaveLength(2);
  });

  it('says a session is down because the other end runs no BFD session for it', () => {
    const pair = [session('leaf1', 'spine1', '10.0.0.0'), { ...session('spine1', 'leaf1', '10.0.0.1'), neighborIface: 'eth1' }];
    const seen = new Map([
      ['leaf1', []],
      ['spine1', [peer('10.0.0.1', 300, 300, 3, 'down')]],
    ]);
    expect(bfdCulprits(pair, seen, intent, { timersToo: true })).toEqual([
      'leaf1 → spine1 (10.0.0.0) over eth1: no BFD session; the intent requires BFD 3 × 300/300 ms (detect multiplier × transmit/receive interval)',
      'spine1 → leaf1 (10.0.0.1) over eth1: BFD down (leaf1 runs no BFD session towards spine1)',
    ]);
  });

  it('names a router whose bfdd does not answer once, and checks nothing when BFD is not required', () => {
    expect(bfdCulprits([session('leaf1', 'spine1', '10.0.0.0'), session('leaf1', 'spine2', '10.0.0.4', 'eth2')], new Map([['leaf1', undefined]]), intent, { timersToo: true })).toEqual([
      'leaf1: bfdd does not answer (no "show bfd peers json"); the intent requires BFD 3 × 300/300 ms on its sessions',
    ]);
    expect(bfdCulprits(sessions, new Map(), { ...intent, bfd: { required: false, timers: intent.bfd!.timers } }, { timersToo: true })).toEqual([]);
  });
});

describe('hashCulprits', () => {
  const route: ExpectedRoute = { at: 'leaf3', prefix: '10.255.2.1/32', owner: 'host1', candidates: [], width: 2, hops: 2 };
  it('names the router hashing on L3 with the declared policy and its equal-cost route', () => {
    expect(hashCulprits([route], new Map([['leaf3', 0], ['leaf1', 1]]), 'l4', '/labs/dc/dc.intent.yml')).toEqual([
      'leaf3: net.ipv4.fib_multipath_hash_policy=0 (l3: every flow between two addresses takes one path); the intent declares l4 (=1) on every router with equal-cost paths (/labs/dc/dc.intent.yml), and leaf3 has 2 to 10.255.2.1/32 (host1)',
    ]);
  });

  it('names a router whose policy could not be read, and one the intent has no name for', () => {
    expect(hashCulprits([route], new Map([['leaf3', undefined], ['leaf1', 2]]), 'l4', 'i.yml')).toEqual([
      'leaf3: net.ipv4.fib_multipath_hash_policy=(unreadable); the intent declares l4 (=1) on every router with equal-cost paths (i.yml), and leaf3 has 2 to 10.255.2.1/32 (host1)',
      'leaf1: net.ipv4.fib_multipath_hash_policy=2; the intent declares l4 (=1) on every router with equal-cost paths (i.yml)',
    ]);
  });
});

describe('hashCulprits on IPv6 (a dual-stack fabric)', () => {
  const v4: ExpectedRoute = { at: 'leaf3', prefix: '10.255.2.1/32', owner: 'host1', candidates: [], width: 2, hops: 2 };
  const v6: ExpectedRoute = { ...v4, prefix: 'fd00:10:255:2::1/128' };
  it('names the IPv6 sysctl and an IPv6 route as the evidence', () => {
    expect(hashCulprits([v4, v6], new Map([['leaf3', 0]]), 'l4', 'i.yml', 6)).toEqual([
      'leaf3: net.ipv6.fib_multipath_hash_policy=0 (l3: addresses and flow label only); the intent declares l4 (=1) on every router with equal-cost paths (i.yml), and leaf3 has 2 to fd00:10:255:2::1/128 (host1)',
    ]);
  });
});

describe('mtuCulprits', () => {
  const link: LabLink = { endpoints: [{ node: 'leaf1', iface: 'eth1' }, { node: 'spine1', iface: 'eth1' }], mtu: 9000 };
  it('names each end that runs another MTU than declared, and a missing interface', () => {
    const mtus = new Map([['leaf1', new Map([['eth1', 1500]])], ['spine1', new Map<string, number>()]]);
    expect(mtuCulprits([link], mtus, linkLabel, 'dc.clab.yml')).toEqual([
      'leaf1:eth1: MTU 1500, the topology declares 9000 (link leaf1:eth1 <-> spine1:eth1 in dc.clab.yml)',
      'spine1:eth1: MTU (no such interface), the topology declares 9000 (link leaf1:eth1 <-> spine1:eth1 in dc.clab.yml)',
    ]);
    expect(mtuCulprits([link], new Map([['leaf1', new Map([['eth1', 9000]])], ['spine1', new Map([['eth1', 9000]])]]), linkLabel, 'f')).toEqual([]);
  });
});
