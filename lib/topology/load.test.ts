import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { isFrrImage, loadTopology, parseTopology } from './load.ts';
import type { LabNode, Topology } from '../model/topology.ts';
import { doc, posOf } from '../../fixtures/yaml-text.ts';
import { problemAt, topologyProblems } from '../../fixtures/topology-problems.ts';

const DIR = '/labs/t';
const FILE = `${DIR}/t.clab.yml`;


const problemsOf = (text: string, exists?: (p: string) => boolean) => topologyProblems(text, FILE, exists);

const node = (t: Topology, name: string): LabNode => {
  const n = t.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name} in ${t.nodes.map((x) => x.name).join(', ')}`);
  return n;
};

const bindsByNodePath = (n: LabNode) => Object.fromEntries(n.binds.map((b) => [b.nodePath, b.hostPath]));

describe('parseTopology: valid labs', () => {
  it('loads a minimal lab of two hosts and one link', () => {
    const t = parseTopology(
      doc(
        'name: mini',
        'topology:',
        '  nodes:',
        '    a: { kind: linux, image: alpine }',
        '    b: { kind: linux, image: alpine }',
        '  links:',
        '    - endpoints: ["a:eth1", "b:eth1"]',
      ),
      FILE,
    );
    expect(t.name).toBe('mini');
    expect(t.file).toBe(FILE);
    expect(t.dir).toBe(DIR);
    expect(t.nodes.map((n) => n.name)).toEqual(['a', 'b']);
    for (const n of t.nodes) {
      expect(n).toMatchObject({ kind: 'linux', image: 'alpine', role: 'host', binds: [], exec: [], labels: {}, sysctls: {} });
      expect(n.frr).toBeUndefined();
    }
    expect(t.links).toEqual([{ endpoints: [{ node: 'a', iface: 'eth1' }, { node: 'b', iface: 'eth1' }] }]);
  });

  it('accepts a node with no settings at all when defaults give the kind', () => {
    const t = parseTopology(doc('name: d', 'topology:', '  defaults: { kind: linux }', '  nodes:', '    a:', '    b: {}'), FILE);
    expect(t.nodes.map((n) => [n.name, n.kind])).toEqual([
      ['a', 'linux'],
      ['b', 'linux'],
    ]);
  });

  it('reads the extended veth form with per-end addresses, and mtu', () => {
    const t = parseTopology(
      doc(
        'name: ext',
        'topology:',
        '  nodes:',
        '    a: { kind: linux }',
        '    b: { kind: linux }',
        '  links:',
        '    - type: veth',
        '      mtu: 9000',
        '      endpoints:',
        '        - { node: a, interface: eth1, ipv4: 10.0.0.0/31 }',
        '        - node: b',
        '          interface: eth2',
        '          ipv4: 10.0.0.1/31',
        '          ipv6: 2001:db8::1/127',
      ),
      FILE,
    );
    expect(t.links).toEqual([
      {
        mtu: 9000,
        endpoints: [
          { node: 'a', iface: 'eth1', ipv4: '10.0.0.0/31' },
          { node: 'b', iface: 'eth2', ipv4: '10.0.0.1/31', ipv6: '2001:db8::1/127' },
        ],
      },
    ]);
  });

  it('gives each end of a short-form link its entry of the link-level ipv4/ipv6 lists', () => {
    const t = parseTopology(
      doc(
        'name: lists',
        'topology:',
        '  nodes:',
        '    a: { kind: linux }',
        '    b: { kind: linux }',
        '  links:',
        '    - endpoints: ["a:eth1", "b:eth1"]',
        '      ipv4: [192.0.2.0/31, 192.0.2.1/31]',
        '      ipv6: [2001:db8::/127, 2001:db8::1/127]',
        '    - endpoints: ["a:eth2", "b:eth2"]',
      ),
      FILE,
    );
    expect(t.links[0]!.endpoints).toEqual([
      { node: 'a', iface: 'eth1', ipv4: '192.0.2.0/31', ipv6: '2001:db8::/127' },
      { node: 'b', iface: 'eth1', ipv4: '192.0.2.1/31', ipv6: '2001:db8::1/127' },
    ]);
    expect(t.links[1]!.endpoints.every((e) => e.ipv4 === undefined && e.ipv6 === undefined)).toBe(true);
    expect(t.links[1]).not.toHaveProperty('mtu');
  });

  it('exposes locate() for later error messages', () => {
    const text = doc('name: loc', 'topology:', '  nodes:', '    a: { kind: linux }', '    b: { kind: linux }', '  links:', '    - endpoints: ["a:eth1", "b:eth1"]');
    const t = parseTopology(text, FILE);
    expect(t.locate(['topology', 'links', 0, 'endpoints', 1])).toEqual(posOf(text, '"b:eth1"'));
  });
});

describe('parseTopology: defaults → kinds → groups → node', () => {
  const text = doc(
    'name: layers',
    'topology:',
    '  defaults:',
    '    kind: linux',
    '    image: alpine:defaults',
    '    labels: { owner: defaults, layer: defaults }',
    '    sysctls: { net.ipv4.ip_forward: 0, net.core.x: defaults }',
    '    binds:',
    '      - shared/motd:/etc/motd',
    '      - defaults/app.conf:/etc/app.conf',
    '    exec:',
    '      - echo defaults',
    '  kinds:',
    '    linux:',
    '      image: alpine:kind',
    '      labels: { layer: kind, from-kind: "yes" }',
    '      sysctls: { net.core.x: kind }',
    '      binds:',
    '        - kind/app.conf:/etc/app.conf',
    '      exec:',
    '        - echo kind',
    '  groups:',
    '    edge:',
    '      image: alpine:group',
    '      labels: { layer: group }',
    '      sysctls: { net.ipv4.ip_forward: 1 }',
    '      exec:',
    '        - echo group',
    '  nodes:',
    '    plain: {}',
    '    grouped: { group: edge }',
    '    own:',
    '      group: edge',
    '      image: alpine:own',
    '      labels: { layer: own }',
    '      sysctls: { net.core.x: own }',
    '      binds:',
    '        - own/app.conf:/etc/app.conf:ro',
    '      exec:',
    '        - echo own',
  );
  const t = parseTopology(text, FILE);

  it('takes the image from the most specific layer that sets one', () => {
    expect(node(t, 'plain').image).toBe('alpine:kind');
    expect(node(t, 'grouped').image).toBe('alpine:group');
    expect(node(t, 'own').image).toBe('alpine:own');
  });

  it('merges labels key by key, the more specific layer winning', () => {
    expect(node(t, 'plain').labels).toEqual({ owner: 'defaults', layer: 'kind', 'from-kind': 'yes' });
    expect(node(t, 'grouped').labels).toEqual({ owner: 'defaults', layer: 'group', 'from-kind': 'yes' });
    expect(node(t, 'own').labels).toEqual({ owner: 'defaults', layer: 'own', 'from-kind': 'yes' });
  });

  it('merges sysctls key by key, as strings', () => {
    expect(node(t, 'plain').sysctls).toEqual({ 'net.ipv4.ip_forward': '0', 'net.core.x': 'kind' });
    expect(node(t, 'grouped').sysctls).toEqual({ 'net.ipv4.ip_forward': '1', 'net.core.x': 'kind' });
    expect(node(t, 'own').sysctls).toEqual({ 'net.ipv4.ip_forward': '1', 'net.core.x': 'own' });
  });

  it('merges binds by node path, the more specific layer winning, relative sources under the file’s directory', () => {
    expect(bindsByNodePath(node(t, 'plain'))).toEqual({ '/etc/motd': `${DIR}/shared/motd`, '/etc/app.conf': `${DIR}/kind/app.conf` });
    expect(bindsByNodePath(node(t, 'grouped'))).toEqual({ '/etc/motd': `${DIR}/shared/motd`, '/etc/app.conf': `${DIR}/kind/app.conf` });
    expect(bindsByNodePath(node(t, 'own'))).toEqual({ '/etc/motd': `${DIR}/shared/motd`, '/etc/app.conf': `${DIR}/own/app.conf` });
    expect(node(t, 'own').binds.find((b) => b.nodePath === '/etc/app.conf')?.mode).toBe('ro');
  });

  it('takes exec lines from the most specific layer only (no concatenation)', () => {
    expect(node(t, 'plain').exec).toEqual([['echo', 'kind']]);
    expect(node(t, 'grouped').exec).toEqual([['echo', 'group']]);
    expect(node(t, 'own').exec).toEqual([['echo', 'own']]);
  });

  it('leaves absolute bind sources alone', () => {
    const abs = parseTopology(doc('name: abs', 'topology:', '  nodes:', '    a:', '      kind: linux', '      binds: ["/srv/data:/data", "rel/data:/rel"]'), FILE);
    expect(bindsByNodePath(node(abs, 'a'))).toEqual({ '/data': '/srv/data', '/rel': `${DIR}/rel/data` });
  });
});

describe('isFrrImage', () => {
  it.each(['quay.io/frrouting/frr:8.4.1', 'frrouting/frr', 'frrouting/frr:v8.4.0', 'frr', 'frr:9.1', 'registry.local:5000/frr:8.4', 'frr@sha256:0123abcd', 'ghcr.io/acme/frr-ovn:1.0'])(
    'recognises %j',
    (image) => {
      expect(isFrrImage(image)).toBe(true);
    },
  );
  it.each(['alpine', 'alpine:3.19', 'nicolaka/netshoot', 'ghcr.io/acme/frrish:1', 'registry.local:5000/alpine', 'library/ubuntu:frr'])('does not take %j for FRR', (image) => {
    expect(isFrrImage(image)).toBe(false);
  });
});

describe('parseTopology: routers and hosts', () => {
  const withBind = (image: string, label?: string) =>
    `{ kind: linux, image: ${image}${label ? `, labels: { netproof.role: ${label} }` : ''}, binds: ["n/frr.conf:/etc/frr/frr.conf"] }`;

  it.each(['quay.io/frrouting/frr:8.4.1', 'frrouting/frr', 'frr'])('a node with image %s is an FRR router', (image) => {
    const t = parseTopology(doc('name: r', 'topology:', '  nodes:', `    r1: ${withBind(image)}`), FILE);
    expect(node(t, 'r1').role).toBe('router');
    expect(node(t, 'r1').frr).toEqual({ config: `${DIR}/n/frr.conf`, daemons: undefined, daemonConfigs: {} });
  });

  it.each(['spine', 'leaf', 'compute'])('the label netproof.role: %s makes an FRR router whatever the image', (tier) => {
    const t = parseTopology(doc('name: r', 'topology:', '  nodes:', `    r1: ${withBind('alpine', tier)}`), FILE);
    expect(node(t, 'r1')).toMatchObject({ role: 'router', tier });
  });

  it('the label netproof.role: host makes a host', () => {
    const t = parseTopology(doc('name: h', 'topology:', '  nodes:', '    h1: { kind: linux, image: alpine, labels: { netproof.role: host } }'), FILE);
    expect(node(t, 'h1')).toMatchObject({ role: 'host', tier: 'host' });
    expect(node(t, 'h1').frr).toBeUndefined();
  });

  it('a plain alpine node is a host with no tier', () => {
    const t = parseTopology(doc('name: h', 'topology:', '  nodes:', '    h1: { kind: linux, image: alpine }'), FILE);
    expect(node(t, 'h1').role).toBe('host');
    expect(node(t, 'h1').tier).toBeUndefined();
  });

  it('finds the daemons file among the binds', () => {
    const t = parseTopology(
      doc('name: r', 'topology:', '  nodes:', '    r1:', '      kind: linux', '      image: frr', '      binds: ["r1/frr.conf:/etc/frr/frr.conf", "r1/daemons:/etc/frr/daemons"]'),
      FILE,
    );
    expect(node(t, 'r1').frr).toEqual({ config: `${DIR}/r1/frr.conf`, daemons: `${DIR}/r1/daemons`, daemonConfigs: {} });
  });

  it('finds per-daemon files among the binds, each for its own daemon, beside frr.conf or instead of it', () => {
    const bound = (binds: string) => node(parseTopology(doc('name: r', 'topology:', '  nodes:', '    r1:', '      kind: linux', '      image: frr', `      binds: [${binds}]`), FILE), 'r1').frr;
    expect(bound('"r1/frr.conf:/etc/frr/frr.conf", "r1/bgpd.conf:/etc/frr/bgpd.conf"')).toEqual({ config: `${DIR}/r1/frr.conf`, daemons: undefined, daemonConfigs: { bgpd: `${DIR}/r1/bgpd.conf` } });
    expect(bound('"r1/zebra.conf:/etc/frr/zebra.conf", "r1/staticd.conf:/etc/frr/staticd.conf"')).toEqual({ config: undefined, daemons: undefined, daemonConfigs: { zebra: `${DIR}/r1/zebra.conf`, staticd: `${DIR}/r1/staticd.conf` } });
    // vtysh.conf and files of no daemon are not daemon configuration.
    expect(bound('"r1/frr.conf:/etc/frr/frr.conf", "r1/vtysh.conf:/etc/frr/vtysh.conf", "r1/evild.conf:/etc/frr/evild.conf"')?.daemonConfigs).toEqual({});
  });

  it('uses startup-config when frr.conf is not bound', () => {
    const t = parseTopology(doc('name: r', 'topology:', '  nodes:', '    r1: { kind: linux, image: frr, startup-config: configs/r1.conf }'), FILE);
    expect(node(t, 'r1').frr?.config).toBe(`${DIR}/configs/r1.conf`);
  });

  it('reports a startup-config that does not exist', () => {
    const text = doc('name: r', 'topology:', '  nodes:', '    r1: { kind: linux, image: frr, startup-config: configs/r1.conf }');
    const problems = problemsOf(text, (p) => !p.endsWith('r1.conf'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'topology.nodes.r1.startup-config', ...posOf(text, 'startup-config') });
    expect(problems[0]!.message).toContain(`${DIR}/configs/r1.conf`);
  });

  it('refuses a router with neither a frr.conf bind nor a startup-config', () => {
    const text = doc('name: r', 'topology:', '  nodes:', '    r1: { kind: linux, image: quay.io/frrouting/frr:8.4.1 }', '    r2: { kind: linux, image: alpine, labels: { netproof.role: leaf } }');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(2);
    for (const name of ['r1', 'r2']) {
      const p = problemAt(problems, `topology.nodes.${name}`);
      expect(p).toMatchObject({ file: FILE, ...posOf(text, `${name}:`) });
      expect(p.message).toMatch(/FRR router.*no configuration/);
      expect(p.fix).toContain(`${name}/frr.conf:/etc/frr/frr.conf`);
    }
  });
});

describe('parseTopology: every problem at once, located, with a fix', () => {
  // Fifteen distinct mistakes that all pass the schema; each must be reported, in one error.
  const text = doc(
    'name: "bad.lab"',
    'topology:',
    '  groups:',
    '    edge:',
    '      kind: linux',
    '  nodes:',
    '    r1:',
    '      kind: linux',
    '      image: alpine',
    '      binds:',
    '        - present/ok:/etc/ok',
    '        - missing/file:/etc/file',
    '      exec:',
    '        - "ip link | grep eth1"',
    '        - "echo $HOME"',
    '        - "ls /tmp/*"',
    '        - "echo hi > /tmp/x"',
    '        - "ip link set eth1 up"',
    '    r2:',
    '      kind: bridge',
    '    r3:',
    '      group: core',
    '      kind: linux',
    '    bad.node:',
    '      kind: linux',
    '  links:',
    '    - endpoints: ["r1:eth1", "ghost:eth1"]',
    '    - endpoints: ["r1:eth1", "r3:eth1"]',
    '    - endpoints: ["r1:averyveryverylongname", "r3:eth0"]',
    '    - endpoints: ["r3:lo", "r1:eth2"]',
    '    - endpoints: ["r1:eth3", "r1:eth4"]',
  );
  const exists = (p: string) => !p.includes('missing');
  const problems = problemsOf(text, exists);

  it('reports all fifteen in one InvalidInputError', () => {
    expect(problems).toHaveLength(15);
    for (const p of problems) {
      expect(p.file).toBe(FILE);
      expect(p.message.length).toBeGreaterThan(0);
      expect(p.fix.length).toBeGreaterThan(0);
    }
  });

  it('the error message counts them and lists every one as file:line:column', () => {
    let err: InvalidInputError | undefined;
    try {
      parseTopology(text, FILE, { exists });
    } catch (e) {
      err = e as InvalidInputError;
    }
    expect(err?.message).toMatch(new RegExp(`^15 problems in ${FILE}`));
    for (const p of problems) expect(err?.message).toContain(`${FILE}:${p.line}:${p.column}: ${p.field}: ${p.message}`);
  });

  it('a lab name with a dot', () => {
    expect(problemAt(problems, 'name')).toMatchObject({ ...posOf(text, 'name:'), message: expect.stringContaining('"bad.lab"') });
  });

  it('a bind source that does not exist (and only that one)', () => {
    const p = problemAt(problems, 'topology.nodes.r1.binds[1]');
    expect(p).toMatchObject(posOf(text, 'missing/file'));
    expect(p.message).toContain(`${DIR}/missing/file`);
    expect(p.message).toMatch(/does not exist/);
    expect(problems.some((x) => x.field === 'topology.nodes.r1.binds[0]')).toBe(false);
  });

  it.each([
    [0, '"ip link | grep eth1"', /operator "\|"/],
    [1, '"echo $HOME"', /variable \$HOME/],
    [2, '"ls /tmp/*"', /glob/],
    [3, '"echo hi > /tmp/x"', /operator ">"/],
  ])('exec line %i (%s) that needs a shell', (i, line, why) => {
    const p = problemAt(problems, `topology.nodes.r1.exec[${i}]`);
    expect(p).toMatchObject(posOf(text, line));
    expect(p.message).toMatch(why);
    expect(p.fix).toMatch(/plain command/);
  });

  it('a plain exec line is not reported', () => {
    expect(problems.some((p) => p.field === 'topology.nodes.r1.exec[4]')).toBe(false);
  });

  it('an unsupported kind, listing the supported ones', () => {
    const p = problemAt(problems, 'topology.nodes.r2.kind');
    expect(p).toMatchObject(posOf(text, 'kind: bridge'));
    expect(p.message).toMatch(/"bridge" is not supported.*supported: linux/);
  });

  it('an unknown group, listing the known ones', () => {
    const p = problemAt(problems, 'topology.nodes.r3.group');
    expect(p).toMatchObject(posOf(text, 'group: core'));
    expect(p.message).toContain('"core"');
    expect(p.fix).toContain('edge');
  });

  it('a node name with a dot', () => {
    const p = problemAt(problems, 'topology.nodes.bad.node');
    expect(p).toMatchObject(posOf(text, 'bad.node:'));
    expect(p.message).toContain('"bad.node"');
  });

  it('a link to an unknown node, listing the known nodes', () => {
    const p = problemAt(problems, 'topology.links[0].endpoints[1]');
    expect(p).toMatchObject(posOf(text, '"ghost:eth1"'));
    expect(p.message).toContain('"ghost"');
    expect(p.message).toContain('nodes: r1, r2, r3, bad.node');
    expect(p.fix).toContain('topology.nodes');
  });

  it('the same interface used by two links', () => {
    const p = problemAt(problems, 'topology.links[1].endpoints[0]');
    expect(p).toMatchObject(posOf(text, '"r1:eth1"', 1));
    expect(p.message).toMatch(/r1:eth1 is already used by topology\.links\[0\]/);
  });

  it('an interface name longer than 15 characters', () => {
    const p = problemAt(problems, 'topology.links[2].endpoints[0]');
    expect(p).toMatchObject(posOf(text, '"r1:averyveryverylongname"'));
    expect(p.message).toMatch(/"averyveryverylongname" is not a valid Linux interface name/);
  });

  it('eth0, the management interface', () => {
    const p = problemAt(problems, 'topology.links[2].endpoints[1]');
    expect(p).toMatchObject(posOf(text, '"r3:eth0"'));
    expect(p.message).toMatch(/"eth0" is reserved/);
  });

  it('lo', () => {
    const p = problemAt(problems, 'topology.links[3].endpoints[0]');
    expect(p).toMatchObject(posOf(text, '"r3:lo"'));
    expect(p.message).toMatch(/"lo" is reserved/);
  });

  it('a link with both ends on one node', () => {
    const p = problemAt(problems, 'topology.links[4].endpoints');
    expect(p).toMatchObject(posOf(text, 'endpoints', 4));
    expect(p.message).toMatch(/both ends are on node r1/);
  });
});

describe('parseTopology: shape errors (schema), all at once', () => {
  const text = doc(
    'name: shape',
    'topology:',
    '  nodes:',
    '    a: { kind: linux }',
    '    b: { kind: linux }',
    '  links:',
    '    - endpoints: ["a:eth1", "b:eth1"]',
    '      mtu: 1500.5',
    '    - endpoints: ["a:eth2", "b:eth2"]',
    '      mtu: 70000',
    '    - endpoints: ["a:eth3", "b:eth3"]',
    '      mtu: 10',
    '    - endpoints: ["a-eth4", "b:eth4"]',
    '  typo: 1',
    'extra: true',
  );
  const problems = problemsOf(text);

  it('reports all six', () => {
    expect(problems).toHaveLength(6);
  });

  it('an unknown top-level key, which containerlab rejects too', () => {
    const p = problemAt(problems, 'extra');
    expect(p).toMatchObject(posOf(text, 'extra:'));
    expect(p.message).toMatch(/unknown field "extra".*containerlab/);
  });

  it('an unknown key under topology', () => {
    expect(problemAt(problems, 'topology.typo')).toMatchObject({ ...posOf(text, 'typo:'), message: expect.stringContaining('"typo"') });
  });

  it('a non-integer mtu', () => {
    expect(problemAt(problems, 'topology.links[0].mtu')).toMatchObject({ ...posOf(text, 'mtu: 1500.5'), message: expect.stringMatching(/integer/) });
  });

  it('an mtu above 65535 and one below 68', () => {
    const high = problemAt(problems, 'topology.links[1].mtu');
    expect(high).toMatchObject({ ...posOf(text, 'mtu: 70000'), message: expect.stringContaining('65535') });
    const low = problemAt(problems, 'topology.links[2].mtu');
    expect(low).toMatchObject({ ...posOf(text, 'mtu: 10'), message: expect.stringContaining('68') });
    expect(low.fix).toMatch(/68 and 65535/);
  });

  it('an endpoint that is neither "node:interface" nor an object, once', () => {
    const p = problemAt(problems, 'topology.links[3].endpoints[0]');
    expect(p).toMatchObject(posOf(text, '"a-eth4"'));
    expect(p.fix).toContain('leaf1:eth1');
  });

  it('a missing required field', () => {
    const t = doc('name: nothing', 'topology:', '  links: []');
    const ps = problemsOf(t);
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ field: 'topology', ...posOf(t, 'topology:'), message: expect.stringContaining('"nodes"') });
  });
});

describe('parseTopology: YAML syntax errors', () => {
  it('reports every syntax error at its position, and nothing else', () => {
    const text = doc('name: dup', 'topology:', '  nodes:', '    a: { kind: linux }', '    a: { kind: linux }', '  links: []', '  links: []');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(2);
    expect(problems.every((p) => p.field === '(yaml)' && p.fix === 'correct the YAML syntax')).toBe(true);
    expect(problems.map((p) => ({ line: p.line, column: p.column }))).toEqual([posOf(text, 'a:', 1), posOf(text, 'links:', 1)]);
  });

  it('reports an unclosed flow mapping', () => {
    const problems = problemsOf(doc('name: x', 'topology:', '  nodes:', '    a: { kind: linux', '  links: []'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.field === '(yaml)')).toBe(true);
  });
});

describe('parseTopology: addresses', () => {
  it('refuses link addresses without a prefix length or that are not addresses', () => {
    const text = doc(
      'name: ip',
      'topology:',
      '  nodes:',
      '    a: { kind: linux }',
      '    b: { kind: linux }',
      '  links:',
      '    - endpoints: ["a:eth1", "b:eth1"]',
      '      ipv4: [10.0.0.0, 10.0.0.300/31]',
      '      ipv6: [2001:db8::1/64, "fe80::zz/64"]',
    );
    const problems = problemsOf(text);
    expect(problems).toHaveLength(3);
    const first = problemAt(problems, 'topology.links[0].endpoints[0]');
    expect(first.message).toContain('"10.0.0.0"');
    const second = problems.filter((p) => p.field === 'topology.links[0].endpoints[1]');
    expect(second.map((p) => p.message)).toEqual([expect.stringContaining('"10.0.0.300/31"'), expect.stringContaining('"fe80::zz/64"')]);
  });
});

describe('loadTopology', () => {
  it('reads a file and resolves its binds against the file’s directory, checking they exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-load-'));
    try {
      const file = join(dir, 'lab.clab.yml');
      await writeFile(join(dir, 'present.conf'), '');
      await writeFile(file, doc('name: files', 'topology:', '  nodes:', '    a:', '      kind: linux', '      binds: ["present.conf:/etc/a", "absent.conf:/etc/b"]'));
      const err = await loadTopology(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      const problems = (err as InvalidInputError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ field: 'topology.nodes.a.binds[1]', message: expect.stringContaining(join(dir, 'absent.conf')) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable file as a problem, not a crash', async () => {
    const err = await loadTopology('/nonexistent/netproof/lab.clab.yml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).problems[0]).toMatchObject({ field: '(file)', message: expect.stringContaining('ENOENT') });
  });
});

describe('parseTopology: where inherited settings are blamed', () => {
  it('an unsupported kind set by the node’s group is reported at the node’s group field', () => {
    const text = doc('name: k', 'topology:', '  groups:', '    g: { kind: bridge }', '  nodes:', '    a: { group: g }');
    const p = problemAt(problemsOf(text), 'topology.nodes.a.group');
    expect(p).toMatchObject({ ...posOf(text, 'group: g'), message: expect.stringMatching(/"bridge" is not supported/) });
  });

  it('an unsupported kind from topology.defaults is reported at the node, not at a group it does not have', () => {
    const text = doc('name: k', 'topology:', '  defaults: { kind: bridge }', '  nodes:', '    a: {}');
    const p = problemAt(problemsOf(text), 'topology.nodes.a');
    expect(p).toMatchObject({ ...posOf(text, 'a:'), message: expect.stringMatching(/"bridge" is not supported/) });
  });

  it('a bad exec line inherited from a group is reported at the node', () => {
    const text = doc('name: e', 'topology:', '  groups:', '    g: { kind: linux, exec: ["echo a | tee b"] }', '  nodes:', '    a: { group: g }');
    const p = problemAt(problemsOf(text), 'topology.nodes.a');
    expect(p).toMatchObject({ ...posOf(text, 'a: {'), message: expect.stringContaining('"echo a | tee b"') });
  });

  it('a group named like a JavaScript object member is still an unknown group', () => {
    const text = doc('name: g', 'topology:', '  groups:', '    edge: { kind: linux }', '  nodes:', '    a: { kind: linux, group: constructor }', '    b: { kind: linux, group: toString }');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(2);
    expect(problemAt(problems, 'topology.nodes.a.group').message).toContain('"constructor"');
    expect(problemAt(problems, 'topology.nodes.b.group').message).toContain('"toString"');
  });
});

describe('parseTopology: malformed binds', () => {
  it.each([
    ['no node path', 'just-a-path', /not host-path:node-path/],
    ['too many fields', 'a:/b:ro:extra', /not host-path:node-path/],
    ['an empty host path', ':/etc/x', /not host-path:node-path/],
    ['a relative node path', 'a:etc/x', /node path that is not absolute/],
  ])('refuses a bind with %s', (_what, spec, why) => {
    const text = doc('name: b', 'topology:', '  nodes:', '    a:', '      kind: linux', `      binds: ["${spec}"]`);
    const p = problemAt(problemsOf(text), 'topology.nodes.a.binds[0]');
    expect(p).toMatchObject({ ...posOf(text, `"${spec}"`), message: expect.stringMatching(why), fix: expect.stringContaining('host-path:node-path') });
  });
});
