import { describe, expect, test } from 'vitest';
import { frrConfLines } from './frr-conf-lines.ts';

describe('frrConfLines', () => {
  test('gives each line its top-level block, and ends a block at the next top-level line', () => {
    const conf = ['frr defaults datacenter', 'interface eth1 vrf default', ' ip address 10.0.0.1/31', '!', ' ip ospf cost 5', 'exit', 'router ospf', ' network 10.0.0.0/8 area 0', 'exit', 'ip forwarding', ''].join('\n');
    expect([...frrConfLines(conf)]).toEqual([
      { line: 'frr defaults datacenter', opens: false },
      { line: 'interface eth1 vrf default', block: { kind: 'interface', name: 'eth1' }, opens: true },
      { line: 'ip address 10.0.0.1/31', block: { kind: 'interface', name: 'eth1' }, opens: false },
      // A comment line does not end the block; FRR's own output puts them inside.
      { line: '!', block: { kind: 'interface', name: 'eth1' }, opens: false },
      { line: 'ip ospf cost 5', block: { kind: 'interface', name: 'eth1' }, opens: false },
      { line: 'exit', opens: false },
      { line: 'router ospf', block: { kind: 'router', header: 'router ospf' }, opens: true },
      { line: 'network 10.0.0.0/8 area 0', block: { kind: 'router', header: 'router ospf' }, opens: false },
      { line: 'exit', opens: false },
      { line: 'ip forwarding', opens: false },
      { line: '', opens: false },
    ]);
  });

  test('an indented "interface" line opens nothing', () => {
    expect([...frrConfLines('router isis A\n interface eth1\n')].map((l) => l.block)).toEqual([
      { kind: 'router', header: 'router isis A' },
      { kind: 'router', header: 'router isis A' },
      { kind: 'router', header: 'router isis A' },
    ]);
  });
});
