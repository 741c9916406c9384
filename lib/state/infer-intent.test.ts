import { describe, expect, it } from 'vitest';
import type { ConfiguredBfd } from '../expect/intent.ts';
import { intentFromObservations, type RouterObservation } from './infer-intent.ts';

const bfd = (peer: string, ms = 300, mult = 3): ConfiguredBfd => ({ peer, status: 'up', 'transmit-interval': ms, 'receive-interval': ms, 'detect-multiplier': mult });
const router = (name: string, asn: number, lo: string, peers: string[], o: Partial<RouterObservation> = {}): RouterObservation => ({
  name,
  asn,
  loopbacks: [lo],
  bgpPeers: peers,
  bfd: peers.map((p) => bfd(p)),
  hashPolicy: 1,
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
});
