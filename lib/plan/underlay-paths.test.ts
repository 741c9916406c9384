import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderClab } from '../render/clab.ts';
import { parseTopology } from '../topology/load.ts';
import { linkLabel, type LabLink, type LabNode } from '../model/topology.ts';
import { planClos } from './clos.ts';
import { DEFAULT_LINK_MTU, underlayPathMtu } from './underlay-paths.ts';

const HOST_MTU = 1500;
const FABRIC_MTU = 9000;

// 2 spines, 4 leaves; host1 and host3 on leaf1/leaf2, host2 and host4 on leaf3/leaf4; an overlay
// so that VMs and the central are in the topology too.
const plan = planClos({ name: 'p', spines: 2, leaves: 4, hosts: 4, vmsPerHost: 1, hostMtu: HOST_MTU, fabricMtu: FABRIC_MTU });
const topology = parseTopology(stringify(renderClab(plan)), '/labs/p/p.clab.yml', { exists: () => true });
const { nodes } = topology;

/** A fresh copy of the links, so a test can change MTUs without touching the others. */
const freshLinks = (): LabLink[] => topology.links.map((l) => ({ ...l, endpoints: [{ ...l.endpoints[0] }, { ...l.endpoints[1] }] }));
const between = (links: LabLink[], x: string, y: string) => {
  const l = links.find((k) => [k.endpoints[0].node, k.endpoints[1].node].sort().join() === [x, y].sort().join());
  if (!l) throw new Error(`test bug: no link ${x} – ${y}`);
  return l;
};
const touches = (l: LabLink, node: string) => l.endpoints.some((e) => e.node === node);

describe('underlayPathMtu on a generated Clos', () => {
  it('is the host MTU, on one of the two hosts’ own links, when the fabric is larger', () => {
    const p = underlayPathMtu(nodes, topology.links, 'host1', 'host2')!;
    expect(p.mtu).toBe(HOST_MTU);
    const bottleneck = p.links.find((l) => linkLabel(l) === p.bottleneck)!;
    expect(bottleneck, p.bottleneck).toBeDefined();
    expect(bottleneck.mtu).toBe(HOST_MTU);
    expect(touches(bottleneck, 'host1') || touches(bottleneck, 'host2')).toBe(true);
  });

  it('lists every link of every shortest path (ECMP may use any), and only those', () => {
    const p = underlayPathMtu(nodes, topology.links, 'host1', 'host2')!;
    const names = p.links.map((l) => l.endpoints.map((e) => e.node).sort().join('–')).sort();
    // host1 → leaf1|leaf2 → spine1|spine2 → leaf3|leaf4 → host2
    expect(names).toEqual(
      [
        'host1–leaf1', 'host1–leaf2',
        'leaf1–spine1', 'leaf1–spine2', 'leaf2–spine1', 'leaf2–spine2',
        'leaf3–spine1', 'leaf3–spine2', 'leaf4–spine1', 'leaf4–spine2',
        'host2–leaf3', 'host2–leaf4',
      ].sort(),
    );
  });

  it('is the fabric MTU between two leaves: hosts dual-homed to both are not a shortcut', () => {
    // leaf1 – host1 – leaf2 is as short as leaf1 – spine – leaf2, but hosts never forward.
    const p = underlayPathMtu(nodes, topology.links, 'leaf1', 'leaf2')!;
    expect(p.mtu).toBe(FABRIC_MTU);
    expect(p.links.some((l) => touches(l, 'host1') || touches(l, 'host3'))).toBe(false);
    expect(p.links).toHaveLength(4);
  });

  it('makes a lowered spine–leaf link on a shortest path the bottleneck, named a:ethX <-> b:ethY', () => {
    const links = freshLinks();
    const narrow = between(links, 'spine2', 'leaf3');
    narrow.mtu = 1400;
    const p = underlayPathMtu(nodes, links, 'host1', 'host2')!;
    expect(p.mtu).toBe(1400);
    const [a, b] = narrow.endpoints;
    expect(p.bottleneck).toBe(`${a.node}:${a.iface} <-> ${b.node}:${b.iface}`);
    expect(p.bottleneck).toMatch(/^spine2:eth\d+ <-> leaf3:eth\d+$/);
  });

  it('ignores a lowered link that is on no shortest path: another host’s link, a spine link between leaves it does not use', () => {
    const links = freshLinks();
    between(links, 'leaf1', 'host3').mtu = 600; // host3's uplink: hosts are never transit
    between(links, 'spine1', 'leaf3').mtu = 700; // not between host1's and host3's leaves
    between(links, 'leaf1', 'central').mtu = 800; // the central is an endpoint only
    const p = underlayPathMtu(nodes, links, 'host1', 'host3')!;
    // host1 and host3 share leaf1 and leaf2: the shortest paths are host1 – leaf1|leaf2 – host3.
    expect(p.mtu).toBe(600); // host3's own link is on the path…
    const other = underlayPathMtu(nodes, links, 'host1', 'host4')!;
    expect(other.mtu).toBe(700); // …and spine1–leaf3 is on host1 → host4's
    const unaffected = underlayPathMtu(nodes, links, 'host2', 'host4')!;
    expect(unaffected.mtu).toBe(HOST_MTU); // but none of them is on host2 → host4's
    expect(unaffected.links.some((l) => touches(l, 'host3') || touches(l, 'central') || touches(l, 'spine1'))).toBe(false);
  });

  it('does not count a lowered link to a third host, even one on the same leaves', () => {
    const links = freshLinks();
    between(links, 'leaf3', 'host4').mtu = 600;
    between(links, 'leaf4', 'host4').mtu = 600;
    const p = underlayPathMtu(nodes, links, 'host1', 'host2')!;
    expect(p.mtu).toBe(HOST_MTU);
    expect(p.links.some((l) => touches(l, 'host4'))).toBe(false);
  });

  it('never routes through VMs (they are not routers)', () => {
    const p = underlayPathMtu(nodes, topology.links, 'host1', 'host2')!;
    expect(p.links.some((l) => l.endpoints.some((e) => e.node.startsWith('vm')))).toBe(false);
    expect(underlayPathMtu(nodes, topology.links, 'vm1', 'host2')).toBeUndefined();
  });
});

describe('underlayPathMtu on hand-made topologies', () => {
  const node = (name: string, tier?: string): LabNode => ({ name, kind: 'linux', role: 'router', tier, labels: {}, binds: [], exec: [], sysctls: {} });
  const link = (a: string, b: string, mtu?: number): LabLink => ({ endpoints: [{ node: a, iface: `to-${b}` }, { node: b, iface: `to-${a}` }], ...(mtu !== undefined ? { mtu } : {}) });

  it('is undefined when the two nodes are not connected', () => {
    const ns = [node('h1', 'compute'), node('l1', 'leaf'), node('h2', 'compute'), node('l2', 'leaf')];
    expect(underlayPathMtu(ns, [link('h1', 'l1', 9000), link('h2', 'l2', 9000)], 'h1', 'h2')).toBeUndefined();
    expect(underlayPathMtu(ns, [link('h1', 'l1', 9000)], 'h1', 'nowhere')).toBeUndefined();
  });

  it('is undefined when the only way between them is through a host', () => {
    const ns = [node('h1', 'compute'), node('l1', 'leaf'), node('mid', 'compute'), node('l2', 'leaf'), node('h2', 'compute')];
    const links = [link('h1', 'l1', 9000), link('l1', 'mid', 9000), link('mid', 'l2', 9000), link('l2', 'h2', 9000)];
    expect(underlayPathMtu(ns, links, 'h1', 'h2')).toBeUndefined();
    // The same chain through a transit router is fine.
    const routed = ns.map((n) => (n.name === 'mid' ? node('mid', 'spine') : n));
    expect(underlayPathMtu(routed, links, 'h1', 'h2')?.mtu).toBe(9000);
  });

  it('does not count a third host dual-homed to the leaves a tunnel crosses', () => {
    // h1 – l1 – s1 – l2 – h2, and h3 on both l1 and l2 with narrow links: l1 – h3 – l2 is as
    // short as l1 – s1 – l2, but h3 never forwards, so its links are on no path.
    const ns = [node('h1', 'compute'), node('h2', 'compute'), node('h3', 'compute'), node('l1', 'leaf'), node('l2', 'leaf'), node('s1', 'spine')];
    const links = [link('h1', 'l1', 9000), link('l1', 's1', 9000), link('s1', 'l2', 9000), link('l2', 'h2', 9000), link('l1', 'h3', 1280), link('h3', 'l2', 1280)];
    const p = underlayPathMtu(ns, links, 'h1', 'h2')!;
    expect(p.mtu).toBe(9000);
    expect(p.links.map(linkLabel)).toEqual(['h1:to-l1 <-> l1:to-h1', 'l1:to-s1 <-> s1:to-l1', 's1:to-l2 <-> l2:to-s1', 'l2:to-h2 <-> h2:to-l2']);
  });

  it('takes the shortest way round, not a narrower longer one', () => {
    const ns = ['h1', 'h2'].map((n) => node(n, 'compute')).concat(['r1', 'r2', 'r3'].map((n) => node(n, 'spine')));
    // h1 – r1 – h2 directly (9000), or h1 – r2 – r3 – h2 (1280 in the middle).
    const links = [link('h1', 'r1', 9000), link('r1', 'h2', 9000), link('h1', 'r2', 9000), link('r2', 'r3', 1280), link('r3', 'h2', 9000)];
    const p = underlayPathMtu(ns, links, 'h1', 'h2')!;
    expect(p.mtu).toBe(9000);
    expect(p.links).toHaveLength(2);
  });

  it(`takes ${DEFAULT_LINK_MTU} for a link without an MTU`, () => {
    const ns = [node('h1', 'compute'), node('r1', 'spine'), node('h2', 'compute')];
    const p = underlayPathMtu(ns, [link('h1', 'r1', 9000), link('r1', 'h2')], 'h1', 'h2')!;
    expect(p).toMatchObject({ mtu: DEFAULT_LINK_MTU, bottleneck: 'r1:to-h2 <-> h2:to-r1' });
  });

  it('ignores links to nodes that do not run a router', () => {
    const ns = [node('h1', 'compute'), node('r1', 'spine'), node('h2', 'compute'), { ...node('box'), role: 'host' as const }];
    const links = [link('h1', 'box', 100), link('box', 'h2', 100), link('h1', 'r1', 9000), link('r1', 'h2', 9000)];
    expect(underlayPathMtu(ns, links, 'h1', 'h2')?.mtu).toBe(9000);
  });
});
