import { describe, expect, it } from 'vitest';
import type { Overlay, SecurityRule, VmPort } from '../model/overlay.ts';
import { echoPorts, expectationText, inboundProbes, natCellLabel, natMatrix, OUTSIDE_PORTS } from './nat-matrix.ts';

const vm = (name: string, sw: 'web' | 'db', ip: string, floatingIp?: string): VmPort => ({
  name, switch: sw, ip, prefixLength: 24, mac: '02:00:00:00:00:01', mtu: 1442, host: 'host1', hostIface: name, iface: 'eth1', groups: [sw], ...(floatingIp ? { floatingIp } : {}),
});
const rules = (group: string, ...rs: Omit<SecurityRule, 'id'>[]): SecurityRule[] => rs.map((r, i) => ({ id: `${group}#${i + 1}`, ...r }));

// The generated lab's overlay: web admits icmp and tcp/80 from anywhere, udp/5001 only from tenant subnets; db admits 5432 from web.
const GENERATED: Overlay = {
  file: '/labs/dc/dc.overlay.yml',
  providers: [{ name: 'public', subnet: '172.24.4.0/24', gateway: '172.24.4.1', node: 'ext' }],
  loadBalancers: [],
  switches: [
    { name: 'web', subnet: '10.20.1.0/24', gateway: '10.20.1.1' },
    { name: 'db', subnet: '10.20.2.0/24', gateway: '10.20.2.1' },
  ],
  routers: [
    {
      name: 'tenant',
      switches: ['web', 'db'],
      gateway: { network: 'public', ip: '172.24.4.10', prefixLength: 24, chassis: [{ node: 'host1', priority: 20 }, { node: 'host2', priority: 10 }], snat: ['web', 'db'] },
    },
  ],
  vms: [vm('vm1', 'web', '10.20.1.11', '172.24.4.101'), vm('vm2', 'db', '10.20.2.12'), vm('vm3', 'web', '10.20.1.13')],
  groups: [
    {
      name: 'web',
      rules: rules(
        'web',
        { direction: 'ingress', protocol: 'icmp' },
        { direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 } },
        { direction: 'ingress', protocol: 'tcp', ports: { min: 22, max: 22 }, remoteCidr: '10.20.2.0/24' },
        { direction: 'ingress', protocol: 'udp', ports: { min: 5001, max: 5001 }, remoteCidr: '10.20.0.0/16' },
        { direction: 'egress', protocol: 'any' },
      ),
    },
    { name: 'db', rules: rules('db', { direction: 'ingress', protocol: 'icmp' }, { direction: 'ingress', protocol: 'tcp', ports: { min: 5432, max: 5432 }, remoteGroup: 'web' }, { direction: 'egress', protocol: 'any' }) },
  ],
};
const OUTSIDE = { name: 'ext', ip: '172.24.4.1' };

describe('inboundProbes', () => {
  it('takes per protocol the first port a rule names that admits the outside, else the first named, else the outside service port', () => {
    const [vm1, vm2] = GENERATED.vms;
    expect(inboundProbes(GENERATED, vm1!, OUTSIDE)).toEqual([{ protocol: 'icmp' }, { protocol: 'tcp', port: 80 }, { protocol: 'udp', port: 5001 }]);
    expect(inboundProbes(GENERATED, vm2!, OUTSIDE)).toEqual([{ protocol: 'icmp' }, { protocol: 'tcp', port: 5432 }, { protocol: 'udp', port: OUTSIDE_PORTS.udp }]);
  });
});

describe('natMatrix on the generated overlay', () => {
  const cells = natMatrix(GENERATED);
  const find = (label: string) => {
    const c = cells.find((x) => natCellLabel(x) === label);
    if (!c) throw new Error(`no cell ${label}; cells: ${cells.map(natCellLabel).join(' | ')}`);
    return c;
  };

  it('floating IP in: the VM answers, seeing the outside address; a port its groups refuse gets no answer, naming the rule', () => {
    expect(find("ext → 172.24.4.101 (vm1's floating IP) tcp/80")).toMatchObject({ kind: 'in', vm: 'vm1', expected: { reach: true, answeredBy: 'vm1', seenSource: '172.24.4.1' } });
    expect(find("ext → 172.24.4.101 (vm1's floating IP) icmp").expected).toEqual({ reach: true, answeredBy: 'vm1', seenSource: '172.24.4.1' });
    const udp = find("ext → 172.24.4.101 (vm1's floating IP) udp/5001");
    expect(udp.expected).toEqual({ reach: false });
    expect(udp.because).toMatch(/vms\.vm1\.floating-ip \(DNAT 172\.24\.4\.101 → 10\.20\.1\.11\) and no ingress rule of web .* matches udp\/5001 from ext 172\.24\.4\.1/);
  });

  it('out: a VM with a floating IP is seen as it; the others as the router’s SNAT address', () => {
    expect(find("vm1 → 172.24.4.1 (ext, the outside world) tcp/443").expected).toEqual({ reach: true, answeredBy: 'ext', seenSource: '172.24.4.101' });
    expect(find("vm2 → 172.24.4.1 (ext, the outside world) udp/53").expected).toEqual({ reach: true, answeredBy: 'ext', seenSource: '172.24.4.10' });
    expect(find("vm3 → 172.24.4.1 (ext, the outside world) icmp")).toMatchObject({ because: expect.stringContaining('routers.tenant.gateway.snat (web → 172.24.4.10)') });
  });

  it('no way in: TCP and UDP to the SNAT address on the ports a VM without a floating IP serves, never ICMP (the router answers that)', () => {
    const noWayIn = cells.filter((c) => c.kind === 'no way in');
    expect(noWayIn.map(natCellLabel)).toEqual([
      "ext → 172.24.4.10 (router tenant's gateway) tcp/5432",
      "ext → 172.24.4.10 (router tenant's gateway) udp/53",
      "ext → 172.24.4.10 (router tenant's gateway) tcp/80",
      "ext → 172.24.4.10 (router tenant's gateway) udp/5001",
    ]);
    for (const c of noWayIn) expect(c.expected).toEqual({ reach: false });
  });

  it('has three out cells per VM and three in cells per floating IP', () => {
    expect(cells.filter((c) => c.kind === 'out')).toHaveLength(3 * GENERATED.vms.length);
    expect(cells.filter((c) => c.kind === 'in')).toHaveLength(3);
  });

  it('echo ports: the outside serves the out ports; every VM behind the gateway serves every in and no-way-in port', () => {
    const ports = echoPorts(GENERATED, cells);
    expect(ports.get('ext')).toEqual({ tcp: [443], udp: [53] });
    for (const v of ['vm1', 'vm2', 'vm3']) expect(ports.get(v), v).toEqual({ tcp: [80, 5432], udp: [53, 5001] });
  });

  it('says what a cell expects in words', () => {
    expect(expectationText({ reach: true, answeredBy: 'vm1', seenSource: '172.24.4.1' })).toBe('vm1 answers, seeing source 172.24.4.1');
    expect(expectationText({ reach: false })).toBe('no answer');
  });
});

describe('natMatrix: what the intent leaves out', () => {
  it('a switch the gateway does not SNAT, for a VM without a floating IP: the outside cannot answer', () => {
    const noSnat: Overlay = { ...GENERATED, routers: GENERATED.routers.map((r) => ({ ...r, gateway: { ...r.gateway!, snat: ['web'] } })) };
    const out = natMatrix(noSnat).filter((c) => c.kind === 'out' && c.vm === 'vm2');
    expect(out).toHaveLength(3);
    for (const c of out) {
      expect(c.expected).toEqual({ reach: false });
      expect(c.because).toMatch(/no SNAT for db \(routers\.tenant\.gateway\.snat\) and vm2 has no floating IP: the outside cannot answer 10\.20\.2\.12/);
    }
  });

  it('an egress rule that refuses the outside', () => {
    const closed: Overlay = { ...GENERATED, groups: GENERATED.groups.map((g) => (g.name === 'db' ? { ...g, rules: g.rules.filter((r) => r.direction === 'ingress') } : g)) };
    const c = natMatrix(closed).find((x) => x.kind === 'out' && x.vm === 'vm2' && x.probe.protocol === 'tcp')!;
    expect(c.expected).toEqual({ reach: false });
    expect(c.because).toMatch(/no egress rule of db/);
  });

  it('no cells without a gateway', () => {
    expect(natMatrix({ ...GENERATED, routers: GENERATED.routers.map(({ gateway: _g, ...r }) => r) })).toEqual([]);
  });
});
