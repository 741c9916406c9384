import { describe, expect, it } from 'vitest';
import type { Overlay, VmPort } from '../model/overlay.ts';
import { planGatewayFailovers } from './gateway-failover.ts';

const vm = (name: string, host: string, ip: string, floatingIp?: string): VmPort => ({ name, switch: 'web', ip, prefixLength: 24, mac: '02:00:00:00:00:01', mtu: 1442, host, hostIface: name, iface: 'eth1', groups: ['web'], ...(floatingIp ? { floatingIp } : {}) });
const lrp = (r: string, s: string) => `lrp-${r}-${s}`;
const BASE = {
  file: '/labs/dc/dc.overlay.yml',
  providers: [{ name: 'public', subnet: '172.24.4.0/24', gateway: '172.24.4.1', node: 'ext' }],
  switches: [{ name: 'web', subnet: '10.20.1.0/24', gateway: '10.20.1.1' }],
  routers: [{ name: 'tenant', switches: ['web'], gateway: { network: 'public', ip: '172.24.4.10', prefixLength: 24, chassis: [{ node: 'host1', priority: 20 }, { node: 'host2', priority: 10 }], snat: ['web'] } }],
  vms: [vm('vm1', 'host1', '10.20.1.11', '172.24.4.101'), vm('vm2', 'host2', '10.20.1.12', '172.24.4.102'), vm('vm3', 'host3', '10.20.1.13', '172.24.4.103')],
  groups: [{ name: 'web', rules: [{ id: 'web#1', direction: 'ingress', protocol: 'udp', ports: { min: 5001, max: 5001 }, remoteCidr: '172.24.4.0/24' }, { id: 'web#2', direction: 'egress', protocol: 'any' }] }],
  loadBalancers: [],
  tunnelBfd: { intervalMs: 300, multiplier: 3 },
} as Overlay;

describe('planGatewayFailovers', () => {
  it('fails the highest priority, expects the next, and streams through a floating-IP VM off every gateway chassis if there is one', () => {
    const { plans, notDeclared } = planGatewayFailovers(BASE, lrp);
    expect(notDeclared).toEqual([]);
    expect(plans).toEqual([
      {
        router: 'tenant',
        port: 'lrp-tenant-public',
        redirectPort: 'cr-lrp-tenant-public',
        active: 'host1',
        standby: 'host2',
        // The standby, and host3 with vm3: both keep BFD with host1 and must see it fail.
        watchers: ['host2', 'host3'],
        vm: 'vm3',
        vmIp: '10.20.1.13',
        floatingIp: '172.24.4.103',
        udpPort: 5001,
        outside: { node: 'ext', ip: '172.24.4.1' },
        budgetMs: 2400,
        budgetText: 'tunnel BFD 3 × 300 ms (tunnel-bfd) + 1.5 s for the standby to take the port over',
      },
    ]);
  });

  it('says when the standby could never take over: its only BFD peer is the active chassis', () => {
    const two = { ...BASE, vms: BASE.vms.slice(0, 2) };
    expect(planGatewayFailovers(two, lrp).plans[0]!.cannotFailOver).toMatch(/host2 could never take over from host1: .* host2's only BFD peer is host1/);
    expect(planGatewayFailovers(BASE, lrp).plans[0]).not.toHaveProperty('cannotFailOver');
  });

  it('falls back to a VM on the standby, never one on the failing chassis', () => {
    const { plans } = planGatewayFailovers({ ...BASE, vms: BASE.vms.slice(0, 2) }, lrp);
    expect(plans[0]!.vm).toBe('vm2');
    expect(planGatewayFailovers({ ...BASE, vms: BASE.vms.slice(0, 1) }, lrp).notDeclared).toEqual([expect.stringMatching(/no VM with a floating IP off host1 whose security groups admit UDP from ext/)]);
  });

  it('says what is not declared: one chassis only, no tunnel BFD', () => {
    const single = { ...BASE, routers: BASE.routers.map((r) => ({ ...r, gateway: { ...r.gateway!, chassis: r.gateway!.chassis.slice(0, 1) } })) };
    expect(planGatewayFailovers(single, lrp).notDeclared).toEqual([expect.stringMatching(/one chassis \(host1\): there is nothing to fail over to/)]);
    const { tunnelBfd: _t, ...noBfd } = BASE;
    expect(planGatewayFailovers(noBfd as Overlay, lrp).notDeclared).toEqual([expect.stringMatching(/no tunnel-bfd/)]);
  });
});
