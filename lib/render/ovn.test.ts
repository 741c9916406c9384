import { describe, expect, it } from 'vitest';
import type { Overlay, SecurityRule, VmPort } from '../model/overlay.ts';
import { aclDirection, aclMatch, portGroupName, renderAcls, renderNats, renderNbCommands, routerPortName, switchRouterPortName } from './ovn.ts';

const vm = (name: string, sw: string, ip: string, mac: string, groups: string[] = []): VmPort => ({
  name,
  switch: sw,
  ip,
  prefixLength: 24,
  mac,
  mtu: 1442,
  host: 'compute1',
  hostIface: `tap-${name}`,
  iface: 'eth1',
  groups,
});

const rule = (r: Partial<SecurityRule> & Pick<SecurityRule, 'direction'>): SecurityRule => ({ id: 'g#1', protocol: 'any', ...r });

/** The brief's example: two routed switches, an unrouted one, three groups (one without members or rules). */
const OVERLAY: Overlay = {
  file: '/labs/t/t.overlay.yml',
  providers: [],
  loadBalancers: [],
  switches: [
    { name: 'web', subnet: '10.20.1.0/24', gateway: '10.20.1.1' },
    { name: 'db', subnet: '10.20.2.0/24', gateway: '10.20.2.1' },
    { name: 'lone', subnet: '10.30.0.0/16' },
  ],
  routers: [{ name: 'tenant', switches: ['web', 'db'] }],
  vms: [
    vm('vm1', 'web', '10.20.1.11', '02:00:0a:14:01:0b', ['web']),
    vm('vm2', 'db', '10.20.2.12', '02:00:0a:14:02:0c', ['db', 'web']),
    vm('vm3', 'lone', '10.30.0.5', '02:aa:00:00:00:03'),
  ],
  groups: [
    {
      name: 'web',
      rules: [
        { id: 'web#1', direction: 'ingress', protocol: 'icmp' },
        { id: 'web#2', direction: 'ingress', protocol: 'tcp', ports: { min: 22, max: 22 }, remoteGroup: 'jump' },
        { id: 'web#3', direction: 'egress', protocol: 'any' },
      ],
    },
    { name: 'db', rules: [{ id: 'db#1', direction: 'ingress', protocol: 'udp', ports: { min: 5000, max: 5010 }, remoteCidr: '10.20.1.0/24' }] },
    { name: 'jump', rules: [] },
  ],
};

const CMDS = renderNbCommands(OVERLAY);
const indexOf = (cmd: string[]) => CMDS.findIndex((c) => JSON.stringify(c) === JSON.stringify(cmd));
/** The command's position; fails the test if it is not rendered. */
const at = (cmd: string[]) => {
  const i = indexOf(cmd);
  expect(i, `command ${JSON.stringify(cmd)} is rendered`).toBeGreaterThanOrEqual(0);
  return i;
};
const verb = (c: string[]) => c.find((a) => !a.startsWith('--'))!;
const ofVerb = (v: string) => CMDS.filter((c) => verb(c) === v);

describe('aclMatch', () => {
  it.each<[string, SecurityRule, string]>([
    ['ingress, any protocol, anywhere', rule({ direction: 'ingress' }), 'outport == @pg_web && ip4'],
    ['egress, any protocol, anywhere', rule({ direction: 'egress' }), 'inport == @pg_web && ip4'],
    ['icmp is icmp4', rule({ direction: 'ingress', protocol: 'icmp' }), 'outport == @pg_web && ip4 && icmp4'],
    ['tcp, every port', rule({ direction: 'ingress', protocol: 'tcp' }), 'outport == @pg_web && ip4 && tcp'],
    ['one tcp port', rule({ direction: 'ingress', protocol: 'tcp', ports: { min: 22, max: 22 } }), 'outport == @pg_web && ip4 && tcp && tcp.dst == 22'],
    ['a udp range', rule({ direction: 'egress', protocol: 'udp', ports: { min: 5000, max: 5010 } }), 'inport == @pg_web && ip4 && udp && udp.dst >= 5000 && udp.dst <= 5010'],
    ['ingress from a CIDR', rule({ direction: 'ingress', remoteCidr: '10.20.2.0/24' }), 'outport == @pg_web && ip4 && ip4.src == 10.20.2.0/24'],
    ['egress to a CIDR', rule({ direction: 'egress', protocol: 'icmp', remoteCidr: '10.20.2.0/24' }), 'inport == @pg_web && ip4 && icmp4 && ip4.dst == 10.20.2.0/24'],
    ['0.0.0.0/0 adds nothing', rule({ direction: 'ingress', protocol: 'tcp', remoteCidr: '0.0.0.0/0' }), 'outport == @pg_web && ip4 && tcp'],
    ['ingress from a group', rule({ direction: 'ingress', protocol: 'tcp', ports: { min: 22, max: 22 }, remoteGroup: 'jump' }), 'outport == @pg_web && ip4 && tcp && tcp.dst == 22 && ip4.src == $pg_jump_ip4'],
    ['egress to a group', rule({ direction: 'egress', protocol: 'udp', remoteGroup: 'db_tier' }), 'inport == @pg_web && ip4 && udp && ip4.dst == $pg_db_tier_ip4'],
  ])('%s', (_name, r, match) => {
    expect(aclMatch('web', r)).toBe(match);
  });
});

describe('names', () => {
  it('port groups, router ports and their switch peers', () => {
    expect(portGroupName('web')).toBe('pg_web');
    expect(routerPortName('tenant', 'web')).toBe('lrp-tenant-web');
    expect(switchRouterPortName('web', 'tenant')).toBe('lsp-web-tenant');
    expect(aclDirection({ direction: 'ingress' })).toBe('to-lport');
    expect(aclDirection({ direction: 'egress' })).toBe('from-lport');
  });
});

describe('renderNbCommands', () => {
  it('adds every switch, idempotently', () => {
    expect(ofVerb('ls-add')).toEqual([
      ['--may-exist', 'ls-add', 'web'],
      ['--may-exist', 'ls-add', 'db'],
      ['--may-exist', 'ls-add', 'lone'],
    ]);
  });

  it('adds each VM port on its switch with "MAC IP" as one argument for addresses and port security', () => {
    for (const v of OVERLAY.vms) {
      const add = at(['--may-exist', 'lsp-add', v.switch, v.name]);
      expect(at(['--may-exist', 'ls-add', v.switch])).toBeLessThan(add);
      expect(at(['lsp-set-addresses', v.name, `${v.mac} ${v.ip}`])).toBeGreaterThan(add);
      expect(at(['lsp-set-port-security', v.name, `${v.mac} ${v.ip}`])).toBeGreaterThan(add);
    }
  });

  it('adds the router with a port on each joined switch, patched to a router-type switch port', () => {
    const lr = at(['--may-exist', 'lr-add', 'tenant']);
    for (const [sw, mac, net] of [
      ['web', '02:01:0a:14:01:01', '10.20.1.1/24'],
      ['db', '02:01:0a:14:02:01', '10.20.2.1/24'],
    ] as const) {
      const lrp = at(['--may-exist', 'lrp-add', 'tenant', `lrp-tenant-${sw}`, mac, net]);
      const lsp = at(['--may-exist', 'lsp-add', sw, `lsp-${sw}-tenant`]);
      expect(lr).toBeLessThan(lrp);
      expect(at(['--may-exist', 'ls-add', sw])).toBeLessThan(lsp);
      for (const set of [
        ['lsp-set-type', `lsp-${sw}-tenant`, 'router'],
        ['lsp-set-addresses', `lsp-${sw}-tenant`, 'router'],
        ['lsp-set-options', `lsp-${sw}-tenant`, `router-port=lrp-tenant-${sw}`],
      ]) {
        expect(at(set)).toBeGreaterThan(lsp);
      }
    }
    // The unrouted switch gets no router port.
    expect(CMDS.flat().some((a) => a.includes('lone-') || a.includes('-lone'))).toBe(false);
    expect(ofVerb('lrp-add')).toHaveLength(2);
  });

  it('adds one port group per security group with its members, and np_drop with every VM that has a group', () => {
    expect(ofVerb('pg-add')).toEqual([
      ['pg-add', 'pg_web', 'vm1', 'vm2'],
      ['pg-add', 'pg_db', 'vm2'],
      ['pg-add', 'pg_jump'],
      ['pg-add', 'np_drop', 'vm1', 'vm2'],
    ]);
  });

  it('drops all IP to and from np_drop at priority 1001', () => {
    expect(ofVerb('acl-add').filter((c) => c.includes('np_drop'))).toEqual([
      ['--type=port-group', '--may-exist', 'acl-add', 'np_drop', 'to-lport', '1001', 'outport == @np_drop && ip', 'drop'],
      ['--type=port-group', '--may-exist', 'acl-add', 'np_drop', 'from-lport', '1001', 'inport == @np_drop && ip', 'drop'],
    ]);
  });

  it('adds each rule as a named allow-related ACL at 1002 on its port group', () => {
    expect(ofVerb('acl-add').filter((c) => !c.includes('np_drop'))).toEqual([
      ['--type=port-group', '--may-exist', 'acl-add', 'pg_web', 'to-lport', '1002', 'outport == @pg_web && ip4 && icmp4', 'allow-related'],
      ['--type=port-group', '--may-exist', 'acl-add', 'pg_web', 'to-lport', '1002', 'outport == @pg_web && ip4 && tcp && tcp.dst == 22 && ip4.src == $pg_jump_ip4', 'allow-related'],
      ['--type=port-group', '--may-exist', 'acl-add', 'pg_web', 'from-lport', '1002', 'inport == @pg_web && ip4', 'allow-related'],
      ['--type=port-group', '--may-exist', 'acl-add', 'pg_db', 'to-lport', '1002', 'outport == @pg_db && ip4 && udp && udp.dst >= 5000 && udp.dst <= 5010 && ip4.src == 10.20.1.0/24', 'allow-related'],
    ]);
  });

  it('creates exactly the ACLs renderAcls declares, in its order (what the ACL suite compares the northbound DB with)', () => {
    expect(ofVerb('acl-add')).toEqual(renderAcls(OVERLAY).map((a) => ['--type=port-group', '--may-exist', 'acl-add', a.portGroup, a.direction, String(a.priority), a.match, a.action]));
    expect(renderAcls(OVERLAY).map((a) => `${a.portGroup} ${a.direction} ${a.priority} ${a.action}`)).toEqual([
      'np_drop to-lport 1001 drop',
      'np_drop from-lport 1001 drop',
      'pg_web to-lport 1002 allow-related',
      'pg_web to-lport 1002 allow-related',
      'pg_web from-lport 1002 allow-related',
      'pg_db to-lport 1002 allow-related',
    ]);
    expect(renderAcls({ ...OVERLAY, vms: OVERLAY.vms.map((v) => ({ ...v, groups: [] })), groups: [] })).toEqual([]);
  });

  it('creates every port group before any ACL, so @pg and $pg_…_ip4 references resolve', () => {
    const lastPg = Math.max(...CMDS.map((c, i) => (verb(c) === 'pg-add' ? i : -1)));
    const firstAcl = CMDS.findIndex((c) => verb(c) === 'acl-add');
    expect(lastPg).toBeLessThan(firstAcl);
    // and every port referenced by a port group exists before it
    for (const pg of ofVerb('pg-add')) for (const port of pg.slice(2)) expect(indexOf(['--may-exist', 'lsp-add', OVERLAY.vms.find((v) => v.name === port)!.switch, port])).toBeLessThan(indexOf(pg));
  });

  it('marks every add that ovn-nbctl can make idempotent with --may-exist (pg-add cannot)', () => {
    for (const c of CMDS) {
      const v = verb(c);
      if (v.endsWith('-add') && v !== 'pg-add') expect(c, JSON.stringify(c)).toContain('--may-exist');
      // options come before the command, as ovn-nbctl requires
      expect(c.slice(c.indexOf(v)).some((a) => a.startsWith('--')), JSON.stringify(c)).toBe(false);
    }
  });

  it('renders nothing for security when no VM has a group, and no router commands without routers', () => {
    const plain: Overlay = { ...OVERLAY, routers: [], vms: OVERLAY.vms.map((v) => ({ ...v, groups: [] })), groups: [] };
    const cmds = renderNbCommands(plain);
    expect(cmds.map(verb)).toEqual(['ls-add', 'ls-add', 'ls-add', ...Array.from({ length: 3 }, () => ['lsp-add', 'lsp-set-addresses', 'lsp-set-port-security']).flat()]);
  });

  it('keeps port groups of groups nobody uses, but no np_drop when no VM has a group', () => {
    const cmds = renderNbCommands({ ...OVERLAY, vms: OVERLAY.vms.map((v) => ({ ...v, groups: [] })) });
    expect(cmds.filter((c) => verb(c) === 'pg-add')).toEqual([['pg-add', 'pg_web'], ['pg-add', 'pg_db'], ['pg-add', 'pg_jump']]);
    expect(cmds.flat().join(' ')).not.toContain('np_drop');
  });

  it('refuses an overlay whose routed switch has no gateway (parseOverlay always sets it)', () => {
    const broken: Overlay = { ...OVERLAY, switches: OVERLAY.switches.map(({ gateway: _g, ...s }) => s) };
    expect(() => renderNbCommands(broken)).toThrow(/switch web joins a router but has no gateway/);
  });
});

describe('north–south: provider network, gateway port, NAT', () => {
  const NS: Overlay = {
    ...OVERLAY,
    providers: [{ name: 'public', subnet: '172.24.4.0/24', gateway: '172.24.4.1', node: 'ext' }],
    routers: [
      {
        name: 'tenant',
        switches: ['web', 'db'],
        gateway: { network: 'public', ip: '172.24.4.10', prefixLength: 24, chassis: [{ node: 'host1', priority: 20 }, { node: 'host2', priority: 10 }], snat: ['web', 'db'], mtu: 1400 },
      },
    ],
    vms: OVERLAY.vms.map((v) => (v.name === 'vm1' ? { ...v, floatingIp: '172.24.4.101' } : v)),
  };

  it('renders one SNAT per listed switch and one dnat_and_snat per floating IP, naming what declares each', () => {
    expect(renderNats(NS)).toEqual([
      { router: 'tenant', type: 'snat', externalIp: '172.24.4.10', logicalIp: '10.20.1.0/24', declaredBy: 'routers.tenant.gateway.snat (web)' },
      { router: 'tenant', type: 'snat', externalIp: '172.24.4.10', logicalIp: '10.20.2.0/24', declaredBy: 'routers.tenant.gateway.snat (db)' },
      { router: 'tenant', type: 'dnat_and_snat', externalIp: '172.24.4.101', logicalIp: '10.20.1.11', declaredBy: 'vms.vm1.floating-ip' },
    ]);
    expect(renderNats(OVERLAY)).toEqual([]);
  });

  it('creates the provider switch with its localnet port mapped to the external node before the router uses it', () => {
    const cmds = renderNbCommands(NS).map((c) => c.join(' '));
    const at = (s: string) => cmds.indexOf(s);
    expect(at('--may-exist ls-add public')).toBeGreaterThanOrEqual(0);
    expect(cmds).toContain('lsp-set-type ln-public localnet');
    expect(cmds).toContain('lsp-set-addresses ln-public unknown');
    expect(cmds).toContain('lsp-set-options ln-public network_name=ext');
    expect(at('--may-exist ls-add public')).toBeLessThan(at('--may-exist lsp-add public lsp-public-tenant'));
  });

  it('schedules the gateway port on every declared chassis with its priority, routes out, sets gateway_mtu and the NAT', () => {
    const cmds = renderNbCommands(NS).map((c) => c.join(' '));
    expect(cmds).toEqual(
      expect.arrayContaining([
        '--may-exist lrp-add tenant lrp-tenant-public 02:01:ac:18:04:0a 172.24.4.10/24',
        'lsp-set-options lsp-public-tenant router-port=lrp-tenant-public nat-addresses=router',
        'lrp-set-gateway-chassis lrp-tenant-public host1 20',
        'lrp-set-gateway-chassis lrp-tenant-public host2 10',
        '--may-exist lr-route-add tenant 0.0.0.0/0 172.24.4.1',
        'set Logical_Router_Port lrp-tenant-public options:gateway_mtu=1400',
        '--may-exist lr-nat-add tenant snat 172.24.4.10 10.20.1.0/24',
        '--may-exist lr-nat-add tenant dnat_and_snat 172.24.4.101 10.20.1.11',
      ]),
    );
  });

  it('sets no gateway_mtu when none is declared, and nothing north–south without a gateway', () => {
    const noMtu: Overlay = { ...NS, routers: NS.routers.map((r) => ({ ...r, gateway: { ...r.gateway!, mtu: undefined } })) };
    expect(renderNbCommands(noMtu).some((c) => c.join(' ').includes('gateway_mtu'))).toBe(false);
    expect(renderNbCommands(OVERLAY).some((c) => c.includes('lrp-set-gateway-chassis') || c.includes('lr-nat-add'))).toBe(false);
  });
});

describe('load balancers', () => {
  const LB: Overlay = {
    ...OVERLAY,
    loadBalancers: [
      { name: 'web-lb', vip: '172.24.4.50', port: 80, protocol: 'tcp', backends: ['vm1', 'vm2'], backendPort: 8080, router: 'tenant', healthCheck: { intervalS: 1, timeoutS: 1, successCount: 1, failureCount: 2 }, noBackend: 'reject', exposed: true },
    ],
  };
  const cmds = renderNbCommands(LB).map((c) => c.join(' '));

  it('adds the VIP over the backends’ addresses and attaches it to the router and each of its switches', () => {
    expect(cmds).toEqual(
      expect.arrayContaining([
        '--may-exist lb-add web-lb 172.24.4.50:80 10.20.1.11:8080,10.20.2.12:8080 tcp',
        '--may-exist lr-lb-add tenant web-lb',
        '--may-exist ls-lb-add web web-lb',
        '--may-exist ls-lb-add db web-lb',
        'set Load_Balancer web-lb options:reject=true',
      ]),
    );
  });

  it('health-checks each backend from its switch’s last host address, with the declared options, in the same transaction', () => {
    expect(cmds).toContain('set Load_Balancer web-lb ip_port_mappings:10.20.1.11=vm1:10.20.1.254 ip_port_mappings:10.20.2.12=vm2:10.20.2.254');
    expect(cmds).toContain('--id=@hc_web_lb create Load_Balancer_Health_Check vip="172.24.4.50:80" options:interval=1 options:timeout=1 options:success_count=1 options:failure_count=2');
    expect(cmds).toContain('add Load_Balancer web-lb health_check @hc_web_lb');
    expect(cmds.indexOf('add Load_Balancer web-lb health_check @hc_web_lb')).toBeGreaterThan(cmds.indexOf('--may-exist lb-add web-lb 172.24.4.50:80 10.20.1.11:8080,10.20.2.12:8080 tcp'));
  });

  it('drops by default and has no health check unless declared', () => {
    const plain = renderNbCommands({ ...LB, loadBalancers: [{ ...LB.loadBalancers[0]!, noBackend: 'drop', healthCheck: undefined }] }).map((c) => c.join(' '));
    expect(plain.some((c) => c.includes('reject') || c.includes('Health_Check') || c.includes('ip_port_mappings'))).toBe(false);
  });
});

describe('tunnel BFD', () => {
  it('sets OVN’s tunnel BFD options on NB_Global when declared, and nothing otherwise', () => {
    expect(renderNbCommands({ ...OVERLAY, tunnelBfd: { intervalMs: 300, multiplier: 3 } }).map((c) => c.join(' '))).toContain('set NB_Global . options:bfd-min-rx=300 options:bfd-min-tx=300 options:bfd-mult=3');
    expect(renderNbCommands(OVERLAY).some((c) => c.includes('NB_Global'))).toBe(false);
  });
});
