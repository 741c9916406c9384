// `netproof export --frr-kind frr|linux`: FRR nodes written as containerlab's frr kind (PR 3382:
// startup-config, extras.frr.daemons) or, by default as before, as kind: linux with frr.conf and
// daemons bound into /etc/frr. Either file is valid containerlab (the vendored schema knows the
// frr kind), self-contained, and loads back into the routers it was written from.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clabSchemaErrors } from '../../fixtures/clab-schema.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { renderExport, type ExportOptions } from '../render/clab-export.ts';
import { listedDaemons } from '../render/frr-daemons.ts';
import { loadTopology } from '../topology/load.ts';
import type { LabNode, Topology } from '../model/topology.ts';
import { exportLab, type ExportLabOptions } from './export.ts';

interface ExportedNode {
  kind: string;
  image: string;
  'startup-config'?: string;
  extras?: { frr?: { daemons?: string[] } };
  binds?: string[];
  exec?: string[];
}
type Exported = { name: string; topology: { nodes: Record<string, ExportedNode>; links: unknown[] } };

const LINUX_LAB = 'fixtures/labs/frr-ospf/frr-ospf.clab.yml';
const FRR_LAB = 'fixtures/labs/frr-ospf-kind/frr-ospf-kind.clab.yml';

async function exported(file: string, o: ExportLabOptions = {}) {
  const out = await mkdtemp(join(tmpdir(), 'netproof-export-frr-'));
  const clabFile = await exportLab(join(PROJECT_ROOT, file), out, o);
  return { out, clabFile, doc: parse(await readFile(clabFile, 'utf8')) as Exported };
}

/** What a router runs, as in lib/topology/load-frr-kind.test.ts: the configuration's text and the daemons. */
async function running(n: LabNode) {
  const f = n.frr!;
  const config = f.config !== undefined ? await readFile(f.config, 'utf8') : f.configText;
  return { role: n.role, config, daemons: listedDaemons(f, f.daemons ? await readFile(f.daemons, 'utf8') : undefined, config), daemonConfigs: Object.keys(f.daemonConfigs) };
}

const ROUTERS = ['router1', 'router2', 'router3'];

describe('export --frr-kind frr', () => {
  it('writes FRR nodes as kind: frr with startup-config and extras.frr.daemons, no /etc/frr binds; hosts stay linux', async () => {
    const e = await exported(LINUX_LAB, { frrKind: 'frr' });
    for (const r of ROUTERS) {
      const n = e.doc.topology.nodes[r]!;
      expect(n, r).toMatchObject({ kind: 'frr', 'startup-config': `${r}/frr.conf`, extras: { frr: { daemons: ['ospfd'] } } });
      expect((n.binds ?? []).filter((b) => b.includes('/etc/frr/')), r).toEqual([]);
      expect(await readFile(join(e.out, `${r}/frr.conf`), 'utf8')).toBe(await readFile(join(PROJECT_ROOT, `fixtures/labs/frr-ospf/${r}/frr.conf`), 'utf8'));
      expect(existsSync(join(e.out, `${r}/daemons`)), `${r}: no daemons file, the kind writes its own`).toBe(false);
    }
    expect(e.doc.topology.nodes.PC1!.kind).toBe('linux');
  });

  it('is valid against the vendored containerlab schema, which refuses what it should', async () => {
    const e = await exported(LINUX_LAB, { frrKind: 'frr' });
    expect(clabSchemaErrors(e.doc)).toEqual([]);
    const router1 = e.doc.topology.nodes.router1!;
    const withNodes = (nodes: Record<string, unknown>) => ({ ...e.doc, topology: { ...e.doc.topology, nodes } });
    expect(clabSchemaErrors(withNodes({ router1: { ...router1, kind: 'frrr' } }))).not.toEqual([]);
    expect(clabSchemaErrors(withNodes({ router1: { ...router1, extras: { frr: { daemons: ['bgpdd'] } } } }))).not.toEqual([]);
    expect(clabSchemaErrors(withNodes({ router1: { ...router1, extras: { frr: { daemon: ['bgpd'] } } } }))).not.toEqual([]);
    expect(clabSchemaErrors(withNodes({ router1: { ...router1, kind: 'frrouting' } }))).toEqual([]);
  });

  it('loads back into the routers it was written from (netproof reads kind: frr)', async () => {
    const e = await exported(LINUX_LAB, { frrKind: 'frr' });
    const [original, back] = await Promise.all([loadTopology(join(PROJECT_ROOT, LINUX_LAB)), loadTopology(e.clabFile)]);
    for (const r of ROUTERS) {
      expect(back.nodes.find((n) => n.name === r)!.kind).toBe('frr');
      expect(await running(back.nodes.find((n) => n.name === r)!), r).toEqual(await running(original.nodes.find((n) => n.name === r)!));
    }
  });

  it('keeps a kind: frr lab in its form, and --frr-kind linux (the default) turns it into binds', async () => {
    const same = await exported(FRR_LAB, { frrKind: 'frr' });
    expect(same.doc.topology.nodes.router1).toMatchObject({ kind: 'frr', 'startup-config': 'router1/frr.conf', extras: { frr: { daemons: ['ospfd'] } } });
    for (const o of [{}, { frrKind: 'linux' as const }]) {
      const linux = await exported(FRR_LAB, o);
      expect(clabSchemaErrors(linux.doc)).toEqual([]);
      const r1 = linux.doc.topology.nodes.router1!;
      expect(r1.kind).toBe('linux');
      expect(r1['startup-config']).toBeUndefined();
      expect(r1.extras).toBeUndefined();
      expect(r1.binds).toEqual(['router1/frr.conf:/etc/frr/frr.conf', 'router1/daemons:/etc/frr/daemons']);
      const daemons = await readFile(join(linux.out, 'router1/daemons'), 'utf8');
      expect(daemons).toMatch(/^ospfd=yes$/m);
      expect(daemons).toMatch(/^bgpd=no$/m);
    }
  });

  it('without the option, a kind: linux lab exports as before', async () => {
    const e = await exported(LINUX_LAB);
    expect(e.doc.topology.nodes.router1).toMatchObject({ kind: 'linux', binds: ['router1/frr.conf:/etc/frr/frr.conf', 'router1/daemons:/etc/frr/daemons'] });
    expect(e.doc.topology.nodes.router1!.extras).toBeUndefined();
  });
});

describe('renderExport with kind: frr', () => {
  const router = (frr: NonNullable<LabNode['frr']>): LabNode => ({ name: 'r1', kind: 'frr', role: 'router', labels: {}, binds: [], exec: [], sysctls: {}, frr });
  const topo = (n: LabNode): Topology => ({ name: 't', file: '/x/t.clab.yml', dir: '/x', nodes: [n], links: [], locate: () => ({ line: 1, column: 1 }) });
  const render = (n: LabNode, o: ExportOptions) => renderExport(topo(n), (x) => x.frr?.configText, o);

  it('writes a configuration carried in the clab file as frr.conf beside the exported file, in either form', () => {
    const n = router({ configText: 'router ospf\n', daemonNames: ['zebra', 'staticd', 'ospfd'], daemonConfigs: {} });
    for (const frrKind of ['frr', 'linux'] as const) {
      const { clab, files } = render(n, { frrKind });
      expect(files, frrKind).toContainEqual({ path: 'r1/frr.conf', text: 'router ospf\n' });
      const node = (clab.topology as { nodes: Record<string, ExportedNode> }).nodes.r1!;
      if (frrKind === 'frr') expect(node['startup-config']).toBe('r1/frr.conf');
      else expect(node.binds).toContain('r1/frr.conf:/etc/frr/frr.conf');
    }
  });

  it('never writes an empty daemon list, which containerlab reads as every daemon: a router of zebra alone names zebra', () => {
    const n = router({ configText: 'ip forwarding\n', daemonNames: ['zebra', 'staticd'], daemonConfigs: {} });
    const node = (render(n, { frrKind: 'frr' }).clab.topology as { nodes: Record<string, ExportedNode> }).nodes.r1!;
    expect(node.extras).toEqual({ frr: { daemons: ['zebra'] } });
  });

  it('a router every daemon runs on lists every daemon the daemons file switches', () => {
    const n = router({ configText: 'frr defaults traditional\n', daemonNames: ['zebra', 'staticd', 'bgpd', 'ospfd', 'bfdd'], daemonConfigs: {} });
    const node = (render(n, { frrKind: 'frr' }).clab.topology as { nodes: Record<string, ExportedNode> }).nodes.r1!;
    expect(node.extras?.frr?.daemons).toEqual(['bgpd', 'ospfd', 'bfdd']);
  });
});
