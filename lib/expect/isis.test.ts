import { describe, expect, it } from 'vitest';
import type { IsisAdjacency } from '../plan/isis.ts';
import { isisAdjacencyCulprits, type IsisNeighbor, type IsisNeighbors } from './isis.ts';

// router1 of a level-2 ring, as FRR 8.4.4 answers `show isis neighbor detail json`: every
// router shows as "vm" (they share the host's hostname), and the passive loopback is {"circuit":0}.
const neighbor = (iface: string, ipv4: string, state = 'Up', level = 2): IsisNeighbor => ({
  circuit: 0,
  adj: 'vm',
  interface: { name: iface, state, 'circuit-type': level === 3 ? 'L1L2' : `L${level}`, 'area-address': { isonet: '49.0001' }, 'ipv4-address': { ipv4 } },
  level,
});
const router1: IsisNeighbors = { areas: [{ area: 'core', circuits: [neighbor('eth1', '10.0.12.1'), neighbor('eth2', '10.0.13.1'), { circuit: 0 }] }] };
const adj = (at: string, iface: string, neighbor: string, neighborIface: string, neighborAddress: string, extra: Partial<IsisAdjacency> = {}): IsisAdjacency => ({ at, iface, neighbor, neighborIface, levels: [2], neighborAddress, ...extra });
const expected = [adj('router1', 'eth1', 'router2', 'eth1', '10.0.12.1'), adj('router1', 'eth2', 'router3', 'eth1', '10.0.13.1')];

describe('isisAdjacencyCulprits', () => {
  it('passes Up adjacencies found by local interface and neighbor address, ignoring the passive circuit and the hostname', () => {
    expect(isisAdjacencyCulprits(expected, new Map([['router1', router1]]))).toEqual([]);
    // The same from `show isis neighbor json`, without detail: no address to tell, the interface alone.
    const plain: IsisNeighbors = { areas: [{ area: 'core', circuits: [{ circuit: 0, adj: 'vm', interface: 'eth1', level: 2, state: 'Up' }, { circuit: 0, adj: 'vm', interface: 'eth2', level: 2, state: 'Up' }, { circuit: 0 }] }] };
    expect(isisAdjacencyCulprits(expected, new Map([['router1', plain]]))).toEqual([]);
  });

  it('names a missing, a stuck and a wrong neighbor by both interfaces, and a silent isisd once', () => {
    const seen = new Map<string, IsisNeighbors | undefined>([
      ['router1', { areas: [{ area: 'core', circuits: [neighbor('eth1', '10.0.12.1', 'Initializing'), { circuit: 0 }] }] }],
      ['router3', { areas: [{ area: 'core', circuits: [neighbor('eth1', '10.0.99.7')] }] }],
      ['router2', undefined],
    ]);
    const more = [...expected, adj('router3', 'eth1', 'router1', 'eth2', '10.0.13.0'), adj('router2', 'eth1', 'router1', 'eth1', '10.0.12.0'), adj('router2', 'eth2', 'router3', 'eth2', '10.0.23.1')];
    expect(isisAdjacencyCulprits(more, seen)).toEqual([
      'router1:eth1 ↔ router2:eth1: IS-IS adjacency with router2 (10.0.12.1) is Initializing, expected Up',
      'router1:eth2 ↔ router3:eth1: no IS-IS adjacency on router1:eth2, expected one Up with router3 (10.0.13.1) at level-2',
      'router3:eth1 ↔ router1:eth2: IS-IS neighbor on router3:eth1 is 10.0.99.7 (Up), expected router1 (10.0.13.0)',
      'router2: isisd not answering ("show isis neighbor detail json"); expected an adjacency on eth1 with router1 (10.0.12.0)',
    ]);
  });

  it('says when the ends declare different network types, and when an adjacency is Up at fewer levels than both ends run', () => {
    const empty = new Map([['router1', { areas: [{ area: 'core', circuits: [{ circuit: 0 }] }] }]]);
    expect(isisAdjacencyCulprits([adj('router1', 'eth1', 'router2', 'eth1', '10.0.12.1', { networkMismatch: true })], empty)).toEqual([
      'router1:eth1 ↔ router2:eth1: no IS-IS adjacency on router1:eth1, expected one Up with router2 (10.0.12.1) at level-2; router1:eth1 and router2:eth1 declare different network types (isis network point-to-point at one end only)',
    ]);
    const both = [adj('router1', 'eth1', 'router2', 'eth1', '10.0.12.1', { levels: [1, 2] })];
    expect(isisAdjacencyCulprits(both, new Map([['router1', router1]]))).toEqual(['router1:eth1 ↔ router2:eth1: IS-IS adjacency with router2 (10.0.12.1) is Up at level-2 only, expected level-1 and level-2']);
    // Point-to-point at both levels is one adjacency of level 3; a LAN lists one per level.
    expect(isisAdjacencyCulprits(both, new Map([['router1', { areas: [{ circuits: [neighbor('eth1', '10.0.12.1', 'Up', 3)] }] }]]))).toEqual([]);
    expect(isisAdjacencyCulprits(both, new Map([['router1', { areas: [{ circuits: [neighbor('eth1', '10.0.12.1', 'Up', 1), neighbor('eth1', '10.0.12.1', 'Up', 2)] }] }]]))).toEqual([]);
  });
});
