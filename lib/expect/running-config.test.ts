import { describe, expect, it } from 'vitest';
import { configStatements, statementsNotRunning } from './running-config.ts';

const written = [
  'frr version 8.4', // 1
  'frr defaults datacenter', // 2
  'hostname leaf1', // 3
  '!', // 4
  'interface eth1', // 5
  ' ip address 10.1.0.1/31', // 6
  'exit', // 7
  '!', // 8
  'router bgp 65101', // 9
  ' no bgp ebgp-requires-policy', // 10
  ' neighbor 10.1.0.0 remote-as 65000', // 11
  ' address-family ipv4 unicast', // 12
  '  network 10.255.1.1/32', // 13
  ' exit-address-family', // 14
  'exit', // 15
  'bfd', // 16
  ' profile fabric', // 17
  '  detect-multiplier 3', // 18
  '  receive-interval 300', // 19
  ' exit', // 20
  'exit', // 21
  'ip route 10.99.0.0/24 blackhole', // 22
  '',
].join('\n');

// What FRR 8.4.4 printed for it (vtysh show running-config): order changed, defaults left out.
const running = [
  'Building configuration...',
  '',
  'Current configuration:',
  '!',
  'frr version 8.4.4',
  'frr defaults datacenter',
  'hostname vm',
  'ip route 10.99.0.0/24 blackhole',
  '!',
  'interface eth1',
  ' ip address 10.1.0.1/31',
  'exit',
  '!',
  'router bgp 65101',
  ' neighbor 10.1.0.0 remote-as 65000',
  ' !',
  ' address-family ipv4 unicast',
  '  network 10.255.1.1/32',
  ' exit-address-family',
  'exit',
  '!',
  'bfd',
  ' profile fabric',
  ' exit',
  ' !',
  'exit',
  '!',
  'end',
].join('\n');

describe('statementsNotRunning', () => {
  it('finds every statement running, in any order, with FRR’s hidden defaults and version detail allowed for', () => {
    expect(statementsNotRunning(written, running)).toEqual([]);
  });

  it('names a dropped statement by line, block and text', () => {
    const dropped = running.replace('ip route 10.99.0.0/24 blackhole\n', '');
    expect(statementsNotRunning(written, dropped)).toEqual([{ line: 22, block: '', statement: 'ip route 10.99.0.0/24 blackhole' }]);
  });

  it('wants a statement in its own block', () => {
    const moved = running.replace(' ip address 10.1.0.1/31\n', '').replace('router bgp 65101\n', 'router bgp 65101\n ip address 10.1.0.1/31\n');
    expect(statementsNotRunning(written, moved)).toEqual([{ line: 6, block: 'interface eth1', statement: 'ip address 10.1.0.1/31' }]);
  });

  it('allows a default only where it is one: BFD timers other than 300×3 must show', () => {
    expect(statementsNotRunning(written.replace('receive-interval 300', 'receive-interval 100'), running)).toEqual([{ line: 19, block: 'bfd', statement: 'receive-interval 100' }]);
    expect(statementsNotRunning(written.replace('frr defaults datacenter', 'frr defaults traditional'), running.replace('frr defaults datacenter', 'frr defaults traditional'))).toEqual([
      { line: 10, block: 'router bgp 65101', statement: 'no bgp ebgp-requires-policy' },
    ]);
  });

  it('a different FRR release is not the written version', () => {
    expect(statementsNotRunning(written, running.replace('frr version 8.4.4', 'frr version 9.1'))).toEqual([{ line: 1, block: '', statement: 'frr version 8.4' }]);
  });
});

describe('configStatements', () => {
  it('drops comments and structure, and keeps each statement’s block', () => {
    expect(configStatements('! a comment\n# another\nrouter bgp 1\n neighbor x remote-as 2\n !\nexit\n')).toEqual([
      { line: 3, block: '', statement: 'router bgp 1' },
      { line: 4, block: 'router bgp 1', statement: 'neighbor x remote-as 2' },
    ]);
  });
});
