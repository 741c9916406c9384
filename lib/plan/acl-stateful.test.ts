import { describe, expect, it } from 'vitest';
import type { Overlay, SecurityGroup, SecurityRule, VmPort } from '../model/overlay.ts';
import { EPHEMERAL_PORTS, flowLabel, statefulFlows } from './acl-stateful.ts';

const vm = (name: string, sw: string, ip: string, groups: string[] = []): VmPort => ({ name, switch: sw, ip, prefixLength: 24, mac: '02:00:00:00:00:01', mtu: 1442, host: 'host1', hostIface: `tap-${name}`, iface: 'eth1', groups });

type RuleSpec = Omit<SecurityRule, 'id' | 'protocol'> & { protocol?: SecurityRule['protocol'] };
const group = (name: string, ...rules: RuleSpec[]): SecurityGroup => ({ name, rules: rules.map((r, i) => ({ protocol: 'any', ...r, id: `${name}#${i + 1}` })) });
const port = (p: number) => ({ min: p, max: p });

// The generated lab's overlay (netproof generate clos --vms-per-host 1, two hosts).
const GENERATED: Overlay = {
  file: '/labs/g/g.overlay.yml',
  providers: [],
  loadBalancers: [],
  switches: [
    { name: 'web', subnet: '10.20.1.0/24', gateway: '10.20.1.1' },
    { name: 'db', subnet: '10.20.2.0/24', gateway: '10.20.2.1' },
  ],
  routers: [{ name: 'tenant', switches: ['web', 'db'] }],
  vms: [vm('vm1', 'web', '10.20.1.11', ['web']), vm('vm2', 'db', '10.20.2.12', ['db'])],
  groups: [
    group(
      'web',
      { direction: 'ingress', protocol: 'icmp' },
      { direction: 'ingress', protocol: 'tcp', ports: port(80) },
      { direction: 'ingress', protocol: 'tcp', ports: port(22), remoteCidr: '10.20.2.0/24' },
      { direction: 'ingress', protocol: 'udp', ports: port(5001), remoteCidr: '10.20.0.0/16' },
      { direction: 'egress' },
    ),
    group('db', { direction: 'ingress', protocol: 'icmp' }, { direction: 'ingress', protocol: 'tcp', ports: port(5432), remoteGroup: 'web' }, { direction: 'ingress', protocol: 'udp', ports: port(5001), remoteCidr: '10.20.0.0/16' }, { direction: 'egress' }),
  ],
};

describe('statefulFlows', () => {
  it('finds every TCP flow allowed one way and denied the other, never a port allowed or denied both ways', () => {
    // web → db:5432 (db takes it from web; web takes nothing on 5432), db → web:22 and :80.
    // Edges just outside a rule (5431, 79, 23…) are denied both ways; UDP 5001 is allowed both ways.
    expect(statefulFlows(GENERATED).map(flowLabel)).toEqual(['vm1 → vm2 tcp/5432', 'vm2 → vm1 tcp/22', 'vm2 → vm1 tcp/80']);
  });

  it('says why each way is decided, sends the out-of-state ACK above the ephemeral range', () => {
    const [toDb, , toWeb80] = statefulFlows(GENERATED);
    expect(toDb).toEqual({
      client: 'vm1',
      server: 'vm2',
      port: 5432,
      allowedBecause: 'egress web#5 and ingress db#2',
      reverseDeniedBecause: 'no ingress rule of web (web#1 web#2 web#3 web#4) matches tcp/5432 from vm2 10.20.2.12',
      outOfState: { port: EPHEMERAL_PORTS.max + 1, deniedBecause: `no ingress rule of web (web#1 web#2 web#3 web#4) matches tcp/${EPHEMERAL_PORTS.max + 1} from vm2 10.20.2.12` },
    });
    // vm1 may open only 5432 on vm2.
    expect(toWeb80).toMatchObject({ client: 'vm2', server: 'vm1', port: 80, outOfState: { port: 61000 } });
  });

  it('keeps the out-of-state port out of the ephemeral range: below it when every higher port is allowed', () => {
    const high: Overlay = { ...GENERATED, groups: GENERATED.groups.map((g) => (g.name === 'web' ? group('web', { direction: 'ingress', protocol: 'tcp', ports: { min: 30000, max: 65535 } }, { direction: 'egress' }) : g)) };
    const [toDb] = statefulFlows(high);
    expect(toDb).toMatchObject({ client: 'vm1', server: 'vm2', port: 5432, outOfState: { port: 1024 } });
  });

  it('has no out-of-state port when B may open every unprivileged port on A', () => {
    // web takes every unprivileged port, db takes only https from web: vm1 → vm2:443 is one way.
    const open: Overlay = {
      ...GENERATED,
      groups: [group('web', { direction: 'ingress', protocol: 'tcp', ports: { min: 1024, max: 65535 } }, { direction: 'egress' }), group('db', { direction: 'ingress', protocol: 'tcp', ports: port(443), remoteGroup: 'web' }, { direction: 'egress' })],
    };
    expect(statefulFlows(open).map(flowLabel)).toEqual(['vm1 → vm2 tcp/443', 'vm2 → vm1 tcp/1024', 'vm2 → vm1 tcp/65535']);
    const toDb = statefulFlows(open)[0]!;
    expect(toDb.outOfState).toBeUndefined();

    const closed: Overlay = { ...GENERATED, groups: GENERATED.groups.map((g) => (g.name === 'web' ? group('web', { direction: 'egress' }) : g)) };
    expect(statefulFlows(closed).map(flowLabel)).toEqual(['vm1 → vm2 tcp/5432']);
  });

  it('finds nothing to check without groups, or when everything is allowed both ways', () => {
    expect(statefulFlows({ ...GENERATED, vms: GENERATED.vms.map((v) => ({ ...v, groups: [] })), groups: [] })).toEqual([]);
    expect(statefulFlows({ ...GENERATED, groups: [group('web', { direction: 'ingress' }, { direction: 'egress' }), group('db', { direction: 'ingress' }, { direction: 'egress' })] })).toEqual([]);
  });
});
