import { describe, expect, it } from 'vitest';
import { byNeighbour, equalCostCandidates, linkEnds, isRoutedIpv6Prefix } from './collect.ts';

describe('equalCostCandidates', () => {
  it('keeps every valid path as short as the best, whichever BGP picked', () => {
    const routes = {
      '10.255.0.1/32': [
        { valid: true, path: '65102 65000', nexthops: [{ ip: '10.1.0.18' }] },
        { valid: true, bestpath: true, path: '65101 65000', nexthops: [{ ip: '10.1.0.16' }] },
      ],
      '10.255.1.1/32': [
        { valid: true, path: '65102 65000 65101', nexthops: [{ ip: '10.1.0.18' }] },
        { valid: true, bestpath: true, path: '65101', nexthops: [{ ip: '10.1.0.16' }] },
      ],
      '10.255.2.1/32': [{ valid: true, bestpath: true, path: '', nexthops: [{ ip: '0.0.0.0' }] }],
      '10.255.9.9/32': [{ valid: false, path: '65101', nexthops: [{ ip: '10.1.0.16' }] }],
    };
    expect(equalCostCandidates(routes)).toEqual(
      new Map([
        ['10.255.0.1/32', ['10.1.0.18', '10.1.0.16']],
        ['10.255.1.1/32', ['10.1.0.16']],
        ['10.255.2.1/32', ['0.0.0.0']],
      ]),
    );
  });
});

describe('naming next hops and peers on an unnumbered fabric', () => {
  const links = [
    { endpoints: [{ node: 'spine1', iface: 'eth1' }, { node: 'leaf1', iface: 'eth1' }] as [{ node: string; iface: string }, { node: string; iface: string }] },
    { endpoints: [{ node: 'spine2', iface: 'eth1' }, { node: 'leaf1', iface: 'eth2' }] as [{ node: string; iface: string }, { node: string; iface: string }] },
  ];

  it('linkEnds gives the far end of every link end, both ways', () => {
    expect(Object.fromEntries(linkEnds(links))).toEqual({ 'spine1:eth1': 'leaf1:eth1', 'leaf1:eth1': 'spine1:eth1', 'spine2:eth1': 'leaf1:eth2', 'leaf1:eth2': 'spine2:eth1' });
  });

  it('byNeighbour names a hop by its gateway’s owner, or by the neighbor on its interface when the gateway names none', () => {
    const ends = linkEnds(links);
    const label = byNeighbour(new Map([['10.1.0.0', 'spine1']]), (dev) => ends.get(`leaf1:${dev}`)?.split(':')[0]);
    expect(label('eth1', '10.1.0.0')).toBe('eth1 → spine1');
    expect(label('eth2', '169.254.0.1')).toBe('eth2 → spine2');
    expect(label('eth2', 'fe80::1')).toBe('eth2 → spine2');
    // A numbered gateway nobody owns stays as it is: it is not the neighbor on the interface.
    expect(label('eth2', '192.0.2.7')).toBe('eth2 → 192.0.2.7');
    expect(label('eth9', '169.254.0.1')).toBe('eth9 → 169.254.0.1');
  });
});

describe('isRoutedIpv6Prefix', () => {
  it('keeps routed IPv6 prefixes and leaves out what a router has of itself on every link', () => {
    expect(['fd00:10:255:1::1/128', '2001:db8::/64', '::/0'].filter(isRoutedIpv6Prefix)).toEqual(['fd00:10:255:1::1/128', '2001:db8::/64', '::/0']);
    expect(['fe80::/64', 'fe80::1/128', 'ff00::/8', 'ff02::1/128', '::1/128'].filter(isRoutedIpv6Prefix)).toEqual([]);
  });
});
