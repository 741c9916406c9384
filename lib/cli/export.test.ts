// `netproof export` on the default lab and on a public-style lab: the written directory is
// valid containerlab (its own schema), self-contained (every bind's file is beside the clab
// file), and its exec lines carry netproof's bring-up in an order that can work.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clabSchemaErrors } from '../../fixtures/clab-schema.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { NODE_IMAGE } from '../render/clab.ts';
import { splitExecLine } from '../topology/exec-line.ts';
import { exportLab } from './export.ts';

interface ExportedNode {
  image: string;
  binds?: string[];
  exec?: string[];
}
type Exported = { name: string; topology: { nodes: Record<string, ExportedNode>; links: unknown[] } };

async function exported(file: string) {
  const out = await mkdtemp(join(tmpdir(), 'netproof-export-'));
  const clabFile = await exportLab(join(PROJECT_ROOT, file), out);
  const doc = parse(await readFile(clabFile, 'utf8')) as Exported;
  const argvs = (node: string) => (doc.topology.nodes[node]!.exec ?? []).map((line) => {
    const r = splitExecLine(line);
    if ('error' in r) throw new Error(`${node}: ${line}: ${r.error}`);
    return r.argv;
  });
  return { out, clabFile, doc, argvs };
}

describe('export of the default lab (FRR fabric + OVN overlay)', () => {
  let e: Awaited<ReturnType<typeof exported>>;
  beforeAll(async () => {
    e = await exported('topologies/dc/dc.clab.yml');
  });

  it('is valid against containerlab’s schema', () => {
    expect(clabSchemaErrors(e.doc)).toEqual([]);
  });

  it('gives nodes no management network: the lab has only the links it describes', () => {
    expect(Object.values(e.doc.topology.nodes).every((n) => (n as { 'network-mode'?: string })['network-mode'] === 'none')).toBe(true);
  });

  it('binds only files written beside the clab file', () => {
    for (const [name, node] of Object.entries(e.doc.topology.nodes)) {
      for (const bind of node.binds ?? []) {
        const source = bind.split(':')[0]!;
        expect(source.startsWith('/'), `${name}: ${bind}`).toBe(false);
        expect(existsSync(join(e.out, source)), `${name}: ${bind}`).toBe(true);
      }
    }
  });

  it('runs every overlay node on the node image and starts FRR there after OVS', () => {
    expect(e.doc.topology.nodes.host1!.image).toBe(NODE_IMAGE);
    const steps = e.argvs('host1').map((a) => a.filter((w) => !w.includes('=') || w.startsWith('--')).join(' '));
    const at = (re: RegExp) => steps.findIndex((s) => re.test(s));
    expect(at(/^env ovsdb-server /)).toBeGreaterThan(at(/^ovsdb-tool create /));
    // The bridges go into the database before vswitchd starts (a restarted vswitchd rebuilds them from there); br-phy's flows after.
    expect(at(/^env ovs-vsctl .*add-br br-phy/)).toBeGreaterThan(at(/^env ovsdb-server /));
    expect(at(/^env ovs-vswitchd /)).toBeGreaterThan(at(/^env ovs-vsctl .*add-br br-phy/));
    expect(at(/^env ovs-ofctl add-flows br-phy /)).toBeGreaterThan(at(/^env ovs-vswitchd /));
    expect(at(/^\/usr\/lib\/frr\/frrinit.sh start$/)).toBeGreaterThan(at(/^ip link set dev br-phy up$/));
    expect(at(/^env ovn-controller /)).toBeGreaterThan(at(/^\/usr\/lib\/frr\/frrinit.sh start$/));
  });

  it('quotes so that each exec line splits back into the argv netproof runs', () => {
    const vsctl = e.argvs('host1').find((a) => a.includes('ovs-vsctl') && a.includes('add-br'))!;
    expect(vsctl).toContain('external_ids:ovn-remote="tcp:10.255.3.1:6642"');
  });

  it('gives VMs their logical port’s interface and the central the NB intent in one transaction', () => {
    const vm1 = e.argvs('vm1');
    expect(vm1).toContainEqual(['ethtool', '-K', 'eth1', 'tx', 'off']);
    expect(vm1.find((a) => a[1] === 'addr')).toEqual(['ip', 'addr', 'add', expect.stringMatching(/^10\.\d+\.\d+\.\d+\/\d+$/), 'dev', 'eth1']);
    expect(vm1.at(-1)).toEqual(['ip', 'route', 'add', 'default', 'via', expect.any(String), 'dev', 'eth1']);
    const nb = e.argvs('central').at(-1)!;
    expect(nb.slice(0, 2)).toEqual(['ovn-nbctl', '--db=tcp:127.0.0.1:6641']);
    expect(nb.filter((w) => w === 'acl-add').length).toBeGreaterThan(0);
  });

  it('leaves facing a chassis stop offloading checksums on that link', () => {
    expect(e.argvs('leaf1')).toContainEqual(['ethtool', '-K', 'eth3', 'tx', 'off']);
  });
});

describe('export of a public-style FRR/OSPF lab', () => {
  it('keeps the FRR image (it starts FRR itself) and the hosts’ own exec lines', async () => {
    const e = await exported('fixtures/labs/frr-ospf/frr-ospf.clab.yml');
    expect(clabSchemaErrors(e.doc)).toEqual([]);
    expect(e.doc.topology.nodes.router1!.image).toMatch(/frrouting\/frr/);
    expect(e.doc.topology.nodes.router1!.exec).toBeUndefined();
    expect(e.argvs('PC1')).toContainEqual(['ip', 'addr', 'add', '192.168.11.2/24', 'dev', 'eth1']);
    expect(await readFile(join(e.out, 'router1/daemons'), 'utf8')).toMatch(/^ospfd=yes$/m);
  });
});
