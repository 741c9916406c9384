import { describe, expect, it } from 'vitest';
import { all, parseXml, svgDocumentProblems, type XmlElement } from '../../fixtures/xml-reader.ts';
import { compareNodeNames, layoutTopology, topologySvg, TOPOLOGY_COLORS, type TopologyPictureInput } from './topology-svg.ts';

const RED = TOPOLOGY_COLORS.failing;

const link = (a: string, b: string) => {
  const [an, ai] = a.split(':') as [string, string];
  const [bn, bi] = b.split(':') as [string, string];
  return { a: { node: an, iface: ai }, b: { node: bn, iface: bi } };
};

/** Two spines, two leaves, a host under each leaf. */
const fabric = (over: Partial<TopologyPictureInput> = {}): TopologyPictureInput => ({
  title: 'fabric',
  nodes: [
    { name: 'leaf1', tier: 'leaf' },
    { name: 'spine1', tier: 'spine' },
    { name: 'host1', tier: 'host' },
    { name: 'leaf2', tier: 'leaf' },
    { name: 'spine2', tier: 'spine' },
    { name: 'host2', tier: 'host' },
  ],
  links: [
    link('leaf1:eth1', 'spine1:eth1'),
    link('leaf1:eth2', 'spine2:eth1'),
    link('leaf2:eth1', 'spine1:eth2'),
    link('leaf2:eth2', 'spine2:eth2'),
    link('host1:eth1', 'leaf1:eth3'),
    link('host2:eth1', 'leaf2:eth3'),
  ],
  ...over,
});

const groups = (root: XmlElement, cls: string) => all(root, 'g').filter((g) => g.attrs.class === cls);
const titleOf = (g: XmlElement) => all(g, 'title')[0]?.text;
const texts = (root: XmlElement) => all(root, 'text').map((t) => t.text);

describe('topologySvg', () => {
  it('is one well-formed <svg> document, naming every node in a tooltip and a label', () => {
    const svg = topologySvg(fabric());
    expect(svgDocumentProblems(svg)).toEqual([]);
    const root = parseXml(svg);
    const nodes = groups(root, 'node');
    expect(nodes.map(titleOf).sort()).toEqual(['host1 (host)', 'host2 (host)', 'leaf1 (leaf)', 'leaf2 (leaf)', 'spine1 (spine)', 'spine2 (spine)']);
    for (const n of ['spine1', 'spine2', 'leaf1', 'leaf2', 'host1', 'host2']) expect(texts(root)).toContain(n);
    const links = groups(root, 'link');
    expect(links).toHaveLength(6);
    expect(links.map(titleOf)).toContain('leaf1:eth1 <-> spine1:eth1');
    expect(texts(root)).toContain('no failing node, link or session');
    expect(svg).not.toContain(RED); // no legend, nothing red
  });

  it('puts rows in tier order, superspine to vm, untiered last', () => {
    const l = layoutTopology({
      nodes: [
        { name: 'vm1', tier: 'vm' },
        { name: 'odd' },
        { name: 'c1', tier: 'compute' },
        { name: 'leaf1', tier: 'leaf' },
        { name: 'b1', tier: 'border' },
        { name: 'spine1', tier: 'spine' },
        { name: 'ss1', tier: 'superspine' },
        { name: 'central', tier: 'ovn-central' },
      ],
      links: [],
    });
    expect(l.rows).toEqual([['ss1'], ['spine1'], ['b1'], ['leaf1'], ['c1', 'central'], ['vm1'], ['odd']]);
    const y = (n: string) => l.nodes.get(n)!.y;
    expect(y('ss1')).toBeLessThan(y('spine1'));
    expect(y('spine1')).toBeLessThan(y('leaf1'));
    expect(y('c1')).toBe(y('central'));
    expect(y('vm1')).toBeLessThan(y('odd'));
  });

  it('draws the spine row above the leaf row in the picture itself', () => {
    const root = parseXml(topologySvg(fabric()));
    const rectY = (name: string) => Number(all(groups(root, 'node').find((g) => titleOf(g)?.startsWith(`${name} `))!, 'rect')[0]!.attrs.y);
    expect(rectY('spine1')).toBeLessThan(rectY('leaf1'));
    expect(rectY('leaf2')).toBeLessThan(rectY('host2'));
    expect(rectY('spine1')).toBe(rectY('spine2'));
  });

  it('orders a row by name, numbers compared as numbers, and spaces it evenly', () => {
    const names = ['leaf10', 'leaf2', 'leaf1', 'leaf-b', 'leaf9'];
    const l = layoutTopology({ nodes: names.map((name) => ({ name, tier: 'leaf' })), links: [] });
    expect(l.rows).toEqual([['leaf-b', 'leaf1', 'leaf2', 'leaf9', 'leaf10']]);
    const xs = l.rows[0]!.map((n) => l.nodes.get(n)!.x);
    for (let i = 2; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeCloseTo(xs[1]! - xs[0]!, 6);
    expect(compareNodeNames('leaf2', 'leaf10')).toBeLessThan(0);
    // The order is the same whatever order the nodes come in.
    const again = layoutTopology({ nodes: [...names].reverse().map((name) => ({ name, tier: 'leaf' })), links: [] });
    expect(again.rows).toEqual(l.rows);
  });

  it('without any tier, rows by link distance from the best-connected node, unlinked nodes last', () => {
    // Four leaves under two spines, a host under leaf1: a spine has the most links (4).
    const leaves = ['leaf1', 'leaf2', 'leaf3', 'leaf4'];
    const links = [...leaves.flatMap((l) => [link(`${l}:eth1`, `spine1:${l}`), link(`${l}:eth2`, `spine2:${l}`)]), link('host1:eth1', 'leaf1:eth3'), link('spine1:eth9', 'core:eth1')];
    const names = ['host1', 'spine2', ...leaves, 'spine1', 'lonely'];
    const l = layoutTopology({ nodes: names.map((name) => ({ name })), links });
    // spine1 on top (ties broken by name), its neighbours next, then the rest.
    expect(l.rows).toEqual([['spine1'], leaves, ['host1', 'spine2'], ['lonely']]);
    // `core` is only in a link, not a node: not drawn.
    expect(l.nodes.has('core')).toBe(false);
  });

  it('marks a failing node red, with why in its tooltip', () => {
    const root = parseXml(topologySvg(fabric({ culprits: { nodes: { leaf1: 'bgpd not running' } } })));
    const [bad, ...more] = groups(root, 'node culprit');
    expect(more).toEqual([]);
    expect(titleOf(bad!)).toBe('leaf1: bgpd not running');
    expect(all(bad!, 'rect')[0]!.attrs.fill).toBe(RED);
    expect(groups(root, 'node')).toHaveLength(5);
    expect(texts(root).some((s) => s.startsWith('failing, in red: 1 node, 0 links, 0 sessions'))).toBe(true);
    expect(texts(root)).toContain('failing node'); // the legend
  });

  it('marks a failing link thick and red whichever end its key names first', () => {
    for (const key of ['leaf2:eth1 <-> spine1:eth2', 'spine1:eth2 <-> leaf2:eth1']) {
      const root = parseXml(topologySvg(fabric({ culprits: { links: { [key]: 'no LLDP neighbour' } } })));
      const bad = groups(root, 'link culprit');
      expect(bad).toHaveLength(1);
      expect(titleOf(bad[0]!)).toBe('leaf2:eth1 <-> spine1:eth2: no LLDP neighbour');
      const line = all(bad[0]!, 'line')[0]!;
      expect(line.attrs.stroke).toBe(RED);
      expect(Number(line.attrs['stroke-width'])).toBeGreaterThanOrEqual(3);
      expect(groups(root, 'link')).toHaveLength(5);
      expect(texts(root).some((s) => s.startsWith('not in the picture'))).toBe(false);
    }
  });

  it('draws a failing session as a dashed red arc between two nodes that share no link', () => {
    const t = fabric({ culprits: { sessions: { 'host2 ↔ spine1': 'Active: no route to peer' } } });
    const layout = layoutTopology(t);
    const root = parseXml(topologySvg(t));
    const [s, ...more] = groups(root, 'session culprit');
    expect(more).toEqual([]);
    expect(titleOf(s!)).toBe('host2 ↔ spine1: Active: no route to peer');
    const path = all(s!, 'path')[0]!;
    expect(path.attrs.stroke).toBe(RED);
    expect(path.attrs['stroke-dasharray']).toBeTruthy();
    // From one node's centre to the other's (start and end of the curve).
    const nums = path.attrs.d!.match(/-?[0-9.]+/g)!.map(Number);
    const ends = [[nums[0], nums[1]], [nums[4], nums[5]]];
    const centre = (n: string) => [Number(layout.nodes.get(n)!.x.toFixed(1)), Number(layout.nodes.get(n)!.y.toFixed(1))];
    expect(ends).toEqual(expect.arrayContaining([centre('host2'), centre('spine1')]));
    // Either order names the same session.
    const other = parseXml(topologySvg(fabric({ culprits: { sessions: { 'spine1 ↔ host2': 'x' } } })));
    expect(all(groups(other, 'session culprit')[0]!, 'path')[0]!.attrs.d).toBe(path.attrs.d);
  });

  it('lists culprits naming nothing in the picture under it instead of dropping them', () => {
    const root = parseXml(
      topologySvg(
        fabric({
          culprits: {
            nodes: { ghost: 'not deployed', leaf1: 'down' },
            links: { 'leaf1:eth7 <-> spine1:eth7': 'missing', garbage: 'unparsable' },
            sessions: { 'leaf1 ↔ nowhere': 'Idle' },
          },
        }),
      ),
    );
    const unknown = all(root, 'text').filter((t) => t.attrs.class === 'unknown').map((t) => t.text);
    expect(unknown).toEqual(
      expect.arrayContaining([
        'not in the picture: node ghost: not deployed',
        'not in the picture: link leaf1:eth7 <-> spine1:eth7: missing',
        'not in the picture: link garbage: unparsable',
        'not in the picture: session leaf1 ↔ nowhere: Idle',
      ]),
    );
    expect(unknown).toHaveLength(4);
    expect(groups(root, 'node culprit')).toHaveLength(1);
  });

  it('fits 72 nodes in a row by shrinking the boxes and turning their labels, and stays well-formed', () => {
    const nodes = Array.from({ length: 72 }, (_, i) => ({ name: `compute-node-${i + 1}`, tier: 'compute' }));
    const t: TopologyPictureInput = { title: 'wide', nodes: [{ name: 'leaf1', tier: 'leaf' }, ...nodes], links: nodes.map((n, i) => link(`${n.name}:eth0`, `leaf1:eth${i}`)) };
    const l = layoutTopology(t);
    expect(l.width).toBeLessThanOrEqual(1800);
    const row = l.rows[1]!.map((n) => l.nodes.get(n)!);
    expect(row).toHaveLength(72);
    expect(row.every((n) => n.rotated)).toBe(true);
    for (let i = 1; i < row.length; i++) expect(row[i]!.x - row[i]!.w / 2).toBeGreaterThan(row[i - 1]!.x + row[i - 1]!.w / 2); // no overlap
    expect(row[0]!.x - row[0]!.w / 2).toBeGreaterThanOrEqual(0);
    expect(row.at(-1)!.x + row.at(-1)!.w / 2).toBeLessThanOrEqual(l.width);
    expect(l.nodes.get('leaf1')!.rotated).toBe(false);
    const svg = topologySvg(t);
    expect(svgDocumentProblems(svg)).toEqual([]);
    expect(groups(parseXml(svg), 'node').map(titleOf)).toContain('compute-node-72 (compute)');
  });

  it('escapes names: the markup stays well-formed and the text reads back unchanged', () => {
    const nasty = 'r<1>&"x"';
    const svg = topologySvg({
      title: 'R&D <lab>',
      nodes: [{ name: nasty, tier: 'leaf' }, { name: 's1', tier: 'spine' }],
      links: [link(`${nasty}:e1`, 's1:e1')],
      culprits: { nodes: { [nasty]: 'why <not>' }, sessions: { [`s1 ↔ ${nasty}`]: 'Idle & sad' } },
    });
    expect(svgDocumentProblems(svg)).toEqual([]);
    expect(svg).not.toContain('r<1>');
    expect(svg).toContain('r&lt;1&gt;&amp;&quot;x&quot;');
    const root = parseXml(svg);
    expect(texts(root)).toEqual(expect.arrayContaining(['R&D <lab>', nasty]));
    expect(titleOf(groups(root, 'node culprit')[0]!)).toBe(`${nasty}: why <not>`);
    expect(titleOf(groups(root, 'session culprit')[0]!)).toBe(`s1 ↔ ${nasty}: Idle & sad`);
  });

  it('draws an empty topology as a valid picture', () => {
    const svg = topologySvg({ title: 'empty', nodes: [], links: [] });
    expect(svgDocumentProblems(svg)).toEqual([]);
    expect(texts(parseXml(svg))).toContain('no nodes');
  });
});
