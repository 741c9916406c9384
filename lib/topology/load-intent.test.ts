import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, InvalidInputError, type Problem } from '../errors.ts';
import type { Intent } from '../model/intent.ts';
import type { Topology } from '../model/topology.ts';
import { doc, posOf } from '../../fixtures/yaml-text.ts';
import { intentFileFor, loadIntent, parseIntent } from './load-intent.ts';
import { parseTopology } from './load.ts';

const DIR = '/labs/t';
const CLAB = `${DIR}/t.clab.yml`;
const FILE = `${DIR}/t.intent.yml`;

/** Two spines, a leaf, a compute host that uses one path (by label), and a VM (a host, not a router). */
const TOPO: Topology = parseTopology(
  doc(
    'name: t',
    'topology:',
    '  defaults: { kind: linux, image: alpine, startup-config: frr.conf }',
    '  nodes:',
    '    spine1: { labels: { netproof.role: spine } }',
    '    spine2: { labels: { netproof.role: spine } }',
    '    leaf1: { labels: { netproof.role: leaf } }',
    '    host1: { labels: { netproof.role: compute, netproof.max-paths: "1" } }',
    '    vm1: { labels: { netproof.role: vm } }',
    '  links:',
    '    - endpoints: ["spine1:eth1", "leaf1:eth1"]',
    '    - endpoints: ["spine2:eth1", "leaf1:eth2"]',
    '    - endpoints: ["leaf1:eth3", "host1:eth1"]',
    '    - endpoints: ["vm1:eth1", "host1:vm1"]',
  ),
  CLAB,
  { exists: () => true },
);

const VALID = doc(
  'routers:',
  '  spine1:',
  '    asn: 65000',
  '    loopbacks: [10.255.0.1/32]',
  '  spine2: { asn: 65000, loopbacks: [10.255.0.2/32, 10.255.0.102/32] }',
  '  leaf1: { asn: 4200000001 }',
  '  host1:',
  '    asn: 65201',
  '    loopbacks: [10.255.2.1/32]    # its GENEVE TEP',
  '    max-paths: 1',
  '    bfd: { transmit-interval: 100, receive-interval: 200, detect-multiplier: 5 }',
  'bfd:',
  '  required: true',
  '  transmit-interval: 300',
  '  receive-interval: 300',
  '  detect-multiplier: 3',
  'failover:',
  '  grey: { loss-budget-ms: 1400 }',
  '  carrier: { loss-budget-ms: 900 }',
  'multipath:',
  '  hash: l4',
  'tolerance:',
  '  figures: 50%',
);

/** One valid router (spine1 owns 10.255.0.1/32): a base for one-problem tests. */
const ROUTERS = ['routers:', '  spine1: { asn: 65000, loopbacks: [10.255.0.1/32] }'];

function problemsOf(text: string, topo: Topology = TOPO): Problem[] {
  try {
    parseIntent(text, FILE, topo);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).exitCode).toBe(EXIT.usage);
    return (e as InvalidInputError).problems;
  }
  throw new Error('expected parseIntent to throw InvalidInputError');
}

/** The only problem of a text: checks there is exactly one, its field and where it is, and returns it. */
function onlyProblem(text: string, field: string, at: string, nth = 0): Problem {
  const problems = problemsOf(text);
  expect(problems.map((p) => `${p.field}: ${p.message}`)).toHaveLength(1);
  const p = problems[0]!;
  expect(p.field).toBe(field);
  expect({ line: p.line, column: p.column }).toEqual(posOf(text, at, nth));
  expect(p.file).toBe(FILE);
  expect(p.fix.length).toBeGreaterThan(10);
  return p;
}

describe('intentFileFor', () => {
  it.each([
    ['/labs/t/t.clab.yml', '/labs/t/t.intent.yml'],
    ['/labs/t/t.clab.yaml', '/labs/t/t.intent.yaml'],
    ['labs/dc.clab.yml', 'labs/dc.intent.yml'],
    ['/x/lab.yml', '/x/lab.intent.yml'],
    ['/x/my.lab.clab.yml', '/x/my.lab.intent.yml'],
    ['/x/noext', '/x/noext.intent.yml'],
  ])('%s → %s', (clab, intent) => {
    expect(intentFileFor(clab)).toBe(intent);
  });
});

describe('parseIntent: a valid file', () => {
  it('parses to the declared intent, routers in file order, tolerance as a fraction', () => {
    const expected: Intent = {
      file: FILE,
      routers: {
        spine1: { name: 'spine1', asn: 65000, loopbacks: ['10.255.0.1/32'] },
        spine2: { name: 'spine2', asn: 65000, loopbacks: ['10.255.0.2/32', '10.255.0.102/32'] },
        leaf1: { name: 'leaf1', asn: 4200000001 },
        host1: { name: 'host1', asn: 65201, loopbacks: ['10.255.2.1/32'], maxPaths: 1, bfd: { transmitIntervalMs: 100, receiveIntervalMs: 200, detectMultiplier: 5 } },
      },
      bfd: { required: true, timers: { transmitIntervalMs: 300, receiveIntervalMs: 300, detectMultiplier: 3 } },
      failover: { grey: { lossBudgetMs: 1400 }, carrier: { lossBudgetMs: 900 } },
      multipathHash: 'l4',
      tolerance: { relative: 0.5 },
    };
    const intent = parseIntent(VALID, FILE, TOPO);
    expect(intent).toStrictEqual(expected);
    expect(Object.keys(intent.routers)).toEqual(['spine1', 'spine2', 'leaf1', 'host1']);
  });

  it('leaves out every section that is not declared; an empty file declares nothing', () => {
    expect(parseIntent(doc(...ROUTERS), FILE, TOPO)).toStrictEqual({ file: FILE, routers: { spine1: { name: 'spine1', asn: 65000, loopbacks: ['10.255.0.1/32'] } }, failover: {} });
    expect(parseIntent('', FILE, TOPO)).toStrictEqual({ file: FILE, routers: {}, failover: {} });
    expect(parseIntent('# nothing yet\n', FILE, TOPO)).toStrictEqual({ file: FILE, routers: {}, failover: {} });
    expect(parseIntent(doc('routers:', '  leaf1: {}'), FILE, TOPO).routers).toStrictEqual({ leaf1: { name: 'leaf1' } });
  });

  it.each([
    ['50%', 0.5],
    ['12.5%', 0.125],
    ['0%', 0],
    ['100%', 1],
    ['0.25', 0.25],
    ['0', 0],
    ['1', 1],
    ['300%', 3],
  ])('tolerance figures: %s → %s', (figures, relative) => {
    expect(parseIntent(doc('tolerance:', `  figures: ${figures}`), FILE, TOPO).tolerance).toEqual({ relative });
  });

  it('takes multipath hash l3, and BFD not required with or without timers', () => {
    expect(parseIntent(doc('multipath: { hash: l3 }'), FILE, TOPO).multipathHash).toBe('l3');
    expect(parseIntent(doc('bfd: { required: false, transmit-interval: 50, receive-interval: 50, detect-multiplier: 2 }'), FILE, TOPO).bfd).toEqual({
      required: false,
      timers: { transmitIntervalMs: 50, receiveIntervalMs: 50, detectMultiplier: 2 },
    });
    expect(parseIntent(doc('bfd: { required: false }'), FILE, TOPO)).not.toHaveProperty('bfd');
  });

  it('agrees with a max-paths label of the same value', () => {
    expect(parseIntent(doc('routers:', '  host1: { max-paths: 1 }'), FILE, TOPO).routers.host1).toEqual({ name: 'host1', maxPaths: 1 });
  });
});

describe('parseIntent: routers', () => {
  it('a router that is not a node of the topology: names the topology file and its routers', () => {
    const text = doc(...ROUTERS, '  spine9: { asn: 65000 }');
    const p = onlyProblem(text, 'routers.spine9', 'spine9');
    expect(p.message).toBe(`names unknown node "spine9" (not in ${CLAB})`);
    expect(p.fix).toBe(`use a router of ${CLAB}: spine1, spine2, leaf1, host1`);
  });

  it('a node that is not a router', () => {
    const text = doc(...ROUTERS, '  vm1: { asn: 65000 }');
    const p = onlyProblem(text, 'routers.vm1', 'vm1');
    expect(p.message).toBe(`node vm1 is a host, not a router, in ${CLAB} (netproof.role: vm): it runs no BGP`);
    expect(p.fix).toContain(CLAB);
  });

  it.each([
    ['0', 'asn 0 is outside 1..4294967295'],
    ['4294967296', 'asn 4294967296 is outside 1..4294967295'],
    ['65000.5', 'asn 65000.5 is not a whole number'],
  ])('asn %s', (asn, message) => {
    const text = doc(...ROUTERS, `  leaf1: { asn: ${asn} }`);
    expect(onlyProblem(text, 'routers.leaf1.asn', 'asn', 1).message).toBe(message);
  });

  it('asn as a string is a shape problem', () => {
    const text = doc(...ROUTERS, '  leaf1: { asn: "AS65101" }');
    const p = onlyProblem(text, 'routers.leaf1.asn', 'asn', 1);
    expect(p.message).toBe('must be number');
    expect(p.fix).toBe('write the ASN as a whole number from 1 to 4294967295');
  });

  it.each([
    ['10.255.1.0/24', 'loopback 10.255.1.0/24 is a /24: a loopback is a /32', 'write the router\'s own address as a /32, e.g. 10.255.1.0/32'],
    ['10.255.1.1', 'loopback 10.255.1.1 has no prefix length', 'write it as 10.255.1.1/32'],
    ['10.255.1.300/32', 'loopback "10.255.1.300/32" is not an IPv4 address', 'write it as an IPv4 /32, e.g. 10.255.0.1/32 (or an IPv6 /128, e.g. fd00:10:255::1/128)'],
    ['fd00::1/64', 'loopback fd00::1/64 is a /64: an IPv6 loopback is a /128', "write the router's own address as a /128, e.g. fd00::1/128"],
    ['fd00::1', 'loopback fd00::1 has no prefix length', 'write it as fd00::1/128'],
    ['FD00:0::1/128', 'loopback "FD00:0::1/128" is not in canonical form', 'write it as fd00::1/128'],
    ['fe80::1/128', 'loopback fe80::1/128 is not a global unicast address', 'use a global or unique-local address (fd00::/8), as routers advertise'],
    ['::1/128', 'loopback ::1/128 is not a global unicast address', 'use a global or unique-local address (fd00::/8), as routers advertise'],
    ['::/128', 'loopback ::/128 is not a global unicast address', 'use a global or unique-local address (fd00::/8), as routers advertise'],
    ['fd00::g/128', 'loopback "fd00::g/128" is not an IPv6 address', 'write it as an IPv6 /128, e.g. fd00:10:255::1/128'],
  ])('loopback %s', (lo, message, fix) => {
    const text = doc(...ROUTERS, `  leaf1: { loopbacks: [${lo}] }`);
    const p = onlyProblem(text, 'routers.leaf1.loopbacks[0]', lo);
    expect(p.message).toBe(message);
    expect(p.fix).toBe(fix);
  });

  it('a router with IPv6 loopbacks only among routers with IPv4 ones: the loopbacks list is named, with the fix', () => {
    const p = onlyProblem(doc('routers:', '  spine1: { loopbacks: [10.255.0.1/32] }', '  leaf1: { loopbacks: [fd00:10:255:1::1/128] }'), 'routers.leaf1.loopbacks', 'loopbacks', 1);
    expect(p.message).toBe('router leaf1 declares IPv6 loopbacks only, but spine1 declares an IPv4 one');
    expect(p.fix).toBe("add leaf1's IPv4 loopback /32 beside them, or declare IPv6 loopbacks only on every router (an IPv6-only fabric)");
  });

  it('a refused IPv4 loopback beside an IPv6 one is one error, not a second about IPv6 only', () => {
    const p = onlyProblem(doc('routers:', '  spine1: { loopbacks: [10.255.0.1/32] }', '  leaf1: { loopbacks: [10.255.1.1/31, fd00:10:255:1::1/128] }'), 'routers.leaf1.loopbacks[0]', '10.255.1.1/31');
    expect(p.message).toMatch(/10\.255\.1\.1\/31/);
  });

  it('an IPv6-only fabric: every router declares IPv6 loopbacks only', () => {
    const intent = parseIntent(doc('routers:', '  spine1: { loopbacks: [fd00:10:255::1/128] }', '  leaf1: { loopbacks: [fd00:10:255:1::1/128] }'), FILE, TOPO);
    expect(intent.routers.leaf1?.loopbacks).toEqual(['fd00:10:255:1::1/128']);
  });

  it('a dual-stack router declares an IPv6 /128 beside its IPv4 /32', () => {
    const intent = parseIntent(doc('routers:', '  leaf1: { loopbacks: [10.255.1.1/32, fd00:10:255:1::1/128] }'), FILE, TOPO);
    expect(intent.routers.leaf1?.loopbacks).toEqual(['10.255.1.1/32', 'fd00:10:255:1::1/128']);
  });

  it('the same /32 declared by two routers is a problem on the second', () => {
    const text = doc(...ROUTERS, '  leaf1: { loopbacks: [10.255.1.1/32, 10.255.0.1/32] }');
    const p = onlyProblem(text, 'routers.leaf1.loopbacks[1]', '10.255.0.1/32', 1);
    expect(p.message).toBe('loopback 10.255.0.1/32 is already declared by router spine1');
  });

  it('the same /32 twice in one router', () => {
    const text = doc('routers:', '  leaf1: { loopbacks: [10.255.1.1/32, 10.255.1.1/32] }');
    expect(onlyProblem(text, 'routers.leaf1.loopbacks[1]', '10.255.1.1/32', 1).message).toBe('lists loopback 10.255.1.1/32 twice');
  });

  it('an empty loopback list', () => {
    const text = doc('routers:', '  leaf1: { loopbacks: [] }');
    expect(onlyProblem(text, 'routers.leaf1.loopbacks', 'loopbacks').message).toBe('must list at least 1 item');
  });

  it.each([
    ['0', 'max-paths 0 is outside 1..64'],
    ['65', 'max-paths 65 is outside 1..64'],
    ['2.5', 'max-paths 2.5 is not a whole number'],
  ])('max-paths %s', (n, message) => {
    const text = doc('routers:', `  leaf1: { max-paths: ${n} }`);
    expect(onlyProblem(text, 'routers.leaf1.max-paths', 'max-paths').message).toBe(message);
  });

  it('max-paths that disagrees with the node\'s netproof.max-paths label names both', () => {
    const text = doc('routers:', '  host1:', '    max-paths: 4');
    const p = onlyProblem(text, 'routers.host1.max-paths', 'max-paths');
    expect(p.message).toBe(`max-paths 4 disagrees with node host1's label netproof.max-paths: "1" in ${CLAB}`);
    expect(p.fix).toContain(CLAB);
  });
});

describe('parseIntent: link-bandwidth (weighted ECMP)', () => {
  it('returns the declared bandwidths by interface, on links to other routers (a compute host is one)', () => {
    const text = doc('routers:', '  leaf1:', '    link-bandwidth: { eth1: 300, eth2: 100, eth3: 25600 }', '  spine1: { link-bandwidth: { eth1: 1 } }');
    expect(parseIntent(text, FILE, TOPO).routers).toStrictEqual({
      leaf1: { name: 'leaf1', linkBandwidthMbps: { eth1: 300, eth2: 100, eth3: 25600 } },
      spine1: { name: 'spine1', linkBandwidthMbps: { eth1: 1 } },
    });
  });

  it('sits alongside the router\'s other fields', () => {
    const text = doc('routers:', '  leaf1: { asn: 65101, loopbacks: [10.255.1.1/32], max-paths: 2, link-bandwidth: { eth1: 300, eth2: 100 } }');
    expect(parseIntent(text, FILE, TOPO).routers.leaf1).toStrictEqual({ name: 'leaf1', asn: 65101, loopbacks: ['10.255.1.1/32'], maxPaths: 2, linkBandwidthMbps: { eth1: 300, eth2: 100 } });
  });

  it('an interface the router has no link on: names the topology file and lists its links to routers', () => {
    const text = doc('routers:', '  leaf1: { link-bandwidth: { eth1: 300, eth9: 100 } }');
    const p = onlyProblem(text, 'routers.leaf1.link-bandwidth.eth9', 'eth9');
    expect(p.message).toBe(`leaf1 has no link on interface eth9 in ${CLAB}`);
    expect(p.fix).toBe("name one of leaf1's links to another router: eth1, eth2, eth3");
  });

  it('an interface leading to a host that is not a router: no BGP route is learned there', () => {
    const text = doc('routers:', '  host1: { link-bandwidth: { vm1: 100 } }');
    const p = onlyProblem(text, 'routers.host1.link-bandwidth.vm1', 'vm1');
    expect(p.message).toBe('host1:vm1 leads to vm1, which is not a router: no BGP route is learned there');
    expect(p.fix).toBe("name one of host1's links to another router: eth1");
  });

  it.each([
    ['0', 'link-bandwidth 0 is outside 1..25600'],
    ['30000', 'link-bandwidth 30000 is outside 1..25600'],
    ['25601', 'link-bandwidth 25601 is outside 1..25600'],
    ['-100', 'link-bandwidth -100 is outside 1..25600'],
    ['1.5', 'link-bandwidth 1.5 is not a whole number'],
  ])('a bandwidth of %s Mbit/s', (mbps, message) => {
    const text = doc('routers:', `  leaf1: { link-bandwidth: { eth1: 300, eth2: ${mbps} } }`);
    const p = onlyProblem(text, 'routers.leaf1.link-bandwidth.eth2', 'eth2');
    expect(p.message).toBe(message);
    expect(p.fix).toBe('write the bandwidth in Mbit/s as a whole number from 1 to 25600, e.g. 400');
  });

  it('a bandwidth that is not a number is a shape problem, with the same fix', () => {
    const text = doc('routers:', '  leaf1: { link-bandwidth: { eth1: 10G } }');
    const p = onlyProblem(text, 'routers.leaf1.link-bandwidth.eth1', 'eth1');
    expect(p.message).toBe('must be number');
    expect(p.fix).toBe('write the bandwidth in Mbit/s as a whole number from 1 to 25600, e.g. 400');
  });

  it('link-bandwidth that is not a mapping, or an empty one', () => {
    const scalar = onlyProblem(doc('routers:', '  leaf1: { link-bandwidth: 300 }'), 'routers.leaf1.link-bandwidth', 'link-bandwidth');
    expect(scalar.message).toBe('must be object');
    expect(scalar.fix).toBe("write link-bandwidth as a mapping of the router's interfaces to Mbit/s, e.g. link-bandwidth: { eth1: 400, eth2: 100 }");
    const empty = onlyProblem(doc('routers:', '  leaf1: { link-bandwidth: {} }'), 'routers.leaf1.link-bandwidth', 'link-bandwidth');
    expect(empty.fix).toBe(scalar.fix);
  });

  it('reports every wrong interface of one router, each at its own line', () => {
    const text = doc('routers:', '  leaf1:', '    link-bandwidth:', '      eth1: 0', '      eth2: 100', '      eth9: 100');
    expect(problemsOf(text).map((p) => [p.field, p.line])).toEqual([
      ['routers.leaf1.link-bandwidth.eth1', 4],
      ['routers.leaf1.link-bandwidth.eth9', 6],
    ]);
  });
});

describe('parseIntent: BFD', () => {
  const LAB_BFD = ['bfd: { required: true, transmit-interval: 300, receive-interval: 300, detect-multiplier: 3 }'];

  it.each([
    ['transmit-interval', '9', 'transmit-interval (ms) 9 is outside 10..60000'],
    ['receive-interval', '60001', 'receive-interval (ms) 60001 is outside 10..60000'],
    ['receive-interval', '2.5', 'receive-interval (ms) 2.5 is not a whole number'],
    ['detect-multiplier', '1', 'detect-multiplier 1 is outside 2..255'],
    ['detect-multiplier', '256', 'detect-multiplier 256 is outside 2..255'],
  ])('the lab\'s %s: %s', (key, value, message) => {
    const timers = { 'transmit-interval': '300', 'receive-interval': '300', 'detect-multiplier': '3', [key]: value };
    const text = doc('bfd:', '  required: true', ...Object.entries(timers).map(([k, v]) => `  ${k}: ${v}`));
    const p = onlyProblem(text, `bfd.${key}`, key);
    expect(p.message).toBe(message);
  });

  it('a router\'s override is checked the same way', () => {
    const text = doc(...LAB_BFD, 'routers:', '  leaf1:', '    bfd: { transmit-interval: 300, receive-interval: 300, detect-multiplier: 300 }');
    expect(onlyProblem(text, 'routers.leaf1.bfd.detect-multiplier', 'detect-multiplier', 1).message).toBe('detect-multiplier 300 is outside 2..255');
  });

  it('BFD required without timers', () => {
    const text = doc('bfd:', '  required: true');
    const p = onlyProblem(text, 'bfd', 'bfd');
    expect(p.message).toBe('BFD is required but its timers are not declared');
    expect(p.fix).toContain('transmit-interval: 300, receive-interval: 300, detect-multiplier: 3');
  });

  it('the lab\'s timers in part', () => {
    const text = doc('bfd:', '  required: true', '  transmit-interval: 300');
    expect(onlyProblem(text, 'bfd', 'bfd').message).toBe('declares transmit-interval but not receive-interval, detect-multiplier');
  });

  it('bfd without required', () => {
    const text = doc('bfd: { transmit-interval: 300, receive-interval: 300, detect-multiplier: 3 }');
    const p = onlyProblem(text, 'bfd', 'bfd');
    expect(p.message).toBe('is missing the required field "required"');
    expect(p.fix).toContain('required: true');
  });

  it('a router\'s override needs all three timers', () => {
    const text = doc(...LAB_BFD, 'routers:', '  leaf1:', '    bfd: { transmit-interval: 100 }');
    const p = onlyProblem(text, 'routers.leaf1.bfd', 'bfd', 1);
    expect(p.message).toBe('the BFD override of leaf1 does not declare receive-interval, detect-multiplier');
  });

  it('a router\'s override with no lab BFD to override', () => {
    const text = doc('routers:', '  leaf1:', '    bfd: { transmit-interval: 100, receive-interval: 100, detect-multiplier: 3 }');
    const p = onlyProblem(text, 'routers.leaf1.bfd', 'bfd');
    expect(p.message).toBe("leaf1 overrides the lab's BFD timers, but the intent has no bfd section, so nothing would check them");
    expect(p.fix).toBe('declare the lab\'s BFD: bfd: { required: true, transmit-interval: 300, receive-interval: 300, detect-multiplier: 3 }, or remove this override');
  });
});

describe('parseIntent: failover, multipath, tolerance', () => {
  it.each(['0', '-5', '1.5'])('loss-budget-ms %s', (ms) => {
    const text = doc('failover:', `  carrier: { loss-budget-ms: ${ms} }`);
    expect(onlyProblem(text, 'failover.carrier.loss-budget-ms', 'loss-budget-ms').message).toBe(`loss-budget-ms ${ms} is not a whole number of milliseconds above 0`);
  });

  it('an unknown failure class lists the known ones', () => {
    const text = doc('failover:', '  gray: { loss-budget-ms: 100 }');
    const p = onlyProblem(text, 'failover.gray', 'gray');
    expect(p.message).toBe('unknown field "gray"');
    expect(p.fix).toBe('remove it or check its spelling (allowed here: grey, carrier, far-end)');
  });

  it('an unknown hash', () => {
    const text = doc('multipath: { hash: l5 }');
    const p = onlyProblem(text, 'multipath.hash', 'hash');
    expect(p.message).toBe('must be one of l3, l4');
  });

  it.each([
    ['12', 'tolerance 12 is outside 0..10', '; for 12 per cent write 12%'],
    ['50', 'tolerance 50 is outside 0..10', '; for 50 per cent write 50%'],
    ['-0.1', 'tolerance -0.1 is outside 0..10', ''],
    ['1500%', 'tolerance 1500% is above 1000%', ''],
    ['lots', 'tolerance "lots" is neither a percentage nor a fraction', ''],
    ['"-5%"', 'tolerance "-5%" is neither a percentage nor a fraction', ''],
  ])('tolerance figures %s', (figures, message, fixTail) => {
    const text = doc('tolerance:', `  figures: ${figures}`);
    const p = onlyProblem(text, 'tolerance.figures', 'figures');
    expect(p.message).toBe(message);
    expect(p.fix).toBe(`write a percentage from 0% to 1000% (100%) or a fraction from 0 to 10 (1)${fixTail}`);
  });
});

describe('parseIntent: shape', () => {
  it.each([
    [doc('routerz: {}'), 'routerz', 'routers, bfd, failover, multipath, tolerance'],
    [doc('routers:', '  leaf1: { as: 65101 }'), 'routers.leaf1.as', 'asn, loopbacks, max-paths, bfd, link-bandwidth'],
    [doc('routers:', '  leaf1: { bfd: { transmit: 100 } }'), 'routers.leaf1.bfd.transmit', 'transmit-interval, receive-interval, detect-multiplier'],
    [doc('bfd: { required: true, interval: 300 }'), 'bfd.interval', 'required, transmit-interval, receive-interval, detect-multiplier'],
    [doc('tolerance: { figures: 50%, timings: 10% }'), 'tolerance.timings', 'figures'],
  ])('an unknown key is an error naming it and listing the allowed keys (%#)', (text, field, allowed) => {
    const key = field.split('.').at(-1)!;
    const p = onlyProblem(text, field, key);
    expect(p.message).toBe(`unknown field "${key}"`);
    expect(p.fix).toBe(`remove it or check its spelling (allowed here: ${allowed})`);
  });

  it('a document that is not a mapping', () => {
    const p = onlyProblem(doc('- spine1'), '(document)', '- spine1');
    expect(p.message).toBe('must be object');
  });

  it('YAML syntax errors are located', () => {
    const problems = problemsOf(doc('routers:', '  spine1: { asn: 65000', 'bfd: x'));
    expect(problems[0]).toMatchObject({ file: FILE, field: '(yaml)' });
  });
});

describe('parseIntent: every problem at once', () => {
  it('reports every problem in the file, each located, in one error', () => {
    const text = doc(
      'routers:',
      '  spine1: { asn: 0, loopbacks: [10.255.0.1/32] }',
      '  spine9: { asn: 65000 }',
      '  leaf1: { loopbacks: [10.255.0.1/32], max-paths: 100 }',
      '  host1: { max-paths: 2 }',
      'bfd: { required: true }',
      'failover: { grey: { loss-budget-ms: 0 } }',
      'tolerance: { figures: 20 }',
    );
    const err = (() => {
      try {
        parseIntent(text, FILE, TOPO);
      } catch (e) {
        return e as InvalidInputError;
      }
      throw new Error('expected a throw');
    })();
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.problems.map((p) => [p.field, p.line])).toEqual([
      ['routers.spine1.asn', 2],
      ['routers.spine9', 3],
      ['routers.leaf1.loopbacks[0]', 4],
      ['routers.leaf1.max-paths', 4],
      ['routers.host1.max-paths', 5],
      ['bfd', 6],
      ['failover.grey.loss-budget-ms', 7],
      ['tolerance.figures', 8],
    ]);
    expect(err.message).toMatch(/^8 problems in \/labs\/t\/t\.intent\.yml:\n/);
    const at = posOf(text, '10.255.0.1/32', 1);
    expect(err.message).toContain(`${FILE}:${at.line}:${at.column}: routers.leaf1.loopbacks[0]: loopback 10.255.0.1/32 is already declared by router spine1\n    fix: give every router its own loopback /32`);
  });
});

describe('loadIntent', () => {
  it('is undefined when the lab has no sidecar; reads it, and reports a broken one against its own path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-intent-'));
    try {
      const topo = { ...TOPO, file: join(dir, 'lab.clab.yml'), dir };
      expect(await loadIntent(topo)).toBeUndefined();
      await writeFile(join(dir, 'lab.intent.yml'), VALID);
      const intent = await loadIntent(topo);
      expect(intent?.file).toBe(join(dir, 'lab.intent.yml'));
      expect(intent?.routers.host1?.maxPaths).toBe(1);
      await writeFile(join(dir, 'lab.intent.yml'), doc('multipath: { hash: l7 }'));
      const err = await loadIntent(topo).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).problems.map((p) => [p.file, p.field])).toEqual([[join(dir, 'lab.intent.yml'), 'multipath.hash']]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable sidecar as a problem, not a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-intent-'));
    try {
      await mkdir(join(dir, 'lab.intent.yml')); // a directory: exists but cannot be read as a file
      const err = await loadIntent({ ...TOPO, file: join(dir, 'lab.clab.yml'), dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).problems[0]).toMatchObject({ field: '(file)', message: expect.stringContaining('EISDIR') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
