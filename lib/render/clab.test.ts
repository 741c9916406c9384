import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clabSchemaErrors } from '../../fixtures/clab-schema.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { parse, stringify } from 'yaml';
import { planClos } from '../plan/clos.ts';
import { parseTopology } from '../topology/load.ts';
import { OVN_ADDRESS_LABEL, TEP_LABEL } from '../model/overlay.ts';
import { MAX_PATHS_LABEL, TIER_LABEL } from '../model/topology.ts';
import { NODE_IMAGE, renderClab, ROUTER_SYSCTLS } from './clab.ts';
import { FRR_IMAGE } from './frr.ts';

const schemaErrors = clabSchemaErrors;

const plan = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4 });
const clab = renderClab(plan);

describe('renderClab against containerlab’s schema', () => {
  it('the schema rejects what containerlab rejects (so a pass below means something)', () => {
    expect(schemaErrors({ ...clab, netproof: { tiers: {} } })).not.toEqual([]);
    expect(schemaErrors({ name: 'x', topology: { nodes: { 'bad name': {} } } })).not.toEqual([]);
    expect(schemaErrors({ topology: { nodes: {} } })).not.toEqual([]);
  });

  it.each([
    { spines: 2, leaves: 4, hosts: 4 },
    { spines: 1, leaves: 2, hosts: 0 },
    { spines: 4, leaves: 6, hosts: 9 },
  ])('validates for $spines spines, $leaves leaves, $hosts hosts', (size) => {
    expect(schemaErrors(renderClab(planClos({ name: 'lab', ...size })))).toEqual([]);
  });

  it('still validates after a round trip through YAML, as it is written to disk', () => {
    expect(schemaErrors(parse(stringify(clab)))).toEqual([]);
  });

  it('the committed default lab validates', () => {
    const committed = parse(readFileSync(join(PROJECT_ROOT, 'topologies/dc/dc.clab.yml'), 'utf8'));
    expect(schemaErrors(committed)).toEqual([]);
  });
});

describe('renderClab: what netproof reads back', () => {
  const dir = '/labs/dc';
  const t = parseTopology(stringify(clab), `${dir}/dc.clab.yml`, { exists: () => true });

  it('keeps the lab name and every router', () => {
    expect(t.name).toBe('dc');
    expect(t.nodes.map((n) => n.name).sort()).toEqual(plan.routers.map((r) => r.name).sort());
  });

  it('makes every node an FRR router of its tier, with its own frr.conf and daemons file', () => {
    for (const r of plan.routers) {
      const n = t.nodes.find((x) => x.name === r.name)!;
      expect(n).toMatchObject({ kind: 'linux', image: FRR_IMAGE, role: 'router', tier: r.tier });
      expect(n.labels[TIER_LABEL]).toBe(r.tier);
      expect(n.frr).toEqual({ config: `${dir}/${r.name}/frr.conf`, daemons: `${dir}/${r.name}/daemons`, daemonConfigs: {} });
    }
  });

  it.each(['dual-stack', 'ipv6'] as const)('on a %s fabric, forwards IPv6 and hashes it by L4 on every router', (family) => {
    const ds = parseTopology(stringify(renderClab(planClos({ name: 'ds', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: family }))), `${dir}/ds.clab.yml`, { exists: () => true });
    for (const n of ds.nodes) expect(n.sysctls, n.name).toMatchObject({ 'net.ipv4.fib_multipath_hash_policy': '1', 'net.ipv6.fib_multipath_hash_policy': '1', 'net.ipv6.conf.all.forwarding': '1' });
    expect(t.nodes.every((n) => !('net.ipv6.fib_multipath_hash_policy' in n.sysctls))).toBe(true);
  });

  it('turns on forwarding and L4 multipath hashing on every router', () => {
    for (const n of t.nodes) {
      expect(n.sysctls, n.name).toEqual(Object.fromEntries(Object.entries(ROUTER_SYSCTLS).map(([k, v]) => [k, String(v)])));
    }
    expect(ROUTER_SYSCTLS['net.ipv4.ip_forward']).toBe(1);
  });

  it('has exactly the planned links, with their MTUs', () => {
    const key = (a: string, b: string, mtu: number | undefined) => `${[a, b].sort().join(' <-> ')} mtu ${mtu}`;
    const loaded = t.links.map((l) => key(`${l.endpoints[0].node}:${l.endpoints[0].iface}`, `${l.endpoints[1].node}:${l.endpoints[1].iface}`, l.mtu)).sort();
    const planned = plan.links.map((l) => key(`${l.a.node}:${l.a.iface}`, `${l.b.node}:${l.b.iface}`, l.mtu)).sort();
    expect(loaded).toEqual(planned);
  });
});

describe('renderClab with an overlay', () => {
  const ov = planClos({ name: 'ov', spines: 2, leaves: 4, hosts: 4, vmsPerHost: 2 });
  const doc = renderClab(ov);
  const dir = '/labs/ov';
  const t = parseTopology(stringify(doc), `${dir}/ov.clab.yml`, { exists: () => true });
  const node = (name: string) => {
    const n = t.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  };
  const vms = ov.overlay!.vms;

  it.each([
    { spines: 2, leaves: 4, hosts: 4, vmsPerHost: 2 },
    { spines: 1, leaves: 2, hosts: 1, vmsPerHost: 1 },
    { spines: 4, leaves: 6, hosts: 9, vmsPerHost: 8 },
  ])('validates against containerlab’s schema for $hosts hosts × $vmsPerHost VMs, also after YAML', (size) => {
    const d = renderClab(planClos({ name: 'lab', ...size }));
    expect(schemaErrors(d)).toEqual([]);
    expect(schemaErrors(parse(stringify(d)))).toEqual([]);
  });

  it('has every router, every VM and the external node as nodes', () => {
    expect(t.nodes.map((n) => n.name).sort()).toEqual([...ov.routers.map((r) => r.name), ...vms.map((v) => v.name), 'ext'].sort());
  });

  it('links the external node to the first two hosts, bridges its links and gives it the provider network’s gateway address by exec lines', () => {
    const ext = node('ext');
    expect(ext).toMatchObject({ role: 'host', image: NODE_IMAGE, labels: { [TIER_LABEL]: 'external' } });
    const extLinks = t.links.filter((l) => l.endpoints.some((e) => e.node === 'ext'));
    expect(extLinks.map((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`))).toEqual([
      ['ext:eth1', 'host1:ext'],
      ['ext:eth2', 'host2:ext'],
    ]);
    expect(ext.exec.map((a) => a.join(' '))).toEqual(['ip link add br0 type bridge', 'ip link set eth1 master br0', 'ip link set eth2 master br0', 'ip link set br0 up', 'ip addr add 172.24.4.1/24 dev br0']);
  });

  it('labels every compute host with its TEP and one path', () => {
    for (const h of ov.routers.filter((r) => r.tier === 'compute')) {
      const n = node(h.name);
      expect(n.labels, h.name).toMatchObject({ [TIER_LABEL]: 'compute', [TEP_LABEL]: h.routerId, [MAX_PATHS_LABEL]: '1' });
      expect(n).toMatchObject({ role: 'router', image: NODE_IMAGE, frr: { config: `${dir}/${h.name}/frr.conf`, daemons: `${dir}/${h.name}/daemons` } });
    }
  });

  it('labels the central with its OVN address, its loopback', () => {
    const c = ov.routers.find((r) => r.tier === 'ovn-central')!;
    const n = node(c.name);
    expect(n.labels).toMatchObject({ [TIER_LABEL]: 'ovn-central', [OVN_ADDRESS_LABEL]: c.routerId });
    expect(n.labels[TEP_LABEL]).toBeUndefined();
    expect(n).toMatchObject({ role: 'router', image: NODE_IMAGE, frr: { config: `${dir}/${c.name}/frr.conf` } });
  });

  it('keeps spines and leaves plain FRR routers without overlay labels', () => {
    for (const r of ov.routers.filter((x) => x.tier === 'spine' || x.tier === 'leaf')) {
      const n = node(r.name);
      expect(n.image, r.name).toBe(FRR_IMAGE);
      expect(Object.keys(n.labels), r.name).toEqual([TIER_LABEL]);
    }
  });

  it('puts the VMs in group vm: plain hosts, no FRR, no binds, no router sysctls', () => {
    const groups = (doc.topology as { groups: Record<string, { labels: Record<string, string> }> }).groups;
    expect(groups.vm?.labels).toEqual({ [TIER_LABEL]: 'vm' });
    const nodes = (doc.topology as { nodes: Record<string, { group?: string }> }).nodes;
    for (const v of vms) {
      expect(nodes[v.name], v.name).toEqual({ group: 'vm' });
      expect(node(v.name), v.name).toMatchObject({ tier: 'vm', role: 'host', binds: [], sysctls: {}, frr: undefined });
    }
  });

  it('links each VM’s eth1 to the port named after it on its host, and nothing else', () => {
    const key = (a: string, b: string) => [a, b].sort().join(' <-> ');
    const vmLinks = t.links.filter((l) => l.endpoints.some((e) => e.node.startsWith('vm')));
    expect(vmLinks.map((l) => key(`${l.endpoints[0].node}:${l.endpoints[0].iface}`, `${l.endpoints[1].node}:${l.endpoints[1].iface}`)).sort()).toEqual(
      vms.map((v) => key(`${v.name}:eth1`, `${v.host}:${v.name}`)).sort(),
    );
    const raw = (doc.topology as { links: { endpoints: string[] }[] }).links;
    for (const v of vms) expect(raw).toContainEqual({ endpoints: [`${v.name}:eth1`, `${v.host}:${v.name}`] });
    expect(t.links.length - vmLinks.length - ov.overlay!.external!.gateways.length).toBe(ov.links.length);
  });
});
