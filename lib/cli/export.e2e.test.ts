// The exported default lab, deployed the way containerlab deploys a lab and with nothing of
// netproof's runtimes: a container per node from its image with its binds and sysctls, veth
// pairs per link, then each node's exec lines in order. If the export is self-sufficient, VMs
// on different hosts reach each other over GENEVE across the BGP fabric.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { netproof } from '../../fixtures/cli.ts';
import { labContainers } from '../../fixtures/runtimes.ts';
import { exec, execOk } from '../exec.ts';
import { waitFor } from '../wait-for.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { containerVethArgv, startNodeContainer } from '../runtime/docker/engine.ts';
import { splitExecLine } from '../topology/exec-line.ts';
import { exportLab } from './export.ts';

// Its own label, so the replay never meets a `dc` lab of the other tests; `netproof destroy` sweeps it.
const LAB = 'export-replay';
afterAll(async () => {
  await netproof(['destroy', LAB]);
});

interface ClabNode {
  image: string;
  binds?: string[];
  sysctls?: Record<string, string>;
  exec?: string[];
}
type ClabLink = { endpoints: string[]; mtu?: number };

test('the exported default lab runs as containerlab would run it: VMs on different hosts reach each other', async () => {
  const out = await mkdtemp(join(tmpdir(), 'netproof-export-'));
  const clabFile = await exportLab(join(PROJECT_ROOT, 'topologies/dc/dc.clab.yml'), out);
  const doc = parse(await readFile(clabFile, 'utf8')) as { topology: { nodes: Record<string, ClabNode>; links: ClabLink[] } };
  const nodes = Object.entries(doc.topology.nodes);

  const pids = new Map<string, number>();
  await Promise.all(
    nodes.map(async ([name, n]) => {
      const binds = (n.binds ?? []).map((b) => {
        const [source, target, mode] = b.split(':');
        return { source: resolve(dirname(clabFile), source!), target: target!, mode: mode === 'ro' ? ('ro' as const) : ('rw' as const) };
      });
      const sysctls = Object.fromEntries(Object.entries(n.sysctls ?? {}).map(([k, v]) => [k, String(v)]));
      pids.set(name, await startNodeContainer({ lab: LAB, node: name, image: n.image, binds, sysctls }));
    }),
  );
  await Promise.all(
    doc.topology.links.map((l) => {
      const [a, b] = l.endpoints.map((e) => e.split(':') as [string, string]);
      return execOk(containerVethArgv({ pid: pids.get(a![0])!, iface: a![1] }, { pid: pids.get(b![0])!, iface: b![1] }, l.mtu));
    }),
  );
  // containerlab brings links up itself; then it runs each node's exec lines, in order.
  await Promise.all(
    nodes.map(async ([name, n]) => {
      const container = `np.${LAB}.${name}`;
      for (const l of doc.topology.links) for (const e of l.endpoints) if (e.startsWith(`${name}:`)) await execOk(['docker', 'exec', container, 'ip', 'link', 'set', 'dev', e.split(':')[1]!, 'up']);
      for (const line of n.exec ?? []) {
        const split = splitExecLine(line);
        if ('error' in split) throw new Error(`${name}: ${line}: ${split.error}`);
        await execOk(['docker', 'exec', container, ...split.argv], { timeoutMs: 60_000 });
      }
    }),
  );

  const vm4 = (await exec(['docker', 'exec', `np.${LAB}.vm4`, 'ip', '-j', '-4', 'addr', 'show', 'dev', 'eth1'])).stdout;
  const vm4Ip = (JSON.parse(vm4) as { addr_info: { local: string }[] }[])[0]!.addr_info[0]!.local;
  await waitFor(
    async () => {
      const r = await exec(['docker', 'exec', `np.${LAB}.vm1`, 'ping', '-c', '1', '-W', '1', vm4Ip]);
      return r.exitCode === 0 ? { ok: true, value: true } : { ok: false, reason: `vm1 → vm4 (${vm4Ip}): ${r.stdout.split('\n').slice(-3).join(' ')}` };
    },
    { timeoutMs: 90_000, intervalsMs: [500], description: 'vm1 (host1) to reach vm4 (host4) over GENEVE in the replayed export' },
  );
  // It really went through OVN: host1's ovn-controller has claimed vm1's port.
  const claimed = await exec(['docker', 'exec', `np.${LAB}.central`, 'ovn-sbctl', '--db=tcp:127.0.0.1:6642', '--format=json', '--columns=logical_port,chassis', 'list', 'Port_Binding']);
  expect(claimed.stdout).toContain('"vm1"');

  expect((await netproof(['destroy', LAB])).exitCode).toBe(0);
  expect(await labContainers(LAB)).toEqual([]);
});
