import { describe, expect, it } from 'vitest';
import type { Overlay, VmPort } from '../model/overlay.ts';
import { tunnelPairs } from './tunnel-pairs.ts';

const vm = (name: string, host: string, sw: string, mtu = 1442): VmPort => ({ name, switch: sw, ip: '10.0.0.1', prefixLength: 24, mac: '02:00:00:00:00:01', mtu, host, hostIface: `tap-${name}`, iface: 'eth1', groups: [] });

function overlay(vms: VmPort[], routed = true): Overlay {
  return { file: '/labs/t/t.overlay.yml', switches: [{ name: 'web', subnet: '10.20.1.0/24' }, { name: 'db', subnet: '10.20.2.0/24' }, { name: 'lone', subnet: '10.30.0.0/24' }], routers: routed ? [{ name: 'r', switches: ['web', 'db'] }] : [], vms, groups: [], providers: [], loadBalancers: [] };
}

describe('tunnelPairs', () => {
  it('lists both ways of every pair of chassis whose VMs the overlay connects, with the largest MTU that sends each way', () => {
    const pairs = tunnelPairs(overlay([vm('vm1', 'host1', 'web'), vm('vm2', 'host2', 'db', 1400), vm('vm3', 'host1', 'db', 1500), vm('vm4', 'host3', 'lone')]));
    expect(pairs).toEqual([
      { src: 'host1', dst: 'host2', vm: 'vm3', vmMtu: 1500 },
      { src: 'host2', dst: 'host1', vm: 'vm2', vmMtu: 1400 },
    ]);
  });

  it('leaves out VMs on one host and switches no router joins', () => {
    expect(tunnelPairs(overlay([vm('vm1', 'host1', 'web'), vm('vm2', 'host1', 'web')]))).toEqual([]);
    expect(tunnelPairs(overlay([vm('vm1', 'host1', 'web'), vm('vm2', 'host2', 'db')], false))).toEqual([]);
  });

  it('counts pairs whatever the security groups say: the underlay must carry a port opened later', () => {
    const o = overlay([vm('vm1', 'host1', 'web'), vm('vm2', 'host2', 'web')]);
    o.groups = [{ name: 'closed', rules: [] }];
    o.vms.forEach((v) => (v.groups = ['closed']));
    expect(tunnelPairs(o).map((p) => `${p.src}>${p.dst}`)).toEqual(['host1>host2', 'host2>host1']);
  });
});
