import { describe, expect, it } from 'vitest';
import { parseTopology } from '../topology/load.ts';
import { interfaceBatch, linkDadSysctls, sortedProblems } from './bring-up.ts';

const topology = parseTopology(
  [
    'name: t',
    'topology:',
    '  nodes:',
    '    a: { kind: linux }',
    '    b: { kind: linux }',
    '    c: { kind: linux }',
    '  links:',
    '    - endpoints: ["a:eth1", "b:eth1"]',
    '    - type: veth',
    '      endpoints:',
    '        - { node: a, interface: eth2, ipv4: 192.0.2.0/31 }',
    '        - { node: c, interface: eth1, ipv4: 192.0.2.1/31, ipv6: "2001:db8::1/127" }',
  ].join('\n'),
  '/labs/t/t.clab.yml',
  { exists: () => true },
);

describe('linkDadSysctls', () => {
  it('turns duplicate address detection off on every link end of the node, by slashed key', () => {
    expect(linkDadSysctls(topology, 'a')).toEqual(['net/ipv6/conf/eth1/accept_dad=0', 'net/ipv6/conf/eth2/accept_dad=0']);
    expect(linkDadSysctls(topology, 'c')).toEqual(['net/ipv6/conf/eth1/accept_dad=0']);
  });
});

describe('interfaceBatch', () => {
  it('brings up the loopback and every link of the node, with the addresses the link gives it', () => {
    expect(interfaceBatch(topology, 'a')).toBe(['link set dev lo up', 'link set dev eth1 up', 'addr add 192.0.2.0/31 dev eth2', 'link set dev eth2 up', ''].join('\n'));
    expect(interfaceBatch(topology, 'c')).toBe(['link set dev lo up', 'addr add 192.0.2.1/31 dev eth1', 'addr add 2001:db8::1/127 dev eth1', 'link set dev eth1 up', ''].join('\n'));
  });

  it('touches no interface of another node', () => {
    expect(interfaceBatch(topology, 'b')).not.toContain('eth2');
  });
});

describe('sortedProblems', () => {
  it('lists a refused line once, though two vtysh passes (every daemon, then bfdd after BGP) both refused it', () => {
    const refused = { node: 'leaf2', file: '/lab/leaf2/frr.conf', line: 12, statement: 'frobnicate the widgets', message: '% Unknown command' };
    const staticd = { node: 'leaf1', file: '/lab/leaf1/staticd.conf', daemon: 'staticd', line: 2, statement: 'frobnicate the gadgets', message: 'No such command' };
    expect(sortedProblems([refused, staticd, { ...refused }])).toEqual([staticd, refused]);
  });
});
