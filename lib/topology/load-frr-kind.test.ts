// containerlab's frr kind (containerlab PR 3382): FRR's configuration from startup-config (a file,
// or the configuration itself written in the clab file), its daemons from extras.frr.daemons
// (every daemon when omitted). Once loaded, a kind: frr router is the kind: linux router with
// frr.conf and daemons bound into /etc/frr that it replaces.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, InvalidInputError } from '../errors.ts';
import { FRR_KIND_DEFAULT_CONFIG, FRR_KIND_DEFAULT_DAEMONS, loadTopology, parseTopology } from './load.ts';
import { FRR_DAEMONS, KNOWN_DAEMONS } from './frr-daemon-names.ts';
import { listedDaemons } from '../render/frr-daemons.ts';
import type { LabNode, Topology } from '../model/topology.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { doc, posOf } from '../../fixtures/yaml-text.ts';
import { problemAt, topologyProblems } from '../../fixtures/topology-problems.ts';

const DIR = '/labs/k';
const FILE = `${DIR}/k.clab.yml`;

const problemsOf = (text: string, exists?: (p: string) => boolean) => topologyProblems(text, FILE, exists);

const node = (t: Topology, name: string): LabNode => {
  const n = t.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name} in ${t.nodes.map((x) => x.name).join(', ')}`);
  return n;
};

const lab = (...nodeLines: string[]) => doc('name: k', 'topology:', '  nodes:', ...nodeLines);

describe('kind: frr is a router, wherever the kind is set', () => {
  it.each([
    ['the node', lab('    r1: { kind: frr, startup-config: r1/frr.conf }')],
    ['its group', doc('name: k', 'topology:', '  groups:', '    rt: { kind: frr }', '  nodes:', '    r1: { group: rt, startup-config: r1/frr.conf }')],
    ['topology.defaults', doc('name: k', 'topology:', '  defaults: { kind: frr }', '  nodes:', '    r1: { startup-config: r1/frr.conf }')],
    ['topology.defaults, with settings under topology.kinds', doc('name: k', 'topology:', '  defaults: { kind: frr }', '  kinds:', '    frr: { startup-config: r1/frr.conf }', '  nodes:', '    r1: {}')],
  ])('set by %s', (_where, text) => {
    const r1 = node(parseTopology(text, FILE), 'r1');
    expect(r1).toMatchObject({ kind: 'frr', role: 'router' });
    expect(r1.frr).toEqual({ config: `${DIR}/r1/frr.conf`, daemonNames: FRR_KIND_DEFAULT_DAEMONS, daemonConfigs: {} });
  });

  it('whatever its image (it is not an FRR image by name) and also as the alias frrouting', () => {
    const t = parseTopology(lab('    r1: { kind: frr, image: registry.example/routing:1, startup-config: r1.conf }', '    r2: { kind: frrouting, startup-config: r2.conf }'), FILE);
    expect(node(t, 'r1')).toMatchObject({ role: 'router', image: 'registry.example/routing:1' });
    expect(node(t, 'r2')).toMatchObject({ kind: 'frrouting', role: 'router', frr: { config: `${DIR}/r2.conf` } });
  });

  it('kind: linux stays what it was: a host unless its image or label makes it a router', () => {
    const t = parseTopology(lab('    h1: { kind: linux, image: alpine }'), FILE);
    expect(node(t, 'h1')).toMatchObject({ role: 'host', frr: undefined });
  });
});

describe('extras.frr.daemons', () => {
  const daemonsOf = (extras: string) => node(parseTopology(lab('    r1:', '      kind: frr', '      startup-config: r1.conf', ...extras.split('\n')), FILE), 'r1').frr?.daemonNames;

  it('omitted, or an empty list, is every daemon (as containerlab reads it) but sharpd, FRR’s test daemon Debian does not ship', () => {
    expect(daemonsOf('')).toEqual(FRR_KIND_DEFAULT_DAEMONS);
    expect(daemonsOf('      extras: { frr: { daemons: [] } }')).toEqual(FRR_KIND_DEFAULT_DAEMONS);
    expect(daemonsOf('      extras: {}')).toEqual(FRR_KIND_DEFAULT_DAEMONS);
    expect(FRR_KIND_DEFAULT_DAEMONS).toEqual(FRR_DAEMONS.filter((d) => d !== 'sharpd'));
    expect(FRR_DAEMONS).toEqual(['zebra', 'staticd', ...KNOWN_DAEMONS]);
  });

  it('sharpd named is run like any other daemon', () => {
    expect(daemonsOf('      extras: { frr: { daemons: [sharpd] } }')).toEqual(['zebra', 'staticd', 'sharpd']);
  });

  it('named, is exactly those, in FRR’s order, after zebra and staticd which FRR always starts', () => {
    expect(daemonsOf('      extras: { frr: { daemons: [bfdd, bgpd] } }')).toEqual(['zebra', 'staticd', 'bgpd', 'bfdd']);
    // containerlab accepts the daemons FRR always starts; they change nothing.
    expect(daemonsOf('      extras: { frr: { daemons: [ospfd, zebra, mgmtd, watchfrr] } }')).toEqual(['zebra', 'staticd', 'ospfd']);
  });

  it('comes whole from the first layer that has extras: node, group, kind, defaults (containerlab’s GetNodeExtras)', () => {
    const text = doc(
      'name: k',
      'topology:',
      '  defaults: { extras: { frr: { daemons: [isisd] } } }',
      '  kinds:',
      '    frr: { extras: { frr: { daemons: [ripd] } } }',
      '  groups:',
      '    rt: { kind: frr, extras: { frr: { daemons: [ospfd] } } }',
      '  nodes:',
      '    own: { group: rt, startup-config: a.conf, extras: { frr: { daemons: [bgpd] } } }',
      '    grouped: { group: rt, startup-config: a.conf }',
      '    kinded: { kind: frr, startup-config: a.conf }',
      '    defaulted: { kind: frrouting, startup-config: a.conf }',
    );
    const t = parseTopology(text, FILE);
    const named = (n: string) => node(t, n).frr!.daemonNames!.slice(2);
    expect([named('own'), named('grouped'), named('kinded'), named('defaulted')]).toEqual([['bgpd'], ['ospfd'], ['ripd'], ['isisd']]);
  });

  it('is ignored on kind: linux, as containerlab ignores it there: the daemons file (or the config) decides', () => {
    const t = parseTopology(lab('    r1: { kind: linux, image: frr, binds: ["r1/frr.conf:/etc/frr/frr.conf"], extras: { frr: { daemons: [bgpd] } } }'), FILE);
    expect(node(t, 'r1').frr).toEqual({ config: `${DIR}/r1/frr.conf`, daemonConfigs: {} });
  });

  it('refuses a daemon it does not know, at the entry, listing the names it knows (exit 2)', () => {
    const text = lab('    r1:', '      kind: frr', '      startup-config: r1.conf', '      extras:', '        frr:', '          daemons: [bgpd, bgdp, ospfd]');
    const p = problemAt(problemsOf(text), 'topology.nodes.r1.extras.frr.daemons[1]');
    expect(p).toMatchObject({ file: FILE, ...posOf(text, 'bgdp') });
    expect(p.message).toBe('extras.frr.daemons names unknown FRR daemon "bgdp"');
    expect(p.fix).toBe(`use the daemons netproof runs: ${[...KNOWN_DAEMONS, 'zebra', 'staticd', 'mgmtd', 'watchfrr'].join(', ')}`);
  });

  it('refuses pim6d, which containerlab accepts but netproof does not run', () => {
    const p = problemAt(problemsOf(lab('    r1: { kind: frr, startup-config: r1.conf, extras: { frr: { daemons: [pim6d] } } }')), 'topology.nodes.r1.extras.frr.daemons[0]');
    expect(p.message).toContain('"pim6d"');
  });

  it('blames an unknown daemon from a group at the node’s group: line, naming the group', () => {
    const text = doc('name: k', 'topology:', '  groups:', '    rt: { kind: frr, extras: { frr: { daemons: [nosuchd] } } }', '  nodes:', '    r1: { group: rt, startup-config: r1.conf }');
    const p = problemAt(problemsOf(text), 'topology.nodes.r1.group');
    expect(p).toMatchObject({ ...posOf(text, 'group: rt'), message: 'extras.frr.daemons (from group rt) names unknown FRR daemon "nosuchd"' });
  });

  it.each([
    ['a string', 'extras: { frr: { daemons: bgpd } }', 'topology.nodes.r1.extras.frr.daemons', 'must be array'],
    ['a list of non-strings', 'extras: { frr: { daemons: [1] } }', 'topology.nodes.r1.extras.frr.daemons[0]', 'must be string'],
    ['extras.frr not a map', 'extras: { frr: [bgpd] }', 'topology.nodes.r1.extras.frr', 'must be object'],
  ])('refuses %s where the list goes, through the schema, located (exit 2)', (_what, extras, field, message) => {
    const p = problemAt(problemsOf(lab(`    r1: { kind: frr, startup-config: r1.conf, ${extras} }`)), field);
    expect(p.message).toBe(message);
  });
});

describe('startup-config of a kind: frr node', () => {
  it('a file: its absolute path, relative to the clab file, checked to exist', () => {
    const t = parseTopology(lab('    r1: { kind: frr, startup-config: configs/r1.conf }', '    r2: { kind: frr, startup-config: /etc/lab/r2.conf }'), FILE, { exists: () => true });
    expect(node(t, 'r1').frr?.config).toBe(`${DIR}/configs/r1.conf`);
    expect(node(t, 'r2').frr?.config).toBe('/etc/lab/r2.conf');
    expect(node(t, 'r1').frr?.configText).toBeUndefined();
  });

  it('a file that does not exist: located at the field, naming the file and how to fix it (exit 2)', () => {
    const text = lab('    r1: { kind: frr, startup-config: configs/r1.conf }');
    const p = problemAt(problemsOf(text, (f) => !f.endsWith('r1.conf')), 'topology.nodes.r1.startup-config');
    expect(p).toMatchObject({ file: FILE, ...posOf(text, 'startup-config') });
    expect(p.message).toBe(`startup-config ${DIR}/configs/r1.conf does not exist`);
    expect(p.fix).toContain(`relative paths are relative to ${DIR}`);
  });

  it('a missing file set by a group is blamed at the node’s group: line', () => {
    const text = doc('name: k', 'topology:', '  groups:', '    rt: { kind: frr, startup-config: shared.conf }', '  nodes:', '    r1: { group: rt }');
    const p = problemAt(problemsOf(text, () => false), 'topology.nodes.r1.group');
    expect(p.message).toBe(`startup-config (from group rt) ${DIR}/shared.conf does not exist`);
  });

  it('the configuration itself (a value with a line break, containerlab’s rule): kept as text, no file checked', () => {
    const text = lab('    r1:', '      kind: frr', '      startup-config: |', '        frr defaults traditional', '        router ospf', '         network 10.0.0.0/8 area 0', '      extras: { frr: { daemons: [ospfd] } }');
    const checked: string[] = [];
    const r1 = node(parseTopology(text, FILE, { exists: (p) => (checked.push(p), false) }), 'r1');
    expect(r1.frr).toEqual({ configText: 'frr defaults traditional\nrouter ospf\n network 10.0.0.0/8 area 0\n', daemonNames: ['zebra', 'staticd', 'ospfd'], daemonConfigs: {} });
    expect(checked).toEqual([]);
  });

  it('none: containerlab’s minimal default configuration, as text (no error: the kind brings it)', () => {
    const r1 = node(parseTopology(lab('    r1: { kind: frr }'), FILE), 'r1');
    expect(r1.frr).toEqual({ configText: FRR_KIND_DEFAULT_CONFIG, daemonNames: FRR_KIND_DEFAULT_DAEMONS, daemonConfigs: {} });
    expect(FRR_KIND_DEFAULT_CONFIG).toMatch(/^frr defaults traditional$/m);
    expect(FRR_KIND_DEFAULT_CONFIG).not.toMatch(/^log stdout/m);
  });

  it.each([
    ['a number', 'startup-config: 42'],
    ['a list', 'startup-config: [r1.conf]'],
    ['a map', 'startup-config: { file: r1.conf }'],
    ['a boolean', 'startup-config: true'],
  ])('of the wrong type (%s): refused through the schema at the field (exit 2)', (_what, field) => {
    const text = lab(`    r1: { kind: frr, ${field} }`);
    const p = problemAt(problemsOf(text), 'topology.nodes.r1.startup-config');
    expect(p).toMatchObject({ message: 'must be string', fix: 'write a string here', ...posOf(text, 'startup-config') });
  });

  it('a URL: refused, netproof does not download', () => {
    const p = problemAt(problemsOf(lab('    r1: { kind: frr, startup-config: "https://example.com/r1.conf" }')), 'topology.nodes.r1.startup-config');
    expect(p.message).toContain('is a URL');
  });

  it('binds over the files the kind writes itself are refused, each with what to write instead', () => {
    const text = lab('    r1:', '      kind: frr', '      startup-config: r1/frr.conf', '      binds:', '        - r1/frr.conf:/etc/frr/frr.conf', '        - r1/daemons:/etc/frr/daemons', '        - r1/vtysh.conf:/etc/frr/vtysh.conf', '        - r1/bgpd.conf:/etc/frr/bgpd.conf');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(3);
    expect(problemAt(problems, 'topology.nodes.r1.binds[0]').fix).toContain('startup-config');
    expect(problemAt(problems, 'topology.nodes.r1.binds[1]').fix).toContain('extras.frr.daemons');
    expect(problemAt(problems, 'topology.nodes.r1.binds[2]').message).toContain('/etc/frr/vtysh.conf');
  });

  it('per-daemon files stay binds, each for its own daemon, as on kind: linux', () => {
    const t = parseTopology(lab('    r1: { kind: frr, startup-config: r1/frr.conf, binds: ["r1/bgpd.conf:/etc/frr/bgpd.conf"] }'), FILE);
    expect(node(t, 'r1').frr?.daemonConfigs).toEqual({ bgpd: `${DIR}/r1/bgpd.conf` });
  });

  it('inline configuration works on kind: linux routers too (netproof reads startup-config there)', () => {
    const r1 = node(parseTopology(lab('    r1:', '      kind: linux', '      image: frr', '      startup-config: |', '        router bgp 65001', '        !'), FILE), 'r1');
    expect(r1.frr).toEqual({ configText: 'router bgp 65001\n!\n', daemonConfigs: {} });
  });
});

describe('kind: frr and the kind: linux form it replaces load as the same router', () => {
  const LINUX = join(PROJECT_ROOT, 'fixtures/labs/frr-ospf/frr-ospf.clab.yml');
  const FRR = join(PROJECT_ROOT, 'fixtures/labs/frr-ospf-kind/frr-ospf-kind.clab.yml');

  /** What a router runs: its role, its integrated configuration's text, its daemons, its per-daemon files. */
  async function running(n: LabNode) {
    const f = n.frr!;
    const config = f.config !== undefined ? await readFile(f.config, 'utf8') : f.configText;
    const daemons = listedDaemons(f, f.daemons ? await readFile(f.daemons, 'utf8') : undefined, config);
    return { role: n.role, configFile: f.config, config, daemons, daemonConfigs: f.daemonConfigs };
  }

  it('every router: same role, same frr.conf file, same daemons, same per-daemon files; hosts unchanged', async () => {
    const [linux, frr] = await Promise.all([loadTopology(LINUX), loadTopology(FRR)]);
    expect(frr.nodes.map((n) => n.name)).toEqual(linux.nodes.map((n) => n.name));
    for (const l of linux.nodes) {
      const f = node(frr, l.name);
      expect(f.role, l.name).toBe(l.role);
      if (l.role === 'host') {
        expect(f, l.name).toMatchObject({ kind: 'linux', frr: undefined, exec: l.exec });
        continue;
      }
      expect(f.kind).toBe('frr');
      expect(await running(f), l.name).toEqual(await running(l));
    }
    expect((await running(node(frr, 'router1'))).daemons).toEqual(['zebra', 'staticd', 'ospfd']);
  });

  it('with the configuration written in the clab file, the same again (only the file name is gone)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-frr-kind-'));
    try {
      const conf = await readFile(join(PROJECT_ROOT, 'fixtures/labs/frr-ospf/router1/frr.conf'), 'utf8');
      const file = join(dir, 'inline.clab.yml');
      await writeFile(file, doc('name: inline', 'topology:', '  nodes:', '    router1:', '      kind: frr', '      extras: { frr: { daemons: [ospfd] } }', '      startup-config: |', ...conf.trimEnd().split('\n').map((l) => `        ${l}`)));
      const inline = node(await loadTopology(file), 'router1');
      const bound = node(await loadTopology(LINUX), 'router1');
      expect({ ...(await running(inline)), configFile: undefined }).toEqual({ ...(await running(bound)), configFile: undefined });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loadTopology checks a startup-config file on disk: a missing one is exit 2 naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-frr-kind-'));
    try {
      const file = join(dir, 'missing.clab.yml');
      await writeFile(file, doc('name: missing', 'topology:', '  nodes:', '    r1: { kind: frr, startup-config: r1/frr.conf }'));
      const err = await loadTopology(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).exitCode).toBe(EXIT.usage);
      expect((err as InvalidInputError).problems).toEqual([expect.objectContaining({ field: 'topology.nodes.r1.startup-config', message: `startup-config ${join(dir, 'r1/frr.conf')} does not exist` })]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
