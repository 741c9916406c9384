import { describe, expect, it } from 'vitest';
import type { Overlay } from '../model/overlay.ts';
import type { LabLink } from '../model/topology.ts';
import { northSouthMtuCases, type NorthSouthMtuCase } from '../plan/north-south-mtu.ts';
import { northSouthMtuProblem } from './north-south-mtu.ts';
import { parsePingMtu } from '../probes/df-ping.ts';

const link = (a: string, b: string, mtu?: number): LabLink => ({ endpoints: [{ node: a.split(':')[0]!, iface: a.split(':')[1]! }, { node: b.split(':')[0]!, iface: b.split(':')[1]! }], ...(mtu !== undefined ? { mtu } : {}) });
const vm = (name: string, sw: string, mtu: number) => ({ name, switch: sw, ip: '10.20.1.11', prefixLength: 24, mac: '02:00:00:00:00:01', mtu, host: 'host1', hostIface: name, iface: 'eth1', groups: [] });
const overlay = (gatewayMtu?: number) =>
  ({
    providers: [{ name: 'public', subnet: '172.24.4.0/24', gateway: '172.24.4.1', node: 'ext' }],
    switches: [{ name: 'web', subnet: '10.20.1.0/24' }, { name: 'lone', subnet: '10.30.0.0/24' }],
    routers: [{ name: 'tenant', switches: ['web'], gateway: { network: 'public', ip: '172.24.4.10', prefixLength: 24, chassis: [{ node: 'host1', priority: 20 }, { node: 'host2', priority: 10 }], snat: ['web'], ...(gatewayMtu ? { mtu: gatewayMtu } : {}) } }],
    vms: [vm('vm1', 'web', 1442), vm('vm3', 'web', 1380), vm('vm9', 'lone', 1442)],
  }) as unknown as Overlay;
const LINKS = [link('ext:eth1', 'host1:ext', 1400), link('host2:ext', 'ext:eth2', 1400), link('leaf1:eth1', 'host1:eth1', 1500)];
const lrp = (r: string, s: string) => `lrp-${r}-${s}`;

describe('northSouthMtuCases', () => {
  it('expects "fragmentation needed" at the provider MTU for a VM whose MTU is larger, a reply for one that fits, nothing for a VM without a gateway', () => {
    const cases = northSouthMtuCases({ links: LINKS }, overlay(1400), lrp);
    expect(cases.map((c) => [c.vm, c.providerMtu, c.expected])).toEqual([
      ['vm1', 1400, { kind: 'frag-needed', mtu: 1400 }],
      ['vm3', 1400, { kind: 'reply' }],
    ]);
    expect(cases[0]).toMatchObject({ port: 'lrp-tenant-public', outside: { node: 'ext', ip: '172.24.4.1' }, providerLinks: ['ext:eth1 <-> host1:ext', 'host2:ext <-> ext:eth2'], gatewayMtu: 1400 });
  });

  it('expects the same without gateway_mtu declared (the suite then finds the black hole), and nothing when a provider link declares no MTU', () => {
    expect(northSouthMtuCases({ links: LINKS }, overlay(), lrp)[0]!.expected).toEqual({ kind: 'frag-needed', mtu: 1400 });
    const undeclared = northSouthMtuCases({ links: [link('ext:eth1', 'host1:ext'), LINKS[1]!] }, overlay(1400), lrp);
    expect(undeclared[0]).not.toHaveProperty('expected');
    expect(undeclared[0]).not.toHaveProperty('providerMtu');
  });
});

describe('parsePingMtu', () => {
  it('reads a reply, ICMP fragmentation needed, the local path MTU cache, and silence', () => {
    expect(parsePingMtu(0, '')).toEqual({ kind: 'reply' });
    expect(parsePingMtu(1, 'PING 172.24.4.1 (172.24.4.1) 1414(1442) bytes of data.\nFrom 10.20.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n')).toEqual({ kind: 'frag-needed', mtu: 1400, from: '10.20.1.1' });
    expect(parsePingMtu(1, 'ping: local error: message too long, mtu=1400\n')).toEqual({ kind: 'frag-needed', mtu: 1400, from: 'its own path MTU cache' });
    expect(parsePingMtu(1, 'PING 172.24.4.1 …\n\n--- 172.24.4.1 ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss\n')).toEqual({ kind: 'silence', detail: 'no reply and no ICMP error within the timeout' });
  });
});

describe('northSouthMtuProblem', () => {
  const [big, fits] = northSouthMtuCases({ links: LINKS }, overlay(), lrp) as [NorthSouthMtuCase, NorthSouthMtuCase];

  it('names the black hole and the router port without gateway_mtu', () => {
    expect(northSouthMtuProblem(big, { kind: 'silence', detail: 'no reply and no ICMP error within the timeout' })).toBe(
      "vm1 (MTU 1442) → ext 172.24.4.1: a 1442-byte don't-fragment packet vanished (no reply, no ICMP): a path MTU black hole; provider network public carries 1400 (ext:eth1 <-> host1:ext; host2:ext <-> ext:eth2); router port lrp-tenant-public has no gateway_mtu (routers.tenant.gateway.mtu is not declared), so OVN drops it silently",
    );
  });

  it('passes the expected ICMP and a reply that fits; names a wrong MTU and a failed small packet', () => {
    expect(northSouthMtuProblem(big, { kind: 'frag-needed', mtu: 1400, from: '10.20.1.1' })).toBeUndefined();
    expect(northSouthMtuProblem(fits, { kind: 'reply' })).toBeUndefined();
    expect(northSouthMtuProblem(big, { kind: 'frag-needed', mtu: 1500, from: '10.20.1.1' })).toMatch(/with mtu 1500 from 10\.20\.1\.1, expected mtu 1400/);
    expect(northSouthMtuProblem(fits, { kind: 'silence', detail: 'x' })).toMatch(/got no reply \(x\), though it fits/);
  });
});
