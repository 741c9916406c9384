// `netproof export FILE --out DIR`: the lab as a containerlab directory (clab file, configs and
// bound files beside it) that containerlab and clabernetes deploy without netproof.
import { copyFile, cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { renderExport, type FrrKindForm } from '../render/clab-export.ts';
import { NODE_IMAGE } from '../render/clab.ts';
import { runtimeByName } from '../runtime/index.ts';
import { loadForRuntime } from './deploy.ts';

export interface ExportLabOptions {
  /** FRR nodes as kind: linux with binds into /etc/frr (the default), or as containerlab's kind: frr. */
  frrKind?: FrrKindForm;
}

export async function exportLab(file: string, outDir: string, o: ExportLabOptions = {}): Promise<string> {
  // Containers are what containerlab runs: the Docker runtime's rules are the ones that apply.
  const { topology } = await loadForRuntime(file, runtimeByName('docker'));
  const configs = new Map<string, string>();
  const daemonsFiles = new Map<string, string>();
  for (const n of topology.nodes) {
    if (n.frr?.config) configs.set(n.name, await readFile(n.frr.config, 'utf8'));
    else if (n.frr?.configText !== undefined) configs.set(n.name, n.frr.configText);
    if (n.frr?.daemons) daemonsFiles.set(n.name, await readFile(n.frr.daemons, 'utf8'));
  }
  const { clab, files } = renderExport(topology, (n) => configs.get(n.name), { frrKind: o.frrKind ?? 'linux', daemonsFileText: (n) => daemonsFiles.get(n.name) });
  for (const f of files) {
    const to = join(outDir, f.path);
    await mkdir(dirname(to), { recursive: true });
    if ('text' in f) await writeFile(to, f.text);
    else if ((await stat(f.from)).isDirectory()) await cp(f.from, to, { recursive: true });
    else await copyFile(f.from, to);
  }
  const clabFile = join(outDir, `${topology.name}.clab.yml`);
  const header = [
    `# Exported by netproof from ${file}: deploy with \`containerlab deploy -t ${topology.name}.clab.yml\`, or with clabernetes.`,
    `# Nodes on ${NODE_IMAGE} need that image where the lab runs: build ci/node-image.Dockerfile and push it to your registry.`,
    '# netproof itself deploys the original file (its runtimes do these exec steps themselves).',
  ].join('\n');
  await writeFile(clabFile, `${header}\n${stringify(clab, { lineWidth: 0 })}`);
  return clabFile;
}
