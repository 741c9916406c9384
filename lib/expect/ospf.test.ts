import { describe, expect, it } from 'vitest';
import { adjacencyCulprits, type OspfNeighbors } from './ospf.ts';

const adj = (at: string, iface: string, neighbor: string, neighborIface: string) => ({ at, iface, neighbor, neighborIface, area: '0.0.0.0' });
const expected = [adj('router1', 'eth1', 'router2', 'eth1'), adj('router1', 'eth2', 'router3', 'eth1'), adj('router2', 'eth1', 'router1', 'eth1')];

describe('adjacencyCulprits', () => {
  it('passes Full adjacencies found by their local interface', () => {
    const seen = new Map<string, OspfNeighbors | undefined>([
      ['router1', { neighbors: { '10.10.10.2': [{ state: 'Full/DR', address: '192.168.1.2', ifaceName: 'eth1:192.168.1.1' }], '10.10.10.3': [{ state: 'Full/-', address: '192.168.2.2', ifaceName: 'eth2:192.168.2.1' }] } }],
      ['router2', { neighbors: { '10.10.10.1': [{ state: 'Full/Backup', address: '192.168.1.1', ifaceName: 'eth1:192.168.1.2' }] } }],
    ]);
    expect(adjacencyCulprits(expected, seen)).toEqual([]);
  });

  it('names a missing and a stuck adjacency by both interfaces, and a silent ospfd once', () => {
    const seen = new Map<string, OspfNeighbors | undefined>([
      ['router1', { neighbors: { '10.10.10.2': [{ state: 'ExStart/DR', address: '192.168.1.2', ifaceName: 'eth1:192.168.1.1' }] } }],
      ['router2', undefined],
    ]);
    expect(adjacencyCulprits(expected, seen)).toEqual([
      'router1:eth1 ↔ router2:eth1: OSPF neighbor 192.168.1.2 is ExStart/DR, expected Full',
      'router1:eth2 ↔ router3:eth1: no OSPF neighbor on router1:eth2 (area 0.0.0.0), expected a Full adjacency with router3',
      'router2: ospfd does not answer ("show ip ospf neighbor json"); expected an adjacency on eth1 with router1',
    ]);
  });
});
