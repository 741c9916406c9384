import { describe, expect, it } from 'vitest';
import { chiSquareFit, chiSquareUniform } from '../stats/chi-square.ts';
import type { RouterSpread } from '../probes/ecmp.ts';
import { spreadCulprits } from './ecmp.ts';

const spread = (a: number, b: number, o: Partial<RouterSpread> = {}): RouterSpread => ({
  router: 'leaf1',
  dstIp: '10.255.2.3',
  owner: 'host3',
  histogram: [
    { path: 'leaf1:eth1 → spine1', flows: a },
    { path: 'leaf1:eth2 → spine2', flows: b },
  ],
  sprayed: [],
  sent: a + b,
  unseen: 0,
  chiSquare: chiSquareUniform([a, b], 0.001 / 8),
  hashPolicy: 1,
  ...o,
});

describe('spreadCulprits', () => {
  it('passes an even split', () => {
    expect(spreadCulprits(spread(262, 250), 2)).toEqual([]);
  });

  it('fails a 65/35 split of 512 flows, naming the router, the split and the statistic', () => {
    expect(spreadCulprits(spread(333, 179), 2)).toEqual([
      'leaf1 → 10.255.2.3 (host3): 512 flows spread unevenly: 333 via leaf1:eth1 → spine1, 179 via leaf1:eth2 → spine2; chi-square 46.3 > 14.72 (α=0.00013, 1 dof)',
    ]);
  });

  it('names a path left unused, sprayed flows and flows never seen', () => {
    expect(spreadCulprits(spread(512, 0), 2)).toEqual(['leaf1 → 10.255.2.3 (host3): 512 flows used 1 of its 2 equal-cost paths: 512 via leaf1:eth1 → spine1, 0 via leaf1:eth2 → spine2']);
    expect(spreadCulprits(spread(256, 256, { sprayed: [41000, 41001], unseen: 0 }), 2)[0]).toBe(
      'leaf1 → 10.255.2.3 (host3): 2 of 512 flows left by more than one path (packets sprayed per packet, not hashed per flow), e.g. source port 41000',
    );
    expect(spreadCulprits(spread(100, 100, { sent: 512, unseen: 312 }), 2)[0]).toBe(
      'leaf1 → 10.255.2.3 (host3): only 200 of 512 probe flows were seen leaving by any of its equal-cost next hops (100 via leaf1:eth1 → spine1, 100 via leaf1:eth2 → spine2)',
    );
  });

  it('says the router hashes on L3 only when a path is left unused there, and not at L4 or when unreadable', () => {
    expect(spreadCulprits(spread(512, 0, { hashPolicy: 0 }), 2)).toEqual([
      'leaf1 → 10.255.2.3 (host3): 512 flows used 1 of its 2 equal-cost paths: 512 via leaf1:eth1 → spine1, 0 via leaf1:eth2 → spine2; leaf1 has net.ipv4.fib_multipath_hash_policy=0 (L3 only)',
    ]);
    for (const hashPolicy of [1, undefined]) expect(spreadCulprits(spread(512, 0, { hashPolicy }), 2)[0]).not.toContain('hash_policy');
  });

  it('names the IPv6 policy for IPv6 flows (a dual-stack router)', () => {
    expect(spreadCulprits(spread(512, 0, { hashPolicy: 0, dstIp: 'fd00:10:255:2::3' }), 2)[0]).toMatch(/^leaf1 → fd00:10:255:2::3 \(host3\): .*; leaf1 has net\.ipv6\.fib_multipath_hash_policy=0 \(L3 only\)$/);
  });

  it('adds no hash hint to an uneven split that uses every path, even at L3', () => {
    expect(spreadCulprits(spread(333, 179, { hashPolicy: 0 }), 2)[0]).not.toContain('hash_policy');
  });
});

describe('spreadCulprits on a weighted route (declared link bandwidths)', () => {
  /** leaf1's flows over a route weighted 75 % / 25 %, tested against those shares. */
  const weighted = (a: number, b: number, shares = [0.75, 0.25]) => spread(a, b, { chiSquare: chiSquareFit([a, b], shares, 0.001 / 8), expectedShares: shares });

  it('passes a split in the declared proportions, which an even split test would fail', () => {
    expect(spreadCulprits(weighted(390, 122), 2)).toEqual([]);
    expect(spreadCulprits(spread(390, 122), 2)).toHaveLength(1);
  });

  it('fails an even split, saying it is not in the declared proportions and which they are', () => {
    expect(spreadCulprits(weighted(256, 256), 2)).toEqual([
      'leaf1 → 10.255.2.3 (host3): 512 flows spread not in the declared proportions (75 % / 25 %, from the declared link bandwidths): 256 via leaf1:eth1 → spine1, 256 via leaf1:eth2 → spine2; chi-square 170.7 > 14.72 (α=0.00013, 1 dof)',
    ]);
    expect(spreadCulprits(weighted(256, 256, [0.8, 0.2]), 2)[0]).toContain('512 flows spread not in the declared proportions (80 % / 20 %, from the declared link bandwidths)');
  });

  it('still names a path left unused before the proportions', () => {
    expect(spreadCulprits(weighted(512, 0), 2)).toEqual(['leaf1 → 10.255.2.3 (host3): 512 flows used 1 of its 2 equal-cost paths: 512 via leaf1:eth1 → spine1, 0 via leaf1:eth2 → spine2']);
  });

  it('an unweighted spread keeps saying "unevenly"', () => {
    expect(spreadCulprits(spread(333, 179), 2)[0]).toContain('512 flows spread unevenly: ');
    expect(spreadCulprits(spread(333, 179), 2)[0]).not.toContain('declared');
  });
});
