import { describe, expect, it } from 'vitest';
import type { LogicalSwitch, Overlay, SecurityGroup, SecurityRule, VmPort } from '../model/overlay.ts';
import { expectedMatrix, probeLabel, probesFor, reachablePairs, ruleMatches, type Cell, type Probe } from './acl-matrix.ts';

const vm = (name: string, sw: string, ip: string, groups: string[] = []): VmPort => ({
  name,
  switch: sw,
  ip,
  prefixLength: 24,
  mac: '02:00:00:00:00:01',
  mtu: 1442,
  host: 'compute1',
  hostIface: `tap-${name}`,
  iface: 'eth1',
  groups,
});

const sw = (name: string, subnet: string): LogicalSwitch => ({ name, subnet });

function overlay(parts: Partial<Overlay>): Overlay {
  return { file: '/labs/t/t.overlay.yml', switches: [], routers: [], vms: [], groups: [], providers: [], loadBalancers: [], ...parts };
}

type RuleSpec = Omit<SecurityRule, 'id' | 'protocol'> & { protocol?: SecurityRule['protocol'] };

/** A group from compact rules (protocol defaults to any); ids are numbered as parseOverlay numbers them. */
function group(name: string, ...rules: RuleSpec[]): SecurityGroup {
  return { name, rules: rules.map((r, i) => ({ protocol: 'any', ...r, id: `${name}#${i + 1}` })) };
}

const labels = (probes: Probe[]) => probes.map(probeLabel);

describe('reachablePairs', () => {
  const o = overlay({
    switches: [sw('a', '10.1.0.0/24'), sw('b', '10.2.0.0/24'), sw('c', '10.3.0.0/24'), sw('d', '10.4.0.0/24'), sw('e', '10.5.0.0/24')],
    routers: [
      { name: 'r1', switches: ['a', 'b'] },
      { name: 'r2', switches: ['c', 'd'] },
    ],
    vms: [vm('a1', 'a', '10.1.0.10'), vm('a2', 'a', '10.1.0.11'), vm('b1', 'b', '10.2.0.10'), vm('c1', 'c', '10.3.0.10'), vm('d1', 'd', '10.4.0.10'), vm('e1', 'e', '10.5.0.10'), vm('e2', 'e', '10.5.0.11')],
  });

  it('pairs VMs on one switch and on switches of one router, both ways, never across routers or to themselves', () => {
    expect(reachablePairs(o).map((p) => `${p.src.name}>${p.dst.name}`)).toEqual([
      'a1>a2',
      'a1>b1',
      'a2>a1',
      'a2>b1',
      'b1>a1',
      'b1>a2',
      'c1>d1',
      'd1>c1',
      'e1>e2',
      'e2>e1',
    ]);
  });

  it('has no pairs without a path', () => {
    expect(reachablePairs({ ...o, routers: [] }).map((p) => `${p.src.name}>${p.dst.name}`)).toEqual(['a1>a2', 'a2>a1', 'e1>e2', 'e2>e1']);
    expect(reachablePairs(overlay({ switches: [sw('a', '10.1.0.0/24')], vms: [vm('a1', 'a', '10.1.0.10')] }))).toEqual([]);
  });
});

describe('probesFor', () => {
  it('without rules: ICMP and the first unprivileged port of each protocol', () => {
    expect(labels(probesFor(overlay({})))).toEqual(['icmp', 'tcp/1024', 'udp/1024']);
  });

  it('both edges of every range of its own protocol and the ports just outside them, sorted and deduplicated', () => {
    const o = overlay({
      groups: [
        group('web', { direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 } }, { direction: 'ingress', protocol: 'udp', ports: { min: 5000, max: 5010 } }),
        group('db', { direction: 'egress', protocol: 'tcp', ports: { min: 22, max: 22 } }, { direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 90 } }),
      ],
    });
    expect(labels(probesFor(o))).toEqual(['icmp', 'tcp/21', 'tcp/22', 'tcp/23', 'tcp/79', 'tcp/80', 'tcp/81', 'tcp/90', 'tcp/91', 'tcp/1024', 'udp/1024', 'udp/4999', 'udp/5000', 'udp/5010', 'udp/5011']);
  });

  it('the default-deny port skips every port a rule of that protocol names', () => {
    const o = overlay({
      groups: [group('g', { direction: 'ingress', protocol: 'tcp', ports: { min: 1000, max: 2000 } }, { direction: 'egress', protocol: 'tcp', ports: { min: 2001, max: 2001 } })],
    });
    expect(labels(probesFor(o))).toEqual(['icmp', 'tcp/999', 'tcp/1000', 'tcp/2000', 'tcp/2001', 'tcp/2002', 'udp/1024']);
  });

  it('rules without ports (any protocol, or tcp/udp on every port) add no probes', () => {
    const o = overlay({ groups: [group('g', { direction: 'ingress' }, { direction: 'ingress', protocol: 'tcp' }, { direction: 'egress', protocol: 'icmp' })] });
    expect(labels(probesFor(o))).toEqual(['icmp', 'tcp/1024', 'udp/1024']);
  });

  it('adds probes another lab\'s rules name, once, so two labs are probed cell for cell', () => {
    const o = overlay({ groups: [group('g', { direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 } })] });
    expect(labels(probesFor(o, [{ protocol: 'tcp', port: 5432 }, { protocol: 'tcp', port: 80 }, { protocol: 'icmp' }]))).toEqual(['icmp', 'tcp/79', 'tcp/80', 'tcp/81', 'tcp/1024', 'tcp/5432', 'udp/1024']);
  });

  it('falls back below 1024 when every port from 1024 up is named, and adds none when all are', () => {
    const o = overlay({
      groups: [group('g', { direction: 'ingress', protocol: 'tcp', ports: { min: 1024, max: 65535 } }, { direction: 'ingress', protocol: 'udp', ports: { min: 1, max: 65535 } })],
    });
    expect(labels(probesFor(o))).toEqual(['icmp', 'tcp/1', 'tcp/1023', 'tcp/1024', 'tcp/65535', 'udp/1', 'udp/65535']);
  });
});

describe('ruleMatches', () => {
  const o = overlay({ vms: [vm('j1', 'a', '10.1.0.5', ['jump']), vm('x1', 'a', '10.1.0.6')] });
  const tcp22: Probe = { protocol: 'tcp', port: 22 };
  const r = (x: Partial<SecurityRule>): SecurityRule => ({ id: 'g#1', direction: 'ingress', protocol: 'any', ...x });

  it.each<[string, SecurityRule, Probe, string, boolean]>([
    ['any protocol, anywhere', r({}), tcp22, '10.9.9.9', true],
    ['any protocol matches icmp', r({}), { protocol: 'icmp' }, '10.9.9.9', true],
    ['other protocol', r({ protocol: 'udp' }), tcp22, '10.9.9.9', false],
    ['icmp rule, tcp probe', r({ protocol: 'icmp' }), tcp22, '10.9.9.9', false],
    ['tcp without ports', r({ protocol: 'tcp' }), { protocol: 'tcp', port: 65535 }, '10.9.9.9', true],
    ['below the range', r({ protocol: 'tcp', ports: { min: 23, max: 30 } }), tcp22, '10.9.9.9', false],
    ['range lower edge', r({ protocol: 'tcp', ports: { min: 22, max: 30 } }), tcp22, '10.9.9.9', true],
    ['range upper edge', r({ protocol: 'tcp', ports: { min: 20, max: 22 } }), tcp22, '10.9.9.9', true],
    ['above the range', r({ protocol: 'tcp', ports: { min: 20, max: 21 } }), tcp22, '10.9.9.9', false],
    ['inside the CIDR', r({ remoteCidr: '10.1.0.0/24' }), tcp22, '10.1.0.200', true],
    ['outside the CIDR', r({ remoteCidr: '10.1.0.0/24' }), tcp22, '10.1.1.1', false],
    ['a /32', r({ remoteCidr: '10.1.0.5/32' }), tcp22, '10.1.0.5', true],
    ['0.0.0.0/0', r({ remoteCidr: '0.0.0.0/0' }), tcp22, '192.0.2.1', true],
    ['a member of the remote group', r({ remoteGroup: 'jump' }), tcp22, '10.1.0.5', true],
    ['a VM outside the remote group on the same switch', r({ remoteGroup: 'jump' }), tcp22, '10.1.0.6', false],
    ['an address no VM has', r({ remoteGroup: 'jump' }), tcp22, '10.1.0.7', false],
  ])('%s', (_name, rule, probe, remote, expected) => {
    expect(ruleMatches(o, rule, probe, remote)).toBe(expected);
  });
});

describe('expectedMatrix', () => {
  // vm1 (web) and vm3 (jump) on web; vm2 (db) and vm4 (no group) on db; one router joins them.
  const O = overlay({
    switches: [sw('web', '10.20.1.0/24'), sw('db', '10.20.2.0/24')],
    routers: [{ name: 'tenant', switches: ['web', 'db'] }],
    vms: [vm('vm1', 'web', '10.20.1.11', ['web']), vm('vm2', 'db', '10.20.2.12', ['db']), vm('vm3', 'web', '10.20.1.13', ['jump']), vm('vm4', 'db', '10.20.2.14')],
    groups: [
      group(
        'web',
        { direction: 'ingress', protocol: 'icmp' },
        { direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 } },
        { direction: 'ingress', protocol: 'tcp', ports: { min: 22, max: 22 }, remoteGroup: 'jump' },
        { direction: 'ingress', protocol: 'udp', ports: { min: 5000, max: 5010 }, remoteCidr: '10.20.2.0/24' },
        { direction: 'egress' },
      ),
      group('db', { direction: 'ingress', protocol: 'tcp', ports: { min: 5432, max: 5432 }, remoteGroup: 'web' }, { direction: 'ingress', protocol: 'icmp', remoteCidr: '10.20.1.0/24' }),
      group('jump', { direction: 'egress', protocol: 'tcp', ports: { min: 22, max: 22 } }),
    ],
  });
  const M = expectedMatrix(O);
  const cell = (src: string, dst: string, probe: string): Cell => {
    const found = M.filter((c) => c.src === src && c.dst === dst && probeLabel(c.probe) === probe);
    expect(found, `${src} → ${dst} ${probe}`).toHaveLength(1);
    return found[0]!;
  };
  const verdict = (src: string, dst: string, probe: string) => [cell(src, dst, probe).expected, cell(src, dst, probe).because];

  it('has one cell per reachable pair and probe', () => {
    const probes = labels(probesFor(O));
    expect(probes).toEqual(['icmp', 'tcp/21', 'tcp/22', 'tcp/23', 'tcp/79', 'tcp/80', 'tcp/81', 'tcp/1024', 'tcp/5431', 'tcp/5432', 'tcp/5433', 'udp/1024', 'udp/4999', 'udp/5000', 'udp/5010', 'udp/5011']);
    expect(M).toHaveLength(12 * probes.length);
    expect(new Set(M.map((c) => `${c.src}>${c.dst} ${probeLabel(c.probe)}`)).size).toBe(M.length);
  });

  it('probes just outside each range, where a rule rendered too wide would allow', () => {
    expect(verdict('vm1', 'vm2', 'tcp/5432')[0]).toBe('allow');
    expect(verdict('vm1', 'vm2', 'tcp/5431')[0]).toBe('deny');
    expect(verdict('vm1', 'vm2', 'tcp/5433')[0]).toBe('deny');
  });

  it('allows when both the egress and the ingress side have a matching rule, and names them', () => {
    expect(verdict('vm3', 'vm1', 'tcp/22')).toEqual(['allow', 'egress jump#1 and ingress web#3']);
    expect(verdict('vm1', 'vm2', 'tcp/5432')).toEqual(['allow', 'egress web#5 and ingress db#1']);
    expect(verdict('vm1', 'vm2', 'icmp')).toEqual(['allow', 'egress web#5 and ingress db#2']);
  });

  it('does not filter a VM without groups, on either side', () => {
    expect(verdict('vm4', 'vm1', 'tcp/80')).toEqual(['allow', 'egress unfiltered (vm4 has no security group) and ingress web#2']);
    expect(verdict('vm1', 'vm4', 'udp/1024')).toEqual(['allow', 'egress web#5 and ingress unfiltered (vm4 has no security group)']);
  });

  it('denies at ingress when no rule of the destination matches, listing its ingress rules', () => {
    expect(verdict('vm4', 'vm1', 'tcp/22')).toEqual(['deny', 'no ingress rule of web (web#1 web#2 web#3 web#4) matches tcp/22 from vm4 10.20.2.14']);
    expect(verdict('vm4', 'vm1', 'tcp/1024')).toEqual(['deny', 'no ingress rule of web (web#1 web#2 web#3 web#4) matches tcp/1024 from vm4 10.20.2.14']);
    // remote-group is about membership, not about where the VM is
    expect(verdict('vm4', 'vm2', 'tcp/5432')).toEqual(['deny', 'no ingress rule of db (db#1 db#2) matches tcp/5432 from vm4 10.20.2.14']);
  });

  it('matches a remote CIDR by containment, and port ranges at both edges but not beyond', () => {
    expect(cell('vm4', 'vm1', 'udp/5000').expected).toBe('allow');
    expect(cell('vm4', 'vm1', 'udp/5010').expected).toBe('allow');
    expect(cell('vm4', 'vm1', 'udp/1024').expected).toBe('deny');
    expect(verdict('vm4', 'vm2', 'icmp')).toEqual(['deny', 'no ingress rule of db (db#1 db#2) matches icmp from vm4 10.20.2.14']);
  });

  it('denies at egress when the source has groups but no matching egress rule, saying when there are none', () => {
    expect(verdict('vm2', 'vm4', 'icmp')).toEqual(['deny', 'no egress rule of db (none) matches icmp to vm4 10.20.2.14']);
    expect(verdict('vm3', 'vm4', 'tcp/80')).toEqual(['deny', 'no egress rule of jump (jump#1) matches tcp/80 to vm4 10.20.2.14']);
  });

  it('names both sides when both deny', () => {
    expect(verdict('vm3', 'vm1', 'udp/5000')).toEqual([
      'deny',
      'no egress rule of jump (jump#1) matches udp/5000 to vm1 10.20.1.11; no ingress rule of web (web#1 web#2 web#3 web#4) matches udp/5000 from vm3 10.20.1.13',
    ]);
  });

  it('pairs without an L3 path get no cells', () => {
    const split = expectedMatrix({ ...O, routers: [] });
    expect(new Set(split.map((c) => `${c.src}>${c.dst}`))).toEqual(new Set(['vm1>vm3', 'vm3>vm1', 'vm2>vm4', 'vm4>vm2']));
  });

  it('any rule of any of a VM’s groups counts, and the first match in the VM’s group order is named', () => {
    const o = overlay({
      switches: [sw('a', '10.1.0.0/24')],
      vms: [vm('x', 'a', '10.1.0.10', ['jump', 'web', 'all']), vm('y', 'a', '10.1.0.11', ['db', 'web'])],
      groups: [
        group('web', { direction: 'egress', protocol: 'icmp' }, { direction: 'ingress', protocol: 'icmp' }),
        group('db', { direction: 'ingress', protocol: 'tcp', ports: { min: 22, max: 22 } }),
        group('jump', { direction: 'egress', protocol: 'tcp' }),
        group('all', { direction: 'egress' }),
      ],
    });
    const m = expectedMatrix(o);
    const x2y = (p: string) => m.find((c) => c.src === 'x' && c.dst === 'y' && probeLabel(c.probe) === p)!;
    expect([x2y('icmp').expected, x2y('icmp').because]).toEqual(['allow', 'egress web#1 and ingress web#2']);
    expect([x2y('tcp/22').expected, x2y('tcp/22').because]).toEqual(['allow', 'egress jump#1 and ingress db#1']);
    expect([x2y('udp/1024').expected, x2y('udp/1024').because]).toEqual(['deny', 'no ingress rule of db, web (db#1 web#2) matches udp/1024 from x 10.1.0.10']);
    const y2x = m.find((c) => c.src === 'y' && c.dst === 'x' && probeLabel(c.probe) === 'icmp')!;
    expect(y2x.because).toBe('egress web#1 and ingress web#2');
  });

  it('allows everything between VMs without groups', () => {
    const o = overlay({ switches: [sw('a', '10.1.0.0/24')], vms: [vm('x', 'a', '10.1.0.10'), vm('y', 'a', '10.1.0.11')] });
    const m = expectedMatrix(o);
    expect(m).toHaveLength(2 * 3);
    for (const c of m) expect(c).toMatchObject({ expected: 'allow', because: `egress unfiltered (${c.src} has no security group) and ingress unfiltered (${c.dst} has no security group)` });
  });
});
