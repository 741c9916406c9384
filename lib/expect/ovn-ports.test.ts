import { describe, expect, it } from 'vitest';
import type { VmPort } from '../model/overlay.ts';
import type { NbSwitchPort } from '../probes/ovn-ports.ts';
import { switchPortDifferences } from './ovn-ports.ts';

const vm = (name: string, sw: string, ip: string, mac: string): VmPort => ({ name, switch: sw, ip, prefixLength: 24, mac, mtu: 1442, host: 'host1', hostIface: name, iface: 'eth1', groups: [] });
const VM1 = vm('vm1', 'web', '10.20.1.11', '02:00:0a:14:01:0b');
const VM2 = vm('vm2', 'db', '10.20.2.12', '02:00:0a:14:02:0c');

/** The ports as netproof renders them, and the router's patch port, which no VM declares. */
const healthy = (): NbSwitchPort[] => [
  { name: 'vm1', logicalSwitch: 'web', addresses: ['02:00:0a:14:01:0b 10.20.1.11'], portSecurity: ['02:00:0a:14:01:0b 10.20.1.11'] },
  { name: 'vm2', logicalSwitch: 'db', addresses: ['02:00:0a:14:02:0c 10.20.2.12'], portSecurity: ['02:00:0a:14:02:0c 10.20.2.12'] },
  { name: 'lsp-db-tenant', logicalSwitch: 'db', addresses: ['router'], portSecurity: [] },
];

describe('switchPortDifferences', () => {
  it('is empty when every VM port is as declared (enabled set or not)', () => {
    const ports = healthy();
    ports[0]!.enabled = true;
    expect(switchPortDifferences([VM1, VM2], ports)).toEqual([]);
  });

  it('names the port whose addresses were changed (lsp-set-addresses), and only it', () => {
    const ports = healthy();
    ports[1]!.addresses = ['02:00:00:00:99:99 10.20.2.12'];
    expect(switchPortDifferences([VM1, VM2], ports)).toEqual(['logical switch port vm2 on switch db: addresses "02:00:00:00:99:99 10.20.2.12", declared "02:00:0a:14:02:0c 10.20.2.12"']);
  });

  it('names a deleted port (lsp-del) with the switch and addresses it is declared with', () => {
    const ports = healthy().filter((p) => p.name !== 'vm2');
    expect(switchPortDifferences([VM1, VM2], ports)).toEqual(['logical switch port vm2: declared on switch db with addresses "02:00:0a:14:02:0c 10.20.2.12", but missing from the northbound DB']);
  });

  it('names a port moved to another switch, disabled, or with its port security cleared or extended, every difference on one line', () => {
    const ports = healthy();
    ports[0] = { ...ports[0]!, logicalSwitch: 'db', enabled: false, portSecurity: [], addresses: [] };
    ports[1] = { ...ports[1]!, portSecurity: ['02:00:0a:14:02:0c 10.20.2.12', '02:00:00:00:00:99 10.20.2.99'] };
    expect(switchPortDifferences([VM1, VM2], ports)).toEqual([
      'logical switch port vm1: on switch db, declared on switch web; disabled (enabled=false), declared enabled; addresses (none), declared "02:00:0a:14:01:0b 10.20.1.11"; port_security (none), declared "02:00:0a:14:01:0b 10.20.1.11"',
      'logical switch port vm2 on switch db: port_security "02:00:0a:14:02:0c 10.20.2.12", "02:00:00:00:00:99 10.20.2.99", declared "02:00:0a:14:02:0c 10.20.2.12"',
    ]);
  });

  it('looks only at the VMs it is given', () => {
    const ports = healthy();
    ports[1]!.addresses = ['02:00:00:00:99:99 10.20.2.12'];
    expect(switchPortDifferences([VM1], ports)).toEqual([]);
  });
});
