import { describe, expect, it } from 'vitest';
import type { ConfiguredBfd } from '../expect/intent.ts';
import { interfaceTowards, intentFromObservations, type LearnedPath, type RouterObservation } from './infer-intent.ts';

const bfd = (peer: string, ms = 300, mult = 3): ConfiguredBfd => ({ peer, status: 'up', 'transmit-interval': ms, 'receive-interval': ms, 'detect-multiplier': mult });
const router = (name: string, asn: number, lo: string, peers: string[], o: Partial<RouterObservation> = {}): RouterObservation => ({
  name,
  asn,
  loopbacks: [lo],
  bgpPeers: peers,
  bfd: peers.map((p) => bfd(p)),
  hashPolicy: 1,
  hashPolicy6: 1,
  ...o,
});

describe('intentFromObservations', () => {
  it('declares what every router runs: ASN, loopbacks, lab-wide BFD timers, maximum-paths and the hash', () => {
    const { intent, notes } = intentFromObservations([
      router('spine1', 65000, '10.255.0.1/32', ['10.0.0.1']),
      router('leaf1', 65101, '10.255.1.1/32', ['10.0.0.0', '10.1.0.1']),
      router('host1', 65201, '10.255.2.1/32', ['10.1.0.0'], { maxPaths: 1, bfd: [bfd('10.1.0.0', 100)] }),
    ]);
    expect(notes).toEqual([]);
    expect(intent).toEqual({
      routers: {
        spine1: { name: 'spine1', asn: 65000, loopbacks: ['10.255.0.1/32'] },
        leaf1: { name: 'leaf1', asn: 65101, loopbacks: ['10.255.1.1/32'] },
        host1: { name: 'host1', asn: 65201, loopbacks: ['10.255.2.1/32'], maxPaths: 1, bfd: { transmitIntervalMs: 100, receiveIntervalMs: 100, detectMultiplier: 3 } },
      },
      bfd: { required: true, timers: { transmitIntervalMs: 300, receiveIntervalMs: 300, detectMultiplier: 3 } },
      failover: {},
      multipathHash: 'l4',
    });
  });

  it('leaves out, and says so, what the lab does not do uniformly', () => {
    const { intent, notes } = intentFromObservations([
      router('spine1', 65000, '10.255.0.1/32', ['10.0.0.1', '10.0.0.3'], { bfd: [bfd('10.0.0.1')] }),
      router('leaf1', 65101, '10.255.1.1/32', ['10.0.0.0'], { hashPolicy: 0, loopbacks: [] }),
    ]);
    expect(intent.bfd).toBeUndefined();
    expect(intent.multipathHash).toBeUndefined();
    expect(intent.routers.leaf1!.loopbacks).toBeUndefined();
    expect(notes).toEqual([
      'BGP sessions without BFD (spine1 → 10.0.0.3): bfd left undeclared — declare it once every session should run it',
      'leaf1: no loopback (global /32 or /128) found: its loopbacks left undeclared',
      'routers hash differently (net.ipv4.fib_multipath_hash_policy: spine1=1, leaf1=0): multipath.hash left undeclared',
    ]);
  });

  it('counts an unnumbered session as running BFD when its BFD session runs over its interface', () => {
    const unnumbered = (name: string, asn: number, lo: string) => router(name, asn, lo, ['eth1', 'eth2'], { bfd: ['eth1', 'eth2'].map((i) => ({ ...bfd(`fe80::${i.slice(3)}`), interface: i })) });
    const { intent, notes } = intentFromObservations([unnumbered('spine1', 65000, 'fd00:10:255::1/128'), unnumbered('leaf1', 65101, 'fd00:10:255:1::1/128')]);
    expect(notes).toEqual([]);
    expect(intent.bfd).toEqual({ required: true, timers: { transmitIntervalMs: 300, receiveIntervalMs: 300, detectMultiplier: 3 } });
  });

  it('reads the hash of the families the loopbacks use: IPv6 alone in an IPv6-only fabric, both in a dual-stack one', () => {
    const v6only = intentFromObservations([router('spine1', 65000, 'fd00:10:255::1/128', [], { hashPolicy: 0, hashPolicy6: 1 }), router('leaf1', 65101, 'fd00:10:255:1::1/128', [], { hashPolicy: 0, hashPolicy6: 1 })]);
    expect(v6only.intent.multipathHash).toBe('l4');
    const dual = intentFromObservations([
      router('spine1', 65000, '10.255.0.1/32', [], { loopbacks: ['10.255.0.1/32', 'fd00:10:255::1/128'], hashPolicy6: 1 }),
      router('leaf1', 65101, '10.255.1.1/32', [], { loopbacks: ['10.255.1.1/32', 'fd00:10:255:1::1/128'], hashPolicy6: 0 }),
    ]);
    expect(dual.intent.multipathHash).toBeUndefined();
    expect(dual.notes).toContain('routers hash differently (net.ipv4.fib_multipath_hash_policy: spine1=1, leaf1=1; net.ipv6.fib_multipath_hash_policy: spine1=1, leaf1=0): multipath.hash left undeclared');
  });

  describe('link bandwidths (weighted ECMP), from the paths each router learned', () => {
    const paths = (iface: string, n: number, mbps?: number): LearnedPath[] => Array.from({ length: n }, () => ({ iface, ...(mbps !== undefined ? { mbps } : {}) }));
    const leaf1 = (learned: LearnedPath[]) => router('leaf1', 65101, '10.255.1.1/32', ['10.0.0.0', '10.0.0.2'], { learned });

    it('declares the bandwidth every path learned over an interface carries, leaving out interfaces whose paths carry none', () => {
      // The community holds bytes per second as a 32-bit float: 300 Mbit/s reads back a hair off.
      const { intent, notes } = intentFromObservations([leaf1([...paths('eth1', 5, 299.99998), ...paths('eth2', 5, 100), ...paths('eth3', 2)]), router('spine1', 65000, '10.255.0.1/32', ['10.0.0.1'], { learned: paths('eth1', 3) })]);
      expect(notes).toEqual([]);
      expect(intent.routers.leaf1!.linkBandwidthMbps).toEqual({ eth1: 300, eth2: 100 });
      expect(intent.routers.spine1!.linkBandwidthMbps).toBeUndefined();
    });

    it('leaves a router out, and says why, where paths of one interface disagree or carry what the intent cannot hold', () => {
      const mixed = intentFromObservations([leaf1([...paths('eth1', 2, 300), ...paths('eth1', 1), ...paths('eth2', 3, 100)])]);
      expect(mixed.intent.routers.leaf1!.linkBandwidthMbps).toBeUndefined();
      expect(mixed.notes).toEqual(['leaf1: paths learned over eth1 carry different link bandwidths (300 Mbit/s, none): its link-bandwidth left undeclared — declare it by hand']);
      const fraction = intentFromObservations([leaf1([...paths('eth1', 2, 0.5), ...paths('eth2', 2, 100.4)])]);
      expect(fraction.intent.routers.leaf1!.linkBandwidthMbps).toBeUndefined();
      expect(fraction.notes).toEqual(['leaf1: paths learned over eth1 carry 0.5 Mbit/s, not a whole number of Mbit/s from 1 to 25600; paths learned over eth2 carry 100.4 Mbit/s, not a whole number of Mbit/s from 1 to 25600: its link-bandwidth left undeclared — declare it by hand']);
    });
  });
});

describe('interfaceTowards', () => {
  const addrs = [
    { iface: 'lo', family: 'inet' as const, local: '10.255.1.1', prefixlen: 32, scope: 'global' },
    { iface: 'eth1', family: 'inet' as const, local: '10.0.0.1', prefixlen: 31, scope: 'global' },
    { iface: 'eth2', family: 'inet' as const, local: '10.0.0.3', prefixlen: 31, scope: 'global' },
  ];
  it('names the interface whose subnet holds a numbered neighbor, and none for an address off every link', () => {
    expect(interfaceTowards(addrs, '10.0.0.2')).toBe('eth2');
    expect(interfaceTowards(addrs, '10.0.0.0')).toBe('eth1');
    expect(interfaceTowards(addrs, '10.255.1.1')).toBeUndefined();
    expect(interfaceTowards(addrs, 'fe80::1')).toBeUndefined();
    const v6 = [...addrs, { iface: 'eth3', family: 'inet6' as const, local: 'fd00:1::1', prefixlen: 127, scope: 'global' }];
    expect(interfaceTowards(v6, 'fd00:1::')).toBe('eth3');
    expect(interfaceTowards(v6, 'fd00:2::')).toBeUndefined();
  });
});
