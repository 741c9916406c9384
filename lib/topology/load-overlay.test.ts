import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, InvalidInputError, type Problem } from '../errors.ts';
import { parseTopology } from './load.ts';
import type { Topology } from '../model/topology.ts';
import { defaultVmMac, loadOverlay, overlayFileFor, parseOverlay, routerPortMac } from './load-overlay.ts';
import type { Overlay } from '../model/overlay.ts';
import { doc, posOf } from '../../fixtures/yaml-text.ts';

const DIR = '/labs/t';
const CLAB = `${DIR}/t.clab.yml`;
const FILE = `${DIR}/t.overlay.yml`;


/** A lab of two compute hosts, a leaf and two VMs; more nodes and links can be added. */
function topology(extra: { nodes?: string[]; links?: string[] } = {}): Topology {
  const text = doc(
    'name: t',
    'topology:',
    '  defaults: { kind: linux, image: alpine, startup-config: frr.conf }',
    '  nodes:',
    '    compute1: { labels: { netproof.role: compute } }',
    '    compute2: { labels: { netproof.role: compute } }',
    '    leaf1: { labels: { netproof.role: leaf } }',
    '    vm1: { labels: { netproof.role: vm } }',
    '    vm2: { labels: { netproof.role: vm } }',
    ...(extra.nodes ?? []).map((l) => `    ${l}`),
    '  links:',
    '    - endpoints: ["vm1:eth1", "compute1:tap1"]',
    '    - endpoints: ["compute2:tap2", "vm2:eth1"]',
    '    - endpoints: ["compute1:eth1", "leaf1:eth1"]',
    ...(extra.links ?? []).map((l) => `    - endpoints: ${l}`),
  );
  return parseTopology(text, CLAB, { exists: () => true });
}

const TOPO = topology();

const VALID = doc(
  'switches:',
  '  web: { subnet: 10.20.1.0/24 }',
  '  db:  { subnet: 10.20.2.0/24 }',
  '  lone: { subnet: 10.30.0.0/16 }',
  'routers:',
  '  tenant: { switches: [web, db] }',
  'vms:',
  '  vm1: { switch: web, ip: 10.20.1.11, groups: [web] }',
  '  vm2: { switch: db, ip: 10.20.2.12, mac: "02:AA:00:00:00:02", mtu: 9000, groups: [db, web] }',
  'security-groups:',
  '  web:',
  '    - { direction: ingress, protocol: icmp }',
  '    - { direction: ingress, protocol: tcp, ports: 80 }',
  '    - { direction: ingress, protocol: tcp, ports: 22, remote-group: jump }',
  '    - { direction: ingress, protocol: udp, ports: "5000-5010", remote-cidr: 10.20.2.0/24 }',
  '    - { direction: egress }',
  '  db:',
  '    - { direction: ingress, protocol: tcp, ports: "5432", remote-group: web }',
  '  jump: []',
);

/** The two VMs of TOPO on two switches, without security groups: a base for one-problem tests. */
const PLAIN_SWITCHES = ['switches:', '  web: { subnet: 10.20.1.0/24 }', '  db: { subnet: 10.20.2.0/24 }'];
const PLAIN_VMS = ['vms:', '  vm1: { switch: web, ip: 10.20.1.11 }', '  vm2: { switch: db, ip: 10.20.2.12 }'];

function problemsOf(text: string, topo: Topology = TOPO): Problem[] {
  try {
    parseOverlay(text, FILE, topo);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).exitCode).toBe(EXIT.usage);
    return (e as InvalidInputError).problems;
  }
  throw new Error('expected parseOverlay to throw InvalidInputError');
}

function problemAt(problems: Problem[], field: string): Problem {
  const found = problems.filter((p) => p.field === field);
  expect(found, `exactly one problem at ${field}; got: ${problems.map((p) => `${p.field}: ${p.message}`).join(' | ')}`).toHaveLength(1);
  return found[0]!;
}

/** The only problem of a text: checks there is exactly one, where it is, and returns it. */
function onlyProblem(text: string, field: string, at: string, nth = 0, topo: Topology = TOPO): Problem {
  const problems = problemsOf(text, topo);
  expect(problems.map((p) => `${p.field}: ${p.message}`)).toHaveLength(1);
  const p = problemAt(problems, field);
  expect({ line: p.line, column: p.column }).toEqual(posOf(text, at, nth));
  expect(p.file).toBe(FILE);
  expect(p.fix.length).toBeGreaterThan(10);
  return p;
}

describe('overlayFileFor', () => {
  it.each([
    ['/labs/t/t.clab.yml', '/labs/t/t.overlay.yml'],
    ['/labs/t/t.clab.yaml', '/labs/t/t.overlay.yaml'],
    ['labs/dc.clab.yml', 'labs/dc.overlay.yml'],
    ['/x/lab.yml', '/x/lab.overlay.yml'],
    ['/x/my.lab.clab.yml', '/x/my.lab.overlay.yml'],
    ['/x/noext', '/x/noext.overlay.yml'],
  ])('%s → %s', (clab, overlay) => {
    expect(overlayFileFor(clab)).toBe(overlay);
  });
});

describe('derived MACs', () => {
  it('VM ports: 02:00 + the IP bytes in hex', () => {
    expect(defaultVmMac('10.20.1.11')).toBe('02:00:0a:14:01:0b');
    expect(defaultVmMac('192.168.255.1')).toBe('02:00:c0:a8:ff:01');
  });
  it('router ports: 02:01 + the gateway bytes in hex', () => {
    expect(routerPortMac('10.20.1.1')).toBe('02:01:0a:14:01:01');
  });
});

describe('parseOverlay: a valid intent', () => {
  const o = parseOverlay(VALID, FILE, TOPO);

  it('keeps the file and lists switches in file order, with the gateway on routed switches only', () => {
    expect(o.file).toBe(FILE);
    expect(o.switches).toEqual([
      { name: 'web', subnet: '10.20.1.0/24', gateway: '10.20.1.1' },
      { name: 'db', subnet: '10.20.2.0/24', gateway: '10.20.2.1' },
      { name: 'lone', subnet: '10.30.0.0/16' },
    ]);
    expect(o.switches[2]).not.toHaveProperty('gateway');
  });

  it('reads routers', () => {
    expect(o.routers).toEqual([{ name: 'tenant', switches: ['web', 'db'] }]);
  });

  it('fills each VM from the intent and its host side from the topology link, whichever end is written first', () => {
    expect(o.vms).toEqual([
      { name: 'vm1', switch: 'web', ip: '10.20.1.11', prefixLength: 24, mac: '02:00:0a:14:01:0b', mtu: 1442, host: 'compute1', hostIface: 'tap1', iface: 'eth1', groups: ['web'] },
      { name: 'vm2', switch: 'db', ip: '10.20.2.12', prefixLength: 24, mac: '02:aa:00:00:00:02', mtu: 9000, host: 'compute2', hostIface: 'tap2', iface: 'eth1', groups: ['db', 'web'] },
    ]);
  });

  it('numbers rules <group>#<n> from 1, defaults protocol to any, and reads ports as numbers or ranges', () => {
    expect(o.groups).toEqual([
      {
        name: 'web',
        rules: [
          { id: 'web#1', direction: 'ingress', protocol: 'icmp' },
          { id: 'web#2', direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 } },
          { id: 'web#3', direction: 'ingress', protocol: 'tcp', ports: { min: 22, max: 22 }, remoteGroup: 'jump' },
          { id: 'web#4', direction: 'ingress', protocol: 'udp', ports: { min: 5000, max: 5010 }, remoteCidr: '10.20.2.0/24' },
          { id: 'web#5', direction: 'egress', protocol: 'any' },
        ],
      },
      { name: 'db', rules: [{ id: 'db#1', direction: 'ingress', protocol: 'tcp', ports: { min: 5432, max: 5432 }, remoteGroup: 'web' }] },
      { name: 'jump', rules: [] },
    ]);
  });

  it('takes the prefix length from the switch subnet', () => {
    const t = parseOverlay(doc('switches:', '  a: { subnet: 10.1.0.0/16 }', '  b: { subnet: 10.2.0.0/30 }', 'vms:', '  vm1: { switch: a, ip: 10.1.200.3 }', '  vm2: { switch: b, ip: 10.2.0.2 }'), FILE, TOPO);
    expect(t.vms.map((v) => [v.name, v.prefixLength])).toEqual([
      ['vm1', 16],
      ['vm2', 30],
    ]);
  });

  it('accepts the MTU bounds 576 and 9000 and the last usable addresses', () => {
    const t = parseOverlay(doc(...PLAIN_SWITCHES, 'vms:', '  vm1: { switch: web, ip: 10.20.1.2, mtu: 576 }', '  vm2: { switch: db, ip: 10.20.2.254, mtu: 9000 }'), FILE, TOPO);
    expect(t.vms.map((v) => v.mtu)).toEqual([576, 9000]);
  });

  it('allows the first host address when no router joins the switch', () => {
    const t = parseOverlay(doc(...PLAIN_SWITCHES, 'vms:', '  vm1: { switch: web, ip: 10.20.1.1 }', '  vm2: { switch: db, ip: 10.20.2.1 }'), FILE, TOPO);
    expect(t.vms.map((v) => v.ip)).toEqual(['10.20.1.1', '10.20.2.1']);
  });

  it('is an empty overlay when the topology has no VMs and the file names none', () => {
    const noVms = parseTopology(doc('name: n', 'topology:', '  nodes:', '    a: { kind: linux }'), CLAB);
    expect(parseOverlay(doc('switches:', '  web: { subnet: 10.20.1.0/24 }'), FILE, noVms)).toEqual({
      file: FILE,
      switches: [{ name: 'web', subnet: '10.20.1.0/24' }],
      routers: [],
      vms: [],
      groups: [],
      providers: [],
      loadBalancers: [],
    });
  });
});

describe('parseOverlay: reports problems with position, field and fix', () => {
  it('a YAML syntax error', () => {
    const text = doc('switches:', '  web: { subnet: 10.20.1.0/24', 'vms: {}');
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]).toMatchObject({ field: '(yaml)', file: FILE });
  });

  it('an empty file', () => {
    const p = problemsOf('# nothing yet\n');
    expect(p).toEqual([{ file: FILE, line: 1, column: 1, field: '(document)', message: 'is empty', fix: expect.stringContaining('switches') }]);
  });

  it('an unknown top-level key, listing the allowed ones', () => {
    const text = doc(...PLAIN_SWITCHES, ...PLAIN_VMS, 'security_groups: {}');
    const p = onlyProblem(text, 'security_groups', 'security_groups');
    expect(p.message).toBe('unknown field "security_groups"');
    expect(p.fix).toContain('switches, routers, vms, security-groups');
  });

  it('every shape problem at once, each at its own field', () => {
    const text = doc(
      'switches:',
      '  web: { subnet: 24 }',
      '  db: {}',
      'routers:',
      '  r: { switches: [] }',
      'vms:',
      '  vm1: { switch: web, ip: 10.20.1.11, mtu: big }',
      '  vm2: { switch: db }',
      'security-groups:',
      '  web:',
      '    - { protocol: sctp, port: 80 }',
      '    - { direction: in, ports: [80] }',
      '  db: { direction: ingress }',
    );
    const problems = problemsOf(text);
    const at = (field: string, needle: string, nth = 0) => {
      const p = problemAt(problems, field);
      expect({ field, line: p.line, column: p.column }).toEqual({ field, ...posOf(text, needle, nth) });
      return p;
    };
    expect(at('switches.web.subnet', 'subnet').message).toBe('must be string');
    expect(at('switches.db', 'db:').message).toBe('is missing the required field "subnet"');
    expect(at('routers.r.switches', 'switches: []').message).toBe('must list at least 1 item');
    expect(at('vms.vm1.mtu', 'mtu').message).toBe('must be integer');
    expect(at('vms.vm2', 'vm2').message).toBe('is missing the required field "ip"');
    const rule1 = problems.filter((p) => p.field === 'security-groups.web[0]' || p.field === 'security-groups.web[0].protocol' || p.field === 'security-groups.web[0].port');
    expect(rule1.map((p) => p.message).sort()).toEqual(['is missing the required field "direction"', 'must be one of tcp, udp, icmp, any', 'unknown field "port"']);
    expect(at('security-groups.web[0].port', 'port:').fix).toContain('direction, protocol, ports, remote-cidr, remote-group');
    expect(at('security-groups.web[1].direction', 'direction: in').message).toBe('must be one of ingress, egress');
    expect(at('security-groups.web[1].ports', 'ports').message).toBe('must be integer or string');
    expect(at('security-groups.db', 'db: { direction', 0).message).toBe('must be array');
    expect(problems).toHaveLength(11);
    for (const p of problems) expect(p.fix, p.field).not.toBe('');
  });

  it('the whole document is not a mapping', () => {
    const p = problemsOf(doc('- switches'));
    expect(p).toEqual([expect.objectContaining({ field: '(document)', message: 'must be object', line: 1, column: 1 })]);
  });
});

describe('parseOverlay: switches and routers', () => {
  it('a switch name OVN port names cannot carry', () => {
    const text = doc('switches:', '  Web_1: { subnet: 10.20.1.0/24 }', '  db: { subnet: 10.20.2.0/24 }', 'vms:', '  vm1: { switch: Web_1, ip: 10.20.1.11 }', '  vm2: { switch: db, ip: 10.20.2.12 }');
    expect(onlyProblem(text, 'switches.Web_1', 'Web_1').message).toMatch(/switch name "Web_1"/);
  });

  it.each([
    ['10.20.1.0', /not an IPv4 CIDR/, /10\.20\.1\.0\/24/],
    ['10.20.1.0/33', /not an IPv4 CIDR/, /network\/prefix-length/],
    ['fd00::/64', /not an IPv4 CIDR/, /network\/prefix-length/],
    ['10.20.1.5/24', /host bits set/, /10\.20\.1\.0\/24/],
    ['10.20.1.0/31', /prefix length \/31/, /between \/8 and \/30/],
    ['10.0.0.0/7', /prefix length \/7/, /between \/8 and \/30/],
  ])('subnet %s', (subnet, message, fix) => {
    const text = doc('switches:', `  web: { subnet: ${subnet} }`, '  db: { subnet: 192.168.2.0/24 }', 'vms:', '  vm1: { switch: web, ip: 10.20.1.11 }', '  vm2: { switch: db, ip: 192.168.2.12 }');
    const p = onlyProblem(text, 'switches.web.subnet', 'subnet');
    expect(p.message).toMatch(message);
    expect(p.fix).toMatch(fix);
  });

  it('overlapping subnets, in either direction, blamed on the later switch', () => {
    const text = doc(
      'switches:',
      '  web: { subnet: 10.20.0.0/16 }',
      '  db: { subnet: 10.20.2.0/24 }',
      '  small: { subnet: 10.30.1.0/25 }',
      '  big: { subnet: 10.30.0.0/8 }',
      '  apart: { subnet: 10.20.3.0/30 }',
      'vms:',
      '  vm1: { switch: web, ip: 10.20.1.11 }',
      '  vm2: { switch: db, ip: 10.20.2.12 }',
    );
    const problems = problemsOf(text);
    expect(problems.map((p) => p.field)).toEqual(['switches.db.subnet', 'switches.big.subnet', 'switches.apart.subnet']);
    expect(problems[0]!.message).toBe('subnet 10.20.2.0/24 overlaps switch web (10.20.0.0/16)');
    expect(problems[0]).toMatchObject(posOf(text, 'subnet', 1));
    // 10.30.0.0/8 is not in network form: that is the problem reported, not the overlap.
    expect(problems[1]!.message).toMatch(/host bits set/);
    expect(problems[2]!.message).toBe('subnet 10.20.3.0/30 overlaps switch web (10.20.0.0/16)');
  });

  it('a bigger subnet written after a smaller one it contains', () => {
    const text = doc('switches:', '  web: { subnet: 10.20.1.0/24 }', '  db: { subnet: 10.20.0.0/16 }', ...PLAIN_VMS.slice(0, 2), '  vm2: { switch: db, ip: 10.20.2.12 }');
    expect(onlyProblem(text, 'switches.db.subnet', 'subnet', 1).message).toBe('subnet 10.20.0.0/16 overlaps switch web (10.20.1.0/24)');
  });

  it('a router naming an unknown switch lists the known ones', () => {
    const text = doc(...PLAIN_SWITCHES, 'routers:', '  r1: { switches: [web, dbb] }', ...PLAIN_VMS);
    const p = onlyProblem(text, 'routers.r1.switches[1]', 'dbb');
    expect(p.message).toBe('names unknown switch "dbb"');
    expect(p.fix).toBe('use one of: web, db');
  });

  it('a switch joining two routers, and a switch listed twice', () => {
    const text = doc(...PLAIN_SWITCHES, 'routers:', '  r1: { switches: [web, web] }', '  r2: { switches: [db, web] }', ...PLAIN_VMS);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(2);
    expect(problemAt(problems, 'routers.r1.switches[1]')).toMatchObject({ message: 'lists switch web twice', ...posOf(text, 'web', 2) });
    expect(problemAt(problems, 'routers.r2.switches[1]')).toMatchObject({
      message: 'switch web already joins router r1; a switch joins at most one router',
      ...posOf(text, 'web', 3),
    });
  });

  it('a router name OVN port names cannot carry', () => {
    const text = doc(...PLAIN_SWITCHES, 'routers:', '  "r 1": { switches: [web] }', ...PLAIN_VMS);
    expect(onlyProblem(text, 'routers.r 1', '"r 1"').message).toMatch(/router name "r 1"/);
  });
});

describe('parseOverlay: VMs against the topology', () => {
  it('a VM that is no node of the topology', () => {
    const text = doc(...PLAIN_SWITCHES, ...PLAIN_VMS, '  vm9: { switch: web, ip: 10.20.1.19 }');
    const p = onlyProblem(text, 'vms.vm9', 'vm9');
    expect(p.message).toBe(`names no node of the topology ${CLAB}`);
    expect(p.fix).toBe('use one of the VM nodes: vm1, vm2');
  });

  it('a node that is not a VM', () => {
    const text = doc(...PLAIN_SWITCHES, ...PLAIN_VMS, '  leaf1: { switch: web, ip: 10.20.1.19 }');
    const p = onlyProblem(text, 'vms.leaf1', 'leaf1');
    expect(p.message).toBe('node leaf1 is not a VM: it has netproof.role: leaf');
    expect(p.fix).toContain('netproof.role: vm');
  });

  it('a VM linked to no compute node (a link to a leaf does not count)', () => {
    const topo = topology({ nodes: ['vm3: { labels: { netproof.role: vm } }'], links: ['["vm3:eth1", "leaf1:eth7"]'] });
    const text = doc(...PLAIN_SWITCHES, ...PLAIN_VMS, '  vm3: { switch: web, ip: 10.20.1.13 }');
    const p = onlyProblem(text, 'vms.vm3', 'vm3', 0, topo);
    expect(p.message).toBe(`VM vm3 is linked to no compute node in ${CLAB}`);
    expect(p.fix).toContain('"vm3:eth1", "compute1:ethN"');
    expect(p.fix).toContain('compute nodes: compute1, compute2');
  });

  it('a VM linked to two compute nodes', () => {
    const topo = topology({ nodes: ['vm3: { labels: { netproof.role: vm } }'], links: ['["vm3:eth1", "compute1:tap3"]', '["compute2:tap3", "vm3:eth2"]'] });
    const text = doc(...PLAIN_SWITCHES, ...PLAIN_VMS, '  vm3: { switch: web, ip: 10.20.1.13 }');
    const p = onlyProblem(text, 'vms.vm3', 'vm3', 0, topo);
    expect(p.message).toBe('VM vm3 is linked to 2 compute nodes (vm3:eth1 <-> compute1:tap3; compute2:tap3 <-> vm3:eth2); a VM sits on exactly one');
  });

  it('every VM node of the topology missing from vms, at the vms key', () => {
    const topo = topology({ nodes: ['vm3: { labels: { netproof.role: vm } }'], links: ['["vm3:eth1", "compute1:tap3"]'] });
    const text = doc(...PLAIN_SWITCHES, 'vms:', '  vm1: { switch: web, ip: 10.20.1.11 }');
    const problems = problemsOf(text, topo);
    expect(problems.map((p) => [p.field, p.message, p.line, p.column])).toEqual([
      ['vms', `has no entry for VM node vm2 (it has netproof.role: vm in ${CLAB})`, posOf(text, 'vms').line, 1],
      ['vms', `has no entry for VM node vm3 (it has netproof.role: vm in ${CLAB})`, posOf(text, 'vms').line, 1],
    ]);
    expect(problems[0]!.fix).toContain('add vm2: { switch: …, ip: … } under vms');
  });

  it('no vms key at all, at the top of the file', () => {
    const problems = problemsOf(doc(...PLAIN_SWITCHES));
    expect(problems.map((p) => [p.field, p.line, p.column])).toEqual([
      ['vms', 1, 1],
      ['vms', 1, 1],
    ]);
  });
});

describe('parseOverlay: VM addresses', () => {
  const routed = (vm1: string, vm2 = '{ switch: db, ip: 10.20.2.12 }') =>
    doc(...PLAIN_SWITCHES, 'routers:', '  r: { switches: [web, db] }', 'vms:', `  vm1: ${vm1}`, `  vm2: ${vm2}`);

  it('an unknown switch', () => {
    const p = onlyProblem(routed('{ switch: wbe, ip: 10.20.1.11 }'), 'vms.vm1.switch', 'switch: wbe');
    expect(p).toMatchObject({ message: 'names unknown switch "wbe"', fix: 'use one of: web, db' });
  });

  it('an unknown switch when none is defined', () => {
    const text = doc('vms:', '  vm1: { switch: web, ip: 10.20.1.11 }', '  vm2: { switch: web, ip: 10.20.1.12 }');
    const problems = problemsOf(text);
    expect(problems.map((p) => p.field)).toEqual(['vms.vm1.switch', 'vms.vm2.switch']);
    expect(problems[0]!.fix).toBe('define it under switches (no switch is defined)');
  });

  it.each([
    ['10.20.1.11/24', 'ip "10.20.1.11/24" has a prefix length', /write the address alone \(10\.20\.1\.11\)/],
    ['10.20.1', 'ip "10.20.1" is not an IPv4 address', /four decimal bytes/],
    ['10.20.1.256', 'ip "10.20.1.256" is not an IPv4 address', /four decimal bytes/],
    ['vm1.local', 'ip "vm1.local" is not an IPv4 address', /four decimal bytes/],
    ['10.20.2.11', "ip 10.20.2.11 is outside switch web's subnet 10.20.1.0/24", /10\.20\.1\.2–10\.20\.1\.254/],
    ['10.20.1.0', 'ip 10.20.1.0 is the network address of 10.20.1.0/24', /10\.20\.1\.2–10\.20\.1\.254/],
    ['10.20.1.255', 'ip 10.20.1.255 is the broadcast address of 10.20.1.0/24', /10\.20\.1\.2–10\.20\.1\.254/],
    ['10.20.1.1', 'ip 10.20.1.1 is the router gateway address of 10.20.1.0/24', /10\.20\.1\.2–10\.20\.1\.254/],
  ])('ip %s', (ip, message, fix) => {
    const p = onlyProblem(routed(`{ switch: web, ip: ${ip} }`), 'vms.vm1.ip', 'ip:');
    expect(p.message).toBe(message);
    expect(p.fix).toMatch(fix);
  });

  it('an address used twice, blamed on the second VM', () => {
    const text = doc(...PLAIN_SWITCHES, 'vms:', '  vm1: { switch: web, ip: 10.20.1.11 }', '  vm2: { switch: web, ip: 10.20.1.11 }');
    expect(onlyProblem(text, 'vms.vm2.ip', 'ip:', 1).message).toBe('ip 10.20.1.11 is already used by VM vm1');
  });

  it.each([
    ['"02:00:00:00:00"', /is not a MAC address/],
    ['"02-00-00-00-00-01"', /is not a MAC address/],
    ['"03:00:00:00:00:01"', /is a multicast address/],
    ['"ff:ff:ff:ff:ff:ff"', /is a multicast address/],
    ['"00:00:00:00:00:00"', /all-zero/],
  ])('mac %s', (mac, message) => {
    expect(onlyProblem(routed(`{ switch: web, ip: 10.20.1.11, mac: ${mac} }`), 'vms.vm1.mac', 'mac:').message).toMatch(message);
  });

  it('a MAC another VM gives too, blamed on the second', () => {
    const text = routed('{ switch: web, ip: 10.20.1.11, mac: "02:aa:00:00:00:01" }', '{ switch: db, ip: 10.20.2.12, mac: "02:AA:00:00:00:01" }');
    expect(onlyProblem(text, 'vms.vm2.mac', 'mac:', 1).message).toBe('mac 02:aa:00:00:00:01 is already used by VM vm1');
  });

  it('a MAC that is another VM’s derived MAC, blamed on the VM that gave it, whichever comes first', () => {
    const first = routed('{ switch: web, ip: 10.20.1.11, mac: "02:00:0a:14:02:0c" }');
    expect(onlyProblem(first, 'vms.vm1.mac', 'mac:').message).toBe('mac 02:00:0a:14:02:0c is also the MAC VM vm2 derives from its IP');
    const second = routed('{ switch: web, ip: 10.20.1.11 }', '{ switch: db, ip: 10.20.2.12, mac: "02:00:0a:14:01:0b" }');
    expect(onlyProblem(second, 'vms.vm2.mac', 'mac:').message).toBe('mac 02:00:0a:14:01:0b is already used by VM vm1');
  });

  it('a MAC of a router port', () => {
    const p = onlyProblem(routed('{ switch: web, ip: 10.20.1.11, mac: "02:01:0a:14:02:01" }'), 'vms.vm1.mac', 'mac:');
    expect(p.message).toBe('mac 02:01:0a:14:02:01 is the MAC of the router port on switch db');
  });

  it.each([575, 9001, 0])('mtu %i', (mtu) => {
    const p = onlyProblem(routed(`{ switch: web, ip: 10.20.1.11, mtu: ${mtu} }`), 'vms.vm1.mtu', 'mtu:');
    expect(p.message).toBe(`mtu ${mtu} is outside 576..9000`);
    expect(p.fix).toContain('1442');
  });

  it('unknown and repeated groups', () => {
    const text = doc(...PLAIN_SWITCHES, 'vms:', '  vm1: { switch: web, ip: 10.20.1.11, groups: [web, webb, web] }', '  vm2: { switch: db, ip: 10.20.2.12 }', 'security-groups:', '  web: []', '  db: []');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(2);
    expect(problemAt(problems, 'vms.vm1.groups[1]')).toMatchObject({ message: 'names unknown security group "webb"', fix: 'use one of: web, db', ...posOf(text, 'webb') });
    expect(problemAt(problems, 'vms.vm1.groups[2]')).toMatchObject({ message: 'lists security group web twice', ...posOf(text, 'web]') });
  });
});

describe('parseOverlay: security groups', () => {
  const withRules = (...rules: string[]) => doc(...PLAIN_SWITCHES, ...PLAIN_VMS, 'security-groups:', '  web:', ...rules.map((r) => `    - ${r}`), '  db: []');

  it('a group name an OVN port group cannot carry', () => {
    const text = doc(...PLAIN_SWITCHES, ...PLAIN_VMS, 'security-groups:', '  web-tier: []');
    const p = onlyProblem(text, 'security-groups.web-tier', 'web-tier');
    expect(p.message).toMatch(/security-group name "web-tier"/);
    expect(p.fix).toContain('no -');
  });

  it.each([
    ['{ direction: ingress, protocol: icmp, ports: 80 }', 'ports apply only to tcp and udp, but protocol is icmp'],
    ['{ direction: ingress, ports: 80 }', 'ports apply only to tcp and udp, but protocol is any'],
    ['{ direction: ingress, protocol: tcp, ports: 0 }', 'ports port 0 is outside 1..65535'],
    ['{ direction: ingress, protocol: tcp, ports: 65536 }', 'ports port 65536 is outside 1..65535'],
    ['{ direction: ingress, protocol: udp, ports: "5001-5000" }', 'ports range 5001-5000 runs backwards'],
    ['{ direction: ingress, protocol: udp, ports: "1-70000" }', 'ports port 70000 is outside 1..65535'],
    ['{ direction: ingress, protocol: tcp, ports: http }', 'ports "http" is neither a port number nor a range "min-max"'],
    ['{ direction: ingress, protocol: tcp, ports: "80,443" }', 'ports "80,443" is neither a port number nor a range "min-max"'],
  ])('%s', (rule, message) => {
    expect(onlyProblem(withRules(rule), 'security-groups.web[0].ports', 'ports').message).toBe(message);
  });

  it('accepts the port bounds and a one-port range', () => {
    const o = parseOverlay(withRules('{ direction: ingress, protocol: tcp, ports: "1-65535" }', '{ direction: egress, protocol: udp, ports: "53-53" }'), FILE, TOPO);
    expect(o.groups[0]!.rules.map((r) => r.ports)).toEqual([
      { min: 1, max: 65535 },
      { min: 53, max: 53 },
    ]);
  });

  it.each([
    ['10.20.2.0', /not an IPv4 CIDR/],
    ['10.20.2.7/24', /host bits set/],
    ['nowhere', /not an IPv4 CIDR/],
  ])('remote-cidr %s', (cidr, message) => {
    const p = onlyProblem(withRules(`{ direction: ingress, remote-cidr: ${cidr} }`), 'security-groups.web[0].remote-cidr', 'remote-cidr');
    expect(p.message).toMatch(message);
    expect(p.fix).toContain('/32');
  });

  it('accepts 0.0.0.0/0 and a /32 as remote-cidr', () => {
    const o = parseOverlay(withRules('{ direction: ingress, remote-cidr: 0.0.0.0/0 }', '{ direction: ingress, remote-cidr: 10.20.2.12/32 }'), FILE, TOPO);
    expect(o.groups[0]!.rules.map((r) => r.remoteCidr)).toEqual(['0.0.0.0/0', '10.20.2.12/32']);
  });

  it('an unknown remote-group', () => {
    const p = onlyProblem(withRules('{ direction: ingress, remote-group: dbb }'), 'security-groups.web[0].remote-group', 'remote-group');
    expect(p).toMatchObject({ message: 'names unknown security group "dbb"', fix: 'use one of: web, db' });
  });

  it('a rule with both remote-cidr and remote-group, at the rule', () => {
    const text = withRules('{ direction: egress }', '{ direction: ingress, remote-cidr: 10.0.0.0/8, remote-group: db }');
    expect(onlyProblem(text, 'security-groups.web[1]', '{ direction: ingress').message).toBe('sets both remote-cidr and remote-group');
  });
});

describe('parseOverlay: every problem at once', () => {
  it('reports problems of every section together, in file order', () => {
    const text = doc(
      'switches:',
      '  web: { subnet: 10.20.1.0/24 }',
      '  db: { subnet: 10.20.1.128/25 }',
      'routers:',
      '  r: { switches: [web, nope] }',
      'vms:',
      '  vm1: { switch: web, ip: 10.20.2.11, groups: [ghost] }',
      'security-groups:',
      '  web:',
      '    - { direction: egress, protocol: icmp, ports: 1 }',
    );
    const err = (() => {
      try {
        parseOverlay(text, FILE, TOPO);
      } catch (e) {
        return e as InvalidInputError;
      }
      throw new Error('expected a throw');
    })();
    expect(err.problems.map((p) => p.field)).toEqual(['switches.db.subnet', 'routers.r.switches[1]', 'security-groups.web[0].ports', 'vms.vm1.ip', 'vms.vm1.groups[0]', 'vms']);
    expect(err.message).toMatch(/^6 problems in \/labs\/t\/t\.overlay\.yml:\n/);
    expect(err.message).toContain(`${FILE}:${posOf(text, 'nope').line}:${posOf(text, 'nope').column}: routers.r.switches[1]: names unknown switch "nope"\n    fix: use one of: web, db`);
  });
});

describe('loadOverlay', () => {
  it('reads the sidecar beside the topology file', async () => {
    const clab = resolve('fixtures/overlay/tenant.clab.yml');
    const topo = parseTopology(await readFile(clab, 'utf8'), clab, { exists: () => true });
    const o = (await loadOverlay(topo)) as Overlay;
    expect(o.file).toBe(resolve('fixtures/overlay/tenant.overlay.yml'));
    expect(o.vms.map((v) => [v.name, v.host, v.hostIface])).toEqual([
      ['vm1', 'compute1', 'tap-vm1'],
      ['vm2', 'compute2', 'tap-vm2'],
      ['vm3', 'compute2', 'tap-vm3'],
    ]);
  });

  it('is undefined when the lab has no sidecar, and reports a broken one against its own path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-overlay-'));
    try {
      const clab = join(dir, 'lab.clab.yml');
      const topo = { ...TOPO, file: clab, dir };
      expect(await loadOverlay(topo)).toBeUndefined();
      await writeFile(join(dir, 'lab.overlay.yml'), doc('switches:', '  web: { subnet: 10.20.1.0/24 }', 'vms: {}'));
      const err = await loadOverlay(topo).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).problems.map((p) => [p.file, p.field])).toEqual([
        [join(dir, 'lab.overlay.yml'), 'vms'],
        [join(dir, 'lab.overlay.yml'), 'vms'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable sidecar as a problem, not a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-overlay-'));
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(dir, 'lab.overlay.yml')); // a directory: exists but cannot be read as a file
      const err = await loadOverlay({ ...TOPO, file: join(dir, 'lab.clab.yml'), dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).problems[0]).toMatchObject({ field: '(file)', message: expect.stringContaining('EISDIR') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseOverlay: north–south (provider networks, gateways, floating IPs)', () => {
  /** TOPO plus an external node linked to both compute hosts, and a third compute host not linked to it. */
  const NS_TOPO = topology({
    nodes: ['ext: { labels: { netproof.role: external } }', 'compute3: { labels: { netproof.role: compute } }'],
    links: ['["ext:eth1", "compute1:ext"]', '["compute2:ext", "ext:eth2"]'],
  });
  const ns = (gateway: string[], opts: { vm1?: string; provider?: string[] } = {}) =>
    doc(
      'provider-networks:',
      ...(opts.provider ?? ['  public: { subnet: 172.24.4.0/24, gateway: 172.24.4.1, node: ext }']),
      ...PLAIN_SWITCHES,
      'routers:',
      '  tenant:',
      '    switches: [web, db]',
      ...gateway,
      'vms:',
      `  vm1: { switch: web, ip: 10.20.1.11${opts.vm1 ?? ''} }`,
      '  vm2: { switch: db, ip: 10.20.2.12 }',
    );
  const GATEWAY = ['    gateway:', '      network: public', '      ip: 172.24.4.10', '      chassis: { compute2: 10, compute1: 20 }', '      snat: [web, db]', '      mtu: 1400'];

  it('reads the provider network, the gateway (chassis highest priority first) and the floating IP', () => {
    const o = parseOverlay(ns(GATEWAY, { vm1: ', floating-ip: 172.24.4.101' }), FILE, NS_TOPO);
    expect(o.providers).toEqual([{ name: 'public', subnet: '172.24.4.0/24', gateway: '172.24.4.1', node: 'ext' }]);
    expect(o.routers[0]!.gateway).toEqual({
      network: 'public',
      ip: '172.24.4.10',
      prefixLength: 24,
      chassis: [
        { node: 'compute1', priority: 20 },
        { node: 'compute2', priority: 10 },
      ],
      snat: ['web', 'db'],
      mtu: 1400,
    });
    expect(o.vms.find((v) => v.name === 'vm1')!.floatingIp).toBe('172.24.4.101');
    expect(o.vms.find((v) => v.name === 'vm2')).not.toHaveProperty('floatingIp');
  });

  it('leaves gateway_mtu undeclared when mtu is left out', () => {
    expect(parseOverlay(ns(GATEWAY.filter((l) => !l.includes('mtu'))), FILE, NS_TOPO).routers[0]!.gateway).not.toHaveProperty('mtu');
  });

  it('two gateway chassis at the same priority', () => {
    const text = ns(GATEWAY.map((l) => l.replace('compute1: 20', 'compute1: 10')));
    expect(onlyProblem(text, 'routers.tenant.gateway.chassis.compute1', 'compute1: 10', 0, NS_TOPO).message).toMatch(/priority 10, as compute2 does/);
  });

  it('a gateway chassis not linked to the provider network’s node, and one that is no compute node', () => {
    const text = ns(GATEWAY.map((l) => l.replace('compute2: 10', 'compute3: 10, leaf1: 5')));
    const problems = problemsOf(text, NS_TOPO);
    expect(problemAt(problems, 'routers.tenant.gateway.chassis.compute3').message).toMatch(/no link to ext/);
    expect(problemAt(problems, 'routers.tenant.gateway.chassis.leaf1').message).toMatch(/names no compute node/);
  });

  it.each([
    ['0', /outside 1\.\.32767/],
    ['40000', /outside 1\.\.32767/],
  ])('priority %s', (priority, message) => {
    const text = ns(GATEWAY.map((l) => l.replace('compute1: 20', `compute1: ${priority}`)));
    expect(onlyProblem(text, 'routers.tenant.gateway.chassis.compute1', `compute1: ${priority}`, 0, NS_TOPO).message).toMatch(message);
  });

  it.each([
    ['172.24.5.10', /outside 172\.24\.4\.0\/24/],
    ['172.24.4.1', /provider network's own gateway/],
    ['172.24.4.0', /network address/],
    ['172.24.4.10/24', /prefix length/],
  ])('gateway ip %s', (ip, message) => {
    const text = ns(GATEWAY.map((l) => l.replace('ip: 172.24.4.10', `ip: ${ip}`)));
    expect(onlyProblem(text, 'routers.tenant.gateway.ip', `ip: ${ip}`, 0, NS_TOPO).message).toMatch(message);
  });

  it('an unknown provider network lists the defined ones', () => {
    const p = onlyProblem(ns(GATEWAY.map((l) => l.replace('network: public', 'network: outside'))), 'routers.tenant.gateway.network', 'network: outside', 0, NS_TOPO);
    expect(p.fix).toMatch(/public/);
  });

  it('snat naming a switch the router does not join', () => {
    const text = ns(GATEWAY.map((l) => l.replace('snat: [web, db]', 'snat: [web, lone]')));
    expect(onlyProblem(text, 'routers.tenant.gateway.snat[1]', 'lone', 0, NS_TOPO).message).toMatch(/does not join/);
  });

  it('a provider network whose node is not external, or overlaps a tenant switch', () => {
    const text = ns(GATEWAY, { provider: ['  public: { subnet: 10.20.0.0/16, gateway: 10.20.0.1, node: leaf1 }'] });
    const problems = problemsOf(text, NS_TOPO);
    expect(problemAt(problems, 'provider-networks.public.subnet').message).toMatch(/overlaps switch web/);
    expect(problemAt(problems, 'provider-networks.public.node').message).toMatch(/does not stand for the outside world/);
    // The gateway then names a network that is reported already.
    expect(problemAt(problems, 'routers.tenant.gateway.network').message).toMatch(/invalid \(reported there\)/);
  });

  it('a provider gateway outside its subnet', () => {
    const text = ns(GATEWAY, { provider: ['  public: { subnet: 172.24.4.0/24, gateway: 172.24.9.1, node: ext }'] });
    expect(problemAt(problemsOf(text, NS_TOPO), 'provider-networks.public.gateway').message).toMatch(/outside 172\.24\.4\.0\/24/);
  });

  it.each([
    ['172.24.4.10', /router tenant's gateway address/],
    ['172.24.4.1', /provider network public's gateway/],
    ['10.20.1.200', /outside 172\.24\.4\.0\/24/],
  ])('floating-ip %s', (fip, message) => {
    expect(onlyProblem(ns(GATEWAY, { vm1: `, floating-ip: ${fip}` }), 'vms.vm1.floating-ip', `floating-ip: ${fip}`, 0, NS_TOPO).message).toMatch(message);
  });

  it('a floating IP behind a router without a gateway', () => {
    expect(onlyProblem(ns([], { vm1: ', floating-ip: 172.24.4.101' }), 'vms.vm1.floating-ip', 'floating-ip', 0, NS_TOPO).message).toMatch(/has no gateway/);
  });

  it('an unknown gateway field, listing the allowed ones', () => {
    const p = onlyProblem(ns([...GATEWAY, '      failback: true']), 'routers.tenant.gateway.failback', 'failback', 0, NS_TOPO);
    expect(p.fix).toMatch(/network, ip, chassis, snat, mtu/);
  });
});

describe('parseOverlay: load balancers', () => {
  const NS_TOPO = topology({ nodes: ['ext: { labels: { netproof.role: external } }'], links: ['["ext:eth1", "compute1:ext"]'] });
  const lbDoc = (lb: string[], vm2 = '  vm2: { switch: db, ip: 10.20.2.12 }') =>
    doc(
      'provider-networks:',
      '  public: { subnet: 172.24.4.0/24, gateway: 172.24.4.1, node: ext }',
      'switches:',
      '  web: { subnet: 10.20.1.0/24 }',
      '  db: { subnet: 10.20.2.0/24 }',
      '  lone: { subnet: 10.30.0.0/24 }',
      'routers:',
      '  tenant:',
      '    switches: [web, db]',
      '    gateway: { network: public, ip: 172.24.4.10, chassis: { compute1: 10 } }',
      'vms:',
      '  vm1: { switch: web, ip: 10.20.1.11 }',
      vm2,
      'load-balancers:',
      ...lb,
    );
  const LB = ['  web:', '    vip: 172.24.4.50', '    port: 80', '    backends: [vm1, vm2]', '    health-check: { interval: 2, failure-count: 2 }'];

  it('reads a load balancer: its router, exposure on the provider network, OVN defaults for what the health check leaves out, drop by default', () => {
    const o = parseOverlay(lbDoc(LB), FILE, NS_TOPO);
    expect(o.loadBalancers).toEqual([
      { name: 'web', vip: '172.24.4.50', port: 80, protocol: 'tcp', backends: ['vm1', 'vm2'], backendPort: 80, router: 'tenant', healthCheck: { intervalS: 2, timeoutS: 20, successCount: 3, failureCount: 2 }, noBackend: 'drop', exposed: true },
    ]);
  });

  it('a VIP outside every subnet is not exposed; no health check is not declared', () => {
    const o = parseOverlay(lbDoc(['  db:', '    vip: 10.99.0.5', '    port: 5432', '    protocol: udp', '    backend-port: 15432', '    backends: [vm2]', '    no-backend: reject']), FILE, NS_TOPO);
    expect(o.loadBalancers[0]).toEqual({ name: 'db', vip: '10.99.0.5', port: 5432, protocol: 'udp', backends: ['vm2'], backendPort: 15432, router: 'tenant', noBackend: 'reject', exposed: false });
  });

  it.each([
    ['10.20.1.77', /inside switch web's subnet/],
    ['172.24.4.10', /router tenant's gateway address/],
    ['10.20.1.11', /VM vm1's address/],
    ['172.24.4.255', /broadcast/],
  ])('vip %s', (vip, message) => {
    expect(onlyProblem(lbDoc(LB.map((l) => l.replace('172.24.4.50', vip))), 'load-balancers.web.vip', `vip: ${vip}`, 0, NS_TOPO).message).toMatch(message);
  });

  it('an unknown backend, and a backend repeated', () => {
    const p = problemsOf(lbDoc(LB.map((l) => l.replace('[vm1, vm2]', '[vm1, vm9, vm1]'))), NS_TOPO);
    expect(problemAt(p, 'load-balancers.web.backends[1]').message).toMatch(/unknown VM "vm9"/);
    expect(problemAt(p, 'load-balancers.web.backends[2]').message).toMatch(/twice/);
  });

  it('backends behind no router', () => {
    const text = lbDoc(LB.map((l) => l.replace('[vm1, vm2]', '[vm2]')), '  vm2: { switch: lone, ip: 10.30.0.12 }');
    expect(onlyProblem(text, 'load-balancers.web.backends', 'backends', 0, NS_TOPO).message).toMatch(/no router joins/);
  });

  it('a health check whose source address a VM uses', () => {
    const text = lbDoc(LB, '  vm2: { switch: db, ip: 10.20.2.254 }');
    expect(onlyProblem(text, 'load-balancers.web.health-check', 'health-check', 0, NS_TOPO).message).toMatch(/probes vm2 from 10\.20\.2\.254, .* VM vm2 uses it/);
  });

  it.each([['interval: 0'], ['failure-count: 4000']])('health check %s', (field) => {
    const text = lbDoc(LB.map((l) => l.replace('interval: 2, failure-count: 2', field)));
    expect(onlyProblem(text, `load-balancers.web.health-check.${field.split(':')[0]}`, field, 0, NS_TOPO).message).toMatch(/outside 1\.\.3600/);
  });

  it('port out of range and an unknown field', () => {
    expect(onlyProblem(lbDoc(LB.map((l) => l.replace('port: 80', 'port: 0'))), 'load-balancers.web.port', 'port: 0', 0, NS_TOPO).message).toMatch(/outside 1\.\.65535/);
    expect(onlyProblem(lbDoc([...LB, '    algorithm: rr']), 'load-balancers.web.algorithm', 'algorithm', 0, NS_TOPO).fix).toMatch(/vip, port, protocol, backends/);
  });
});

describe('parseOverlay: tunnel BFD', () => {
  const text = (bfd: string) => doc(...PLAIN_SWITCHES, ...PLAIN_VMS, `tunnel-bfd: ${bfd}`);
  it('reads the interval and the multiplier (3 by default)', () => {
    expect(parseOverlay(text('{ interval: 300, multiplier: 5 }'), FILE, TOPO).tunnelBfd).toEqual({ intervalMs: 300, multiplier: 5 });
    expect(parseOverlay(text('{ interval: 100 }'), FILE, TOPO).tunnelBfd).toEqual({ intervalMs: 100, multiplier: 3 });
    expect(parseOverlay(doc(...PLAIN_SWITCHES, ...PLAIN_VMS), FILE, TOPO)).not.toHaveProperty('tunnelBfd');
  });
  it.each([
    ['{ interval: 5 }', 'tunnel-bfd.interval', /outside 10\.\.60000/],
    ['{ interval: 300, multiplier: 0 }', 'tunnel-bfd.multiplier', /outside 1\.\.255/],
    ['{ multiplier: 3 }', 'tunnel-bfd', /required field "interval"/],
  ])('%s', (bfd, field, message) => {
    expect(problemAt(problemsOf(text(bfd)), field).message).toMatch(message);
  });
});
