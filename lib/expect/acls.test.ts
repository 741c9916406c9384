import { describe, expect, it } from 'vitest';
import type { Overlay, VmPort } from '../model/overlay.ts';
import type { NbAcl } from '../probes/ovn-acls.ts';
import { renderAcls } from '../render/ovn.ts';
import { aclDifferences, aclLabel } from './acls.ts';

const vm = (name: string, sw: string, ip: string, groups: string[]): VmPort => ({ name, switch: sw, ip, prefixLength: 24, mac: '02:00:00:00:00:01', mtu: 1442, host: 'host1', hostIface: `tap-${name}`, iface: 'eth1', groups });

// The default lab's groups, trimmed: web takes tcp/80 from anywhere, db takes 5432 from web; both send anything.
const OVERLAY: Overlay = {
  file: '/labs/dc/dc.overlay.yml',
  providers: [],
  loadBalancers: [],
  switches: [
    { name: 'web', subnet: '10.20.1.0/24', gateway: '10.20.1.1' },
    { name: 'db', subnet: '10.20.2.0/24', gateway: '10.20.2.1' },
  ],
  routers: [{ name: 'tenant', switches: ['web', 'db'] }],
  vms: [vm('vm1', 'web', '10.20.1.11', ['web']), vm('vm2', 'db', '10.20.2.12', ['db'])],
  groups: [
    {
      name: 'web',
      rules: [
        { id: 'web#1', direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 } },
        { id: 'web#2', direction: 'egress', protocol: 'any' },
      ],
    },
    {
      name: 'db',
      rules: [
        { id: 'db#1', direction: 'ingress', protocol: 'tcp', ports: { min: 5432, max: 5432 }, remoteGroup: 'web' },
        { id: 'db#2', direction: 'egress', protocol: 'any' },
      ],
    },
  ],
};

const DECLARED = renderAcls(OVERLAY);

/** The northbound DB as the overlay left it: each declared ACL on its port group. */
const listed = (): NbAcl[] => DECLARED.map((d, i) => ({ uuid: `u${i}`, ...d }));

const WEB80 = "ACL on pg_web to-lport 'outport == @pg_web && ip4 && tcp && tcp.dst == 80'";

describe('aclDifferences', () => {
  it('finds nothing when the northbound DB holds exactly the declared ACLs, in any order', () => {
    expect(aclDifferences(DECLARED, listed())).toEqual([]);
    expect(aclDifferences(DECLARED, listed().reverse())).toEqual([]);
    expect(aclDifferences([], [])).toEqual([]);
  });

  it('names a rule set to allow-stateless on a running lab by its port group, direction and match', () => {
    const acls = listed().map((a) => (a.match.endsWith('tcp.dst == 80') ? { ...a, action: 'allow-stateless' } : a));
    expect(aclDifferences(DECLARED, acls)).toEqual([`${WEB80}: action allow-stateless, declared allow-related`]);
  });

  it('names a drop whose priority now outranks the allows, and both changes of one ACL on one line', () => {
    const raised = listed().map((a) => (a.match === 'outport == @np_drop && ip' ? { ...a, priority: 1003 } : a));
    expect(aclDifferences(DECLARED, raised)).toEqual(["ACL on np_drop to-lport 'outport == @np_drop && ip': priority 1003, declared 1001"]);
    const both = listed().map((a) => (a.match.endsWith('tcp.dst == 80') ? { ...a, action: 'allow', priority: 900 } : a));
    expect(aclDifferences(DECLARED, both)).toEqual([`${WEB80}: action allow, declared allow-related; priority 900, declared 1002`]);
  });

  it('names a declared ACL that is missing, and one nobody declared (a port-based reply rule, an ACL on a switch)', () => {
    const acls: NbAcl[] = [
      ...listed().filter((a) => !a.match.includes('5432')),
      { uuid: 'x1', portGroup: 'pg_web', direction: 'to-lport', priority: 1002, match: 'outport == @pg_web && ip4 && tcp && tcp.src == 5432', action: 'allow-stateless' },
      { uuid: 'x2', logicalSwitch: 'db', direction: 'from-lport', priority: 900, match: 'ip4', action: 'allow-stateless' },
    ];
    expect(aclDifferences(DECLARED, acls)).toEqual([
      "ACL on pg_db to-lport 'outport == @pg_db && ip4 && tcp && tcp.dst == 5432 && ip4.src == $pg_web_ip4': declared (allow-related at priority 1002) but missing from the northbound DB",
      "ACL on pg_web to-lport 'outport == @pg_web && ip4 && tcp && tcp.src == 5432': allow-stateless at priority 1002, which no security group declares",
      "ACL on switch db from-lport 'ip4': allow-stateless at priority 900, which no security group declares",
    ]);
  });

  it('compares every copy of a declared ACL: a second one at another priority is named, the right one is not', () => {
    const acls = [...listed(), { uuid: 'dup', ...DECLARED.find((d) => d.match.endsWith('tcp.dst == 80'))!, priority: 1003 }];
    expect(aclDifferences(DECLARED, acls)).toEqual([`${WEB80}: priority 1003, declared 1002`]);
  });

  it('does not take an ACL with the declared match on another port group or direction for the declared one', () => {
    const moved = listed().map((a) => (a.match.endsWith('tcp.dst == 80') ? { ...a, portGroup: 'pg_db' } : a));
    expect(aclDifferences(DECLARED, moved)).toEqual([
      `${WEB80}: declared (allow-related at priority 1002) but missing from the northbound DB`,
      "ACL on pg_db to-lport 'outport == @pg_web && ip4 && tcp && tcp.dst == 80': allow-related at priority 1002, which no security group declares",
    ]);
  });
});

describe('aclLabel', () => {
  it('says what holds the ACL', () => {
    expect(aclLabel({ portGroup: 'pg_web', direction: 'to-lport', match: 'ip4' })).toBe("ACL on pg_web to-lport 'ip4'");
    expect(aclLabel({ logicalSwitch: 'web', direction: 'from-lport', match: 'ip4' })).toBe("ACL on switch web from-lport 'ip4'");
    expect(aclLabel({ direction: 'from-lport', match: 'ip4' })).toBe("ACL on no port group or switch from-lport 'ip4'");
  });
});
