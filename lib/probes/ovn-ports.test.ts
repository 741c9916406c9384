import { describe, expect, it } from 'vitest';
import { parseNbSwitchPorts } from './ovn-ports.ts';
import type { OvsdbTable } from './ovsdb-json.ts';

// What ovn-nbctl 23.03.1 printed (`--format=json --columns=… list …`) for: vm1 as netproof
// renders it, vm2 with another MAC and disabled, vm3 with two addresses and enabled set, and a
// router patch port.
const PORTS: OvsdbTable = {
  data: [
    [['uuid', '162aca3d-2bae-4f62-a8da-929188fddc0e'], 'vm3', ['set', ['02:00:00:00:00:03 10.20.1.13', '02:00:00:00:00:04 10.20.1.14']], ['set', []], true],
    [['uuid', '90ddac26-fc06-4ba7-afae-01a8a1dd2621'], 'vm2', '02:00:00:00:99:99 10.20.2.12', ['set', []], false],
    [['uuid', '4f752892-f09f-4b3c-a73a-f4d7f89571c9'], 'vm1', '02:00:0a:14:01:0b 10.20.1.11', '02:00:0a:14:01:0b 10.20.1.11', ['set', []]],
    [['uuid', '9af7ce37-241f-4e83-a733-8da0cb33b06d'], 'lsp-db-tenant', 'router', ['set', []], ['set', []]],
  ],
  headings: ['_uuid', 'name', 'addresses', 'port_security', 'enabled'],
};
const SWITCHES: OvsdbTable = {
  data: [
    ['db', ['set', [['uuid', '90ddac26-fc06-4ba7-afae-01a8a1dd2621'], ['uuid', '9af7ce37-241f-4e83-a733-8da0cb33b06d']]]],
    ['web', ['set', [['uuid', '162aca3d-2bae-4f62-a8da-929188fddc0e'], ['uuid', '4f752892-f09f-4b3c-a73a-f4d7f89571c9']]]],
  ],
  headings: ['name', 'ports'],
};

describe('parseNbSwitchPorts', () => {
  it('reads each port with its switch, its addresses and port security (one bare, several as a set) and enabled where set', () => {
    expect(parseNbSwitchPorts(PORTS, SWITCHES)).toEqual([
      { name: 'vm3', logicalSwitch: 'web', addresses: ['02:00:00:00:00:03 10.20.1.13', '02:00:00:00:00:04 10.20.1.14'], portSecurity: [], enabled: true },
      { name: 'vm2', logicalSwitch: 'db', addresses: ['02:00:00:00:99:99 10.20.2.12'], portSecurity: [], enabled: false },
      { name: 'vm1', logicalSwitch: 'web', addresses: ['02:00:0a:14:01:0b 10.20.1.11'], portSecurity: ['02:00:0a:14:01:0b 10.20.1.11'] },
      { name: 'lsp-db-tenant', logicalSwitch: 'db', addresses: ['router'], portSecurity: [] },
    ]);
  });

  it('takes columns by their headings, and leaves a port no switch holds without one', () => {
    const reordered: OvsdbTable = { headings: ['enabled', 'port_security', 'name', 'addresses', '_uuid'], data: PORTS.data.map((r) => [r[4], r[3], r[1], r[2], r[0]]) };
    expect(parseNbSwitchPorts(reordered, SWITCHES)).toEqual(parseNbSwitchPorts(PORTS, SWITCHES));
    const orphan = parseNbSwitchPorts(PORTS, { headings: ['name', 'ports'], data: [] });
    expect(orphan.every((p) => p.logicalSwitch === undefined)).toBe(true);
  });

  it('names the column ovn-nbctl did not print', () => {
    expect(() => parseNbSwitchPorts({ headings: ['_uuid', 'name'], data: [] }, SWITCHES)).toThrow('list Logical_Switch_Port: no column "addresses" in ovn-nbctl\'s JSON (columns: _uuid, name)');
  });
});
