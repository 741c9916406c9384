import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { OVN_ADDRESS_LABEL, OVN_SB_PORT, TEP_LABEL } from '../model/overlay.ts';
import { renderClab } from '../render/clab.ts';
import { parseTopology } from '../topology/load.ts';
import type { Topology } from '../model/topology.ts';
import { macFor, overlayTopologyProblems, planOverlayNodes, sendingEndsOf } from './chassis.ts';
import { planClos } from './clos.ts';

const DIR = '/labs/ov';
const FILE = `${DIR}/ov.clab.yml`;

/** A YAML document from its lines, so tests can find where things are. */
const doc = (...lines: string[]) => `${lines.join('\n')}\n`;

/** 1-based line and column of `needle` in `text`, computed from the text itself. */
function posOf(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`test bug: "${needle}" does not occur`);
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

const plan = planClos({ name: 'ov', spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1 });
const generated = parseTopology(stringify(renderClab(plan)), FILE, { exists: () => true });

/** A hand-written lab: a leaf, and whatever nodes and links the test adds. */
function handWritten(nodes: string[], links: string[] = []): { text: string; topology: Topology } {
  const text = doc(
    'name: ov',
    'topology:',
    '  defaults: { kind: linux, image: alpine, startup-config: frr.conf }',
    '  nodes:',
    '    leaf1: { labels: { netproof.role: leaf } }',
    ...nodes.map((n) => `    ${n}`),
    ...(links.length ? ['  links:', ...links.map((l) => `    - endpoints: ${l}`)] : []),
  );
  return { text, topology: parseTopology(text, FILE, { exists: () => true }) };
}

describe('macFor', () => {
  const names = ['host1/br-phy', 'host2/br-phy', 'host10/br-phy', 'central', '', 'a', 'b'];

  it('is stable: the same name always gives the same MAC', () => {
    for (const n of names) expect(macFor(n)).toBe(macFor(n));
  });

  it('is six lower-case hex bytes', () => {
    for (const n of names) expect(macFor(n)).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  });

  it('is a locally administered unicast address', () => {
    for (const n of names) {
      const first = parseInt(macFor(n).slice(0, 2), 16);
      expect(first & 0x02, `${n}: locally administered bit`).toBe(0x02);
      expect(first & 0x01, `${n}: multicast bit`).toBe(0);
    }
  });

  it('differs per name, also for names that differ in one character', () => {
    const many = Array.from({ length: 250 }, (_, i) => `host${i + 1}/br-phy`);
    expect(new Set(many.map(macFor)).size).toBe(many.length);
    expect(macFor('a')).not.toBe(macFor('b'));
  });
});

describe('overlayTopologyProblems', () => {
  it('finds nothing wrong in a generated overlay lab', () => {
    expect(overlayTopologyProblems(generated)).toEqual([]);
  });

  it('asks for an OVN central when there is none, at topology.nodes', () => {
    const { text, topology } = handWritten(['host1: { labels: { netproof.role: compute, netproof.tep: 10.255.2.1 } }']);
    const problems = overlayTopologyProblems(topology);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, field: 'topology.nodes', ...posOf(text, 'nodes:') });
    expect(problems[0]!.message).toContain('exactly one node labelled netproof.role: ovn-central (found 0)');
    expect(problems[0]!.fix).toContain(OVN_ADDRESS_LABEL);
  });

  it('names every central when there are two', () => {
    const { topology } = handWritten([
      'c1: { labels: { netproof.role: ovn-central, netproof.ovn-address: 10.255.3.1 } }',
      'c2: { labels: { netproof.role: ovn-central, netproof.ovn-address: 10.255.3.2 } }',
    ]);
    const problems = overlayTopologyProblems(topology);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('(found 2: c1, c2)');
  });

  it.each([
    ['missing', '', 'null'],
    ['not an address', ', netproof.ovn-address: central', '"central"'],
    ['with a prefix length', ', netproof.ovn-address: 10.255.3.1/32', '"10.255.3.1/32"'],
    ['out of range', ', netproof.ovn-address: 10.255.3.256', '"10.255.3.256"'],
  ])('reports a central whose address label is %s, at the node', (_what, extra, shown) => {
    const { text, topology } = handWritten([`central: { labels: { netproof.role: ovn-central${extra} } }`]);
    const problems = overlayTopologyProblems(topology);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, field: 'topology.nodes.central', ...posOf(text, 'central:') });
    expect(problems[0]!.message).toBe(`the OVN central has no valid ${OVN_ADDRESS_LABEL} label (got ${shown})`);
    expect(problems[0]!.fix).toContain(`add the label ${OVN_ADDRESS_LABEL}:`);
  });

  it.each([
    ['missing', '', 'null'],
    ['not an address', ', netproof.tep: host1', '"host1"'],
    ['with /32', ', netproof.tep: 10.255.2.1/32', '"10.255.2.1/32"'],
  ])('reports a compute host whose TEP label is %s, at that host', (_what, extra, shown) => {
    const { text, topology } = handWritten([
      'central: { labels: { netproof.role: ovn-central, netproof.ovn-address: 10.255.3.1 } }',
      'host1: { labels: { netproof.role: compute, netproof.tep: 10.255.2.1 } }',
      `host2: { labels: { netproof.role: compute${extra} } }`,
    ]);
    const problems = overlayTopologyProblems(topology);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, field: 'topology.nodes.host2', ...posOf(text, 'host2:') });
    expect(problems[0]!.message).toBe(`compute host host2 has no valid ${TEP_LABEL} label (got ${shown})`);
    expect(problems[0]!.fix).toContain('without /32');
  });

  it('reports a compute host that does not run FRR, at that host', () => {
    // The loader already makes every compute-tier node an FRR router (and demands its frr.conf),
    // so this guards topologies built some other way: take a loaded one and demote a host.
    const { text, topology } = handWritten([
      'central: { labels: { netproof.role: ovn-central, netproof.ovn-address: 10.255.3.1 } }',
      'host1: { labels: { netproof.role: compute, netproof.tep: 10.255.2.1 } }',
    ]);
    expect(overlayTopologyProblems(topology)).toEqual([]);
    const host1 = topology.nodes.find((n) => n.name === 'host1')!;
    host1.role = 'host';
    const problems = overlayTopologyProblems(topology);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'topology.nodes.host1', message: 'compute host host1 does not run FRR', ...posOf(text, 'host1:') });
    expect(problems[0]!.fix).toContain('FRR');
  });

  it('reports every problem at once', () => {
    const { topology } = handWritten([
      'host1: { labels: { netproof.role: compute } }',
      'host2: { labels: { netproof.role: compute, netproof.tep: nope } }',
    ]);
    expect(overlayTopologyProblems(topology).map((p) => p.field)).toEqual(['topology.nodes', 'topology.nodes.host1', 'topology.nodes.host2']);
  });
});

describe('planOverlayNodes', () => {
  const nodes = planOverlayNodes(generated);
  const central = plan.routers.find((r) => r.tier === 'ovn-central')!;

  it('finds the central and its address', () => {
    expect(nodes.central).toEqual({ node: central.name, address: central.routerId });
  });

  it('makes every compute host a chassis, and nothing else', () => {
    expect(nodes.chassis.map((c) => c.node)).toEqual(plan.routers.filter((r) => r.tier === 'compute').map((r) => r.name));
  });

  it('gives each chassis its TEP, the southbound DB address and a pinned br-phy MAC', () => {
    for (const c of nodes.chassis) {
      const r = plan.routers.find((x) => x.name === c.node)!;
      expect(c.tep).toBe(r.routerId);
      expect(c.ovnRemote).toBe(`tcp:${central.routerId}:${OVN_SB_PORT}`);
      expect(c.hwaddr).toBe(macFor(`${c.node}/br-phy`));
    }
    expect(new Set(nodes.chassis.map((c) => c.hwaddr)).size).toBe(nodes.chassis.length);
  });

  it('takes the links to routers as uplinks, with the far end', () => {
    for (const c of nodes.chassis) {
      const r = plan.routers.find((x) => x.name === c.node)!;
      expect(c.uplinks).toEqual(r.interfaces.map((i) => ({ iface: i.name, peer: { node: i.peer.node, iface: i.peer.iface } })));
      expect(c.uplinks.map((u) => u.peer.node).sort()).toEqual(['leaf1', 'leaf2']);
    }
  });

  it('takes the links to VMs as VM ports, and not as uplinks', () => {
    for (const c of nodes.chassis) {
      const vms = plan.overlay!.vms.filter((v) => v.host === c.node);
      expect(vms.length).toBeGreaterThan(0);
      expect(c.vmPorts).toEqual(vms.map((v) => ({ iface: v.hostIface, vm: v.name, vmIface: 'eth1' })));
      expect(c.uplinks.map((u) => u.peer.node)).not.toContain(vms[0]!.name);
    }
  });

  it('reads links in either direction and ignores links to plain hosts', () => {
    const { topology } = handWritten(
      [
        'central: { labels: { netproof.role: ovn-central, netproof.ovn-address: 10.255.3.9 } }',
        'host1: { labels: { netproof.role: compute, netproof.tep: 10.255.2.1 } }',
        'vm7: { labels: { netproof.role: vm } }',
        'probe: {}',
      ],
      ['["leaf1:eth1", "host1:eth2"]', '["host1:eth1", "leaf1:eth2"]', '["vm7:eth1", "host1:tap7"]', '["host1:eth3", "probe:eth1"]', '["central:eth1", "leaf1:eth3"]'],
    );
    const { central: c, chassis } = planOverlayNodes(topology);
    expect(c).toEqual({ node: 'central', address: '10.255.3.9' });
    expect(chassis).toHaveLength(1);
    expect(chassis[0]).toMatchObject({
      node: 'host1',
      tep: '10.255.2.1',
      ovnRemote: `tcp:10.255.3.9:${OVN_SB_PORT}`,
      uplinks: [
        { iface: 'eth2', peer: { node: 'leaf1', iface: 'eth1' } },
        { iface: 'eth1', peer: { node: 'leaf1', iface: 'eth2' } },
      ],
      vmPorts: [{ iface: 'tap7', vm: 'vm7', vmIface: 'eth1' }],
      externalPorts: [],
    });
  });

  it('takes links to external nodes as provider-network ports, one bridge each, and lists every sending end', () => {
    const { topology } = handWritten(
      [
        'central: { labels: { netproof.role: ovn-central, netproof.ovn-address: 10.255.3.9 } }',
        'host1: { labels: { netproof.role: compute, netproof.tep: 10.255.2.1 } }',
        'vm7: { labels: { netproof.role: vm } }',
        'ext: { labels: { netproof.role: external } }',
        'isp2: { labels: { netproof.role: external } }',
      ],
      ['["host1:eth1", "leaf1:eth2"]', '["vm7:eth1", "host1:tap7"]', '["ext:eth1", "host1:ext"]', '["host1:isp2", "isp2:eth4"]', '["central:eth1", "leaf1:eth3"]'],
    );
    const [c] = planOverlayNodes(topology).chassis;
    expect(c!.externalPorts).toEqual([
      { iface: 'ext', bridge: 'br-ex1', network: 'ext', peer: { node: 'ext', iface: 'eth1' } },
      { iface: 'isp2', bridge: 'br-ex2', network: 'isp2', peer: { node: 'isp2', iface: 'eth4' } },
    ]);
    expect(c!.uplinks.map((u) => u.peer.node)).toEqual(['leaf1']);
    expect(sendingEndsOf(c!)).toEqual([
      { node: 'leaf1', iface: 'eth2' },
      { node: 'vm7', iface: 'eth1' },
      { node: 'ext', iface: 'eth1' },
      { node: 'isp2', iface: 'eth4' },
    ]);
  });

  it('refuses a topology without a central, pointing at the check to run first', () => {
    const { topology } = handWritten(['host1: { labels: { netproof.role: compute, netproof.tep: 10.255.2.1 } }']);
    expect(() => planOverlayNodes(topology)).toThrow(/no OVN central node.*overlayTopologyProblems/);
  });
});
