import { describe, expect, it } from 'vitest';
import type { Overlay } from '../model/overlay.ts';
import { parseNbGatewayChassis, parseNbNats, type NbNat } from '../probes/ovn-nats.ts';
import type { DeclaredNat } from '../render/ovn.ts';
import { cellProblem, gatewayBindingDifferences, gatewayChassisDifferences, natDifferences, northSouthDifferences } from './nats.ts';

const DECLARED: DeclaredNat[] = [
  { router: 'tenant', type: 'snat', externalIp: '172.24.4.10', logicalIp: '10.20.1.0/24', declaredBy: 'routers.tenant.gateway.snat (web)' },
  { router: 'tenant', type: 'snat', externalIp: '172.24.4.10', logicalIp: '10.20.2.0/24', declaredBy: 'routers.tenant.gateway.snat (db)' },
  { router: 'tenant', type: 'dnat_and_snat', externalIp: '172.24.4.101', logicalIp: '10.20.1.11', declaredBy: 'vms.vm1.floating-ip' },
];
const asListed = (d: DeclaredNat): NbNat => ({ router: d.router, type: d.type, externalIp: d.externalIp, logicalIp: d.logicalIp });

describe('natDifferences', () => {
  it('is empty when the northbound DB holds exactly the declared rules', () => {
    expect(natDifferences(DECLARED, DECLARED.map(asListed))).toEqual([]);
  });

  it('names a floating IP bound to another address, a missing SNAT, and a rule nobody declared', () => {
    const listed: NbNat[] = [asListed(DECLARED[0]!), { ...asListed(DECLARED[2]!), logicalIp: '10.20.1.13' }, { router: 'tenant', type: 'dnat', externalIp: '172.24.4.99', logicalIp: '10.20.2.12' }];
    expect(natDifferences(DECLARED, listed)).toEqual([
      'NAT snat 172.24.4.10 ← 10.20.2.0/24 on router tenant: declared by routers.tenant.gateway.snat (db) but missing from the northbound DB',
      'NAT dnat_and_snat 172.24.4.101 on router tenant: logical_ip 10.20.1.13, declared 10.20.1.11 (vms.vm1.floating-ip)',
      'NAT dnat 172.24.4.99 on router tenant → 10.20.2.12: in the northbound DB, but the intent declares no such NAT',
    ]);
  });

  it('names a SNAT rule with another external address', () => {
    expect(natDifferences(DECLARED.slice(0, 1), [{ ...asListed(DECLARED[0]!), externalIp: '172.24.4.11' }])).toEqual([
      'NAT snat 172.24.4.11 ← 10.20.1.0/24 on router tenant: external_ip 172.24.4.11, declared 172.24.4.10 (routers.tenant.gateway.snat (web))',
    ]);
  });
});

const OVERLAY = {
  routers: [{ name: 'tenant', switches: ['web'], gateway: { network: 'public', ip: '172.24.4.10', prefixLength: 24, chassis: [{ node: 'host1', priority: 20 }, { node: 'host2', priority: 10 }], snat: ['web'] } }],
} as unknown as Overlay;

describe('gatewayChassisDifferences', () => {
  const port = 'lrp-tenant-public';
  it('is empty when the port has the declared chassis and priorities', () => {
    expect(gatewayChassisDifferences(OVERLAY, [{ port, chassis: 'host1', priority: 20 }, { port, chassis: 'host2', priority: 10 }])).toEqual([]);
  });

  it('names both chassis at the same priority, a missing chassis and an undeclared one', () => {
    expect(gatewayChassisDifferences(OVERLAY, [{ port, chassis: 'host1', priority: 10 }, { port, chassis: 'host2', priority: 10 }])).toEqual([
      'gateway port lrp-tenant-public: chassis host1 has priority 10, declared 20 (routers.tenant.gateway.chassis)',
      "gateway port lrp-tenant-public: 2 chassis share priorities (host1 10, host2 10): which one is active is OVN's arbitrary choice",
    ]);
    expect(gatewayChassisDifferences(OVERLAY, [{ port, chassis: 'host1', priority: 20 }, { port, chassis: 'host3', priority: 5 }])).toEqual([
      'gateway port lrp-tenant-public: chassis host2 (priority 10, routers.tenant.gateway.chassis) is missing from the northbound DB',
      'gateway port lrp-tenant-public: chassis host3 (priority 5) is in the northbound DB, but the intent does not declare it',
    ]);
  });
});

describe('gatewayBindingDifferences', () => {
  const cr = 'cr-lrp-tenant-public';
  it('is empty when the chassis-redirect port is bound to the highest-priority chassis', () => {
    expect(gatewayBindingDifferences(OVERLAY, new Map([[cr, 'host1']]))).toEqual([]);
  });

  it('names the chassis the port is active on instead, no chassis, or a port OVN never made', () => {
    expect(gatewayBindingDifferences(OVERLAY, new Map([[cr, 'host2']]))).toEqual(['gateway port lrp-tenant-public: active on host2, expected host1 (priority 20, the highest in routers.tenant.gateway.chassis)']);
    expect(gatewayBindingDifferences(OVERLAY, new Map([[cr, undefined]]))).toEqual(['gateway port lrp-tenant-public: active on no chassis, expected host1 (priority 20, the highest in routers.tenant.gateway.chassis)']);
    expect(gatewayBindingDifferences(OVERLAY, new Map())).toEqual(["gateway port lrp-tenant-public: OVN's southbound DB has no cr-lrp-tenant-public (is it a gateway port with chassis in the northbound DB?)"]);
  });
});

describe('parsing ovn-nbctl JSON', () => {
  it('joins NAT rows to their routers and gateway chassis to their ports', () => {
    const nats = { headings: ['_uuid', 'type', 'external_ip', 'logical_ip'], data: [[['uuid', 'n1'], 'snat', '172.24.4.10', '10.20.1.0/24'], [['uuid', 'n2'], 'dnat_and_snat', '172.24.4.101', '10.20.1.11']] };
    const routers = { headings: ['name', 'nat'], data: [['tenant', ['set', [['uuid', 'n1']]]]] };
    expect(parseNbNats(nats, routers)).toEqual([
      { router: 'tenant', type: 'snat', externalIp: '172.24.4.10', logicalIp: '10.20.1.0/24' },
      { type: 'dnat_and_snat', externalIp: '172.24.4.101', logicalIp: '10.20.1.11' },
    ]);
    const gwc = { headings: ['_uuid', 'chassis_name', 'priority'], data: [[['uuid', 'g1'], 'host1', 20]] };
    const ports = { headings: ['name', 'gateway_chassis'], data: [['lrp-tenant-public', ['uuid', 'g1']], ['lrp-tenant-web', ['set', []]]] };
    expect(parseNbGatewayChassis(gwc, ports)).toEqual([{ port: 'lrp-tenant-public', chassis: 'host1', priority: 20 }]);
  });

  it('northSouthDifferences puts NAT lines before gateway chassis lines', () => {
    const overlay = { ...OVERLAY, switches: [{ name: 'web', subnet: '10.20.1.0/24' }], vms: [] } as unknown as Overlay;
    expect(northSouthDifferences(overlay, { nats: [], gatewayChassis: [] })).toEqual([
      'NAT snat 172.24.4.10 ← 10.20.1.0/24 on router tenant: declared by routers.tenant.gateway.snat (web) but missing from the northbound DB',
      'gateway port lrp-tenant-public: chassis host1 (priority 20, routers.tenant.gateway.chassis) is missing from the northbound DB',
      'gateway port lrp-tenant-public: chassis host2 (priority 10, routers.tenant.gateway.chassis) is missing from the northbound DB',
    ]);
  });
});

describe('parseGatewayBindings', () => {
  it('names the chassis bound to each chassis-redirect port, undefined while unbound, and ignores other ports', async () => {
    const { parseGatewayBindings } = await import('../probes/ovn-nats.ts');
    const bindings = {
      headings: ['logical_port', 'chassis', 'type'],
      data: [
        ['cr-lrp-tenant-public', ['uuid', 'c1'], 'chassisredirect'],
        ['cr-lrp-other-public', ['set', []], 'chassisredirect'],
        ['vm1', ['uuid', 'c2'], ''],
      ],
    };
    const chassis = { headings: ['_uuid', 'name'], data: [[['uuid', 'c1'], 'host1'], [['uuid', 'c2'], 'host2']] };
    expect([...parseGatewayBindings(bindings, chassis)]).toEqual([
      ['cr-lrp-tenant-public', 'host1'],
      ['cr-lrp-other-public', undefined],
    ]);
  });
});

describe('cellProblem', () => {
  const reach = { expected: { reach: true as const, answeredBy: 'vm1', seenSource: '172.24.4.1' }, probe: { protocol: 'tcp' as const, port: 80 } };
  const none = { expected: { reach: false as const }, probe: { protocol: 'udp' as const, port: 5001 } };

  it('passes the right VM seeing the right source, and silence where none is expected', () => {
    expect(cellProblem(reach, { ok: true, detail: 'connected', seen: '172.24.4.1', by: 'vm1' })).toBeUndefined();
    expect(cellProblem(none, { ok: false, detail: 'no UDP reply within 1000 ms' })).toBeUndefined();
    expect(cellProblem({ ...reach, probe: { protocol: 'icmp' } }, { ok: true, detail: 'echo reply' })).toBeUndefined();
  });

  it('names the wrong VM, the wrong source, silence, and an answer where none is expected', () => {
    expect(cellProblem(reach, { ok: true, detail: 'connected', seen: '172.24.4.1', by: 'vm3' })).toBe('vm3 answered, seeing source 172.24.4.1');
    expect(cellProblem(reach, { ok: true, detail: 'connected', seen: '10.20.1.1', by: 'vm1' })).toBe('vm1 answered, seeing source 10.20.1.1');
    expect(cellProblem(reach, { ok: false, detail: 'connection refused' })).toBe('no answer (connection refused)');
    expect(cellProblem(none, { ok: true, detail: 'reply received', seen: '172.24.4.1', by: 'vm2' })).toBe('vm2 answered, seeing source 172.24.4.1');
    expect(cellProblem(reach, { ok: true, detail: 'connected, no source echo within 1000 ms' })).toBe('something answered');
  });
});
