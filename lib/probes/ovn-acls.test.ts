import { describe, expect, it } from 'vitest';
import { parseNbAcls } from './ovn-acls.ts';
import type { OvsdbTable } from './ovsdb-json.ts';

// What ovn-nbctl 23.03.1 printed (`--format=json --columns=… list …`) after np_drop's drop, two
// rules of pg_web (one set to allow-stateless) and an ACL on the switch itself were added.
const ACLS: OvsdbTable = {
  data: [
    [['uuid', 'bf53330c-c700-457c-9ab5-813cf1468fd6'], 'drop', 'to-lport', 'outport == @np_drop && ip', 1001],
    [['uuid', 'b92c05f0-3914-4006-9073-e6c33242228e'], 'allow-stateless', 'to-lport', 'outport == @pg_web && ip4 && tcp && tcp.dst == 80', 1002],
    [['uuid', 'ff5ae106-aa4d-4a73-a8c4-5be63601d868'], 'drop', 'to-lport', 'ip4.src == 10.0.0.1', 900],
    [['uuid', 'c688bab7-6401-4ffb-9540-a47d9975baae'], 'allow-related', 'from-lport', 'inport == @pg_web && ip4', 1002],
  ],
  headings: ['_uuid', 'action', 'direction', 'match', 'priority'],
};
const PORT_GROUPS: OvsdbTable = {
  data: [
    ['np_drop', ['uuid', 'bf53330c-c700-457c-9ab5-813cf1468fd6']],
    ['pg_web', ['set', [['uuid', 'b92c05f0-3914-4006-9073-e6c33242228e'], ['uuid', 'c688bab7-6401-4ffb-9540-a47d9975baae']]]],
    ['pg_db', ['set', []]],
  ],
  headings: ['name', 'acls'],
};
const SWITCHES: OvsdbTable = { data: [['web', ['uuid', 'ff5ae106-aa4d-4a73-a8c4-5be63601d868']], ['db', ['set', []]]], headings: ['name', 'acls'] };

describe('parseNbAcls', () => {
  it('reads each ACL with the port group or switch holding it, whether the reference column is one uuid or a set', () => {
    expect(parseNbAcls(ACLS, PORT_GROUPS, SWITCHES)).toEqual([
      { uuid: 'bf53330c-c700-457c-9ab5-813cf1468fd6', portGroup: 'np_drop', direction: 'to-lport', priority: 1001, match: 'outport == @np_drop && ip', action: 'drop' },
      { uuid: 'b92c05f0-3914-4006-9073-e6c33242228e', portGroup: 'pg_web', direction: 'to-lport', priority: 1002, match: 'outport == @pg_web && ip4 && tcp && tcp.dst == 80', action: 'allow-stateless' },
      { uuid: 'ff5ae106-aa4d-4a73-a8c4-5be63601d868', logicalSwitch: 'web', direction: 'to-lport', priority: 900, match: 'ip4.src == 10.0.0.1', action: 'drop' },
      { uuid: 'c688bab7-6401-4ffb-9540-a47d9975baae', portGroup: 'pg_web', direction: 'from-lport', priority: 1002, match: 'inport == @pg_web && ip4', action: 'allow-related' },
    ]);
  });

  it('takes columns by their headings, in whatever order ovn-nbctl prints them', () => {
    const reordered: OvsdbTable = { headings: ['priority', 'match', '_uuid', 'direction', 'action'], data: ACLS.data.map((r) => [r[4], r[3], r[0], r[2], r[1]]) };
    expect(parseNbAcls(reordered, PORT_GROUPS, SWITCHES)).toEqual(parseNbAcls(ACLS, PORT_GROUPS, SWITCHES));
  });

  it('leaves an ACL nothing holds without a holder, and reads an empty table as no ACLs', () => {
    expect(parseNbAcls(ACLS, { headings: ['name', 'acls'], data: [] }, { headings: ['name', 'acls'], data: [] })[0]).toEqual({
      uuid: 'bf53330c-c700-457c-9ab5-813cf1468fd6',
      direction: 'to-lport',
      priority: 1001,
      match: 'outport == @np_drop && ip',
      action: 'drop',
    });
    expect(parseNbAcls({ ...ACLS, data: [] }, PORT_GROUPS, SWITCHES)).toEqual([]);
  });

  it('names the missing column when the JSON is not what was asked for', () => {
    expect(() => parseNbAcls({ headings: ['_uuid', 'match'], data: [] }, PORT_GROUPS, SWITCHES)).toThrow('list ACL: no column "action" in ovn-nbctl\'s JSON (columns: _uuid, match)');
  });
});
