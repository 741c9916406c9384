// The Docker runtime: each node is a container `np.<lab>.<node>` of the local node image
// (FRR, OVS, OVN and the probe tools; built by ci/build-node-image.sh), started through
// testcontainers with no network of Docker's; each link is a veth pair created straight
// into the two containers' network namespaces, as containerlab wires its labs. From there
// the bring-up is the netns runtime's own, run through `docker exec`.
import { mkdir } from 'node:fs/promises';
import { EnvironmentError, type Problem } from '../../errors.ts';
import { execOk } from '../../exec.ts';
import type { StartedLab } from '../../lab/started-lab.ts';
import { namespaceName } from '../../names.ts';
import { ciScriptCommand } from '../../paths.ts';
import { NODE_IMAGE } from '../../render/clab.ts';
import type { Topology } from '../../model/topology.ts';
import { bringUp } from '../bring-up.ts';
import { RuntimeLab } from '../lab-node.ts';
import type { DeployOptions, DestroyReport, LabStatus, Runtime } from '../runtime.ts';
import { deployRecorded, labStatuses, nodeDir, removeOwnLabDir, runningState, type LabState } from '../state.ts';
import { DockerShell } from './docker-shell.ts';
import { containerVethArgv, DOCKERD_ARGV, dockerEngine, labContainers, netproofNodeBinds, startNodeContainer } from './engine.ts';
import { oneTeardown } from '../one-teardown.ts';
import { settleAll } from '../settle-all.ts';

export class DockerRuntime implements Runtime {
  readonly name = 'docker';

  check(topology: Topology): Problem[] {
    const problems: Problem[] = [];
    // The containers share the host's kernel and see /proc/sys writable (FRR and faults set
    // net.* at run time): any other sysctl would change the host.
    for (const node of topology.nodes) {
      for (const key of Object.keys(node.sysctls)) {
        if (!key.startsWith('net.')) {
          const path = ['topology', 'nodes', node.name, 'sysctls', key];
          problems.push({ file: topology.file, ...topology.locate(path), field: path.join('.'), message: `sysctl ${key} is not per network namespace: setting it in a container would change the host`, fix: 'keep only net.* sysctls' });
        }
      }
    }
    return problems;
  }

  async checkEnvironment(): Promise<void> {
    if (process.getuid?.() !== 0) throw new EnvironmentError('the docker runtime wires containers with veth pairs and needs root', 'run netproof as root');
    const engine = await dockerEngine();
    if (!engine.cli) throw new EnvironmentError('the docker CLI is not installed', `${ciScriptCommand('bootstrap.sh', '--docker')}   # or: apt-get install docker.io mmdebstrap`);
    if (!engine.running) throw new EnvironmentError(`no Docker engine answers: ${engine.error}`, `${DOCKERD_ARGV.join(' ')} >/var/log/netproof-dockerd.log 2>&1 &   # leaves the host's network alone`);
    if (!engine.images.includes(NODE_IMAGE)) throw new EnvironmentError(`the node image ${NODE_IMAGE} is not built`, `${ciScriptCommand('build-node-image.sh')}   # from Debian packages, ≈30 s, cached`);
  }

  async deploy(topology: Topology, opts: DeployOptions = {}): Promise<StartedLab> {
    const state = await deployRecorded(topology, opts.onProgress ?? (() => {}), {
      runtime: this.name,
      inUse: async (lab) => (await labContainers(lab)).length > 0,
      build: (t, s, progress, signal) => this.build(t, s, progress, signal),
      destroy: (lab) => this.destroy(lab),
      transient: opts.transient,
    });
    return this.started(state);
  }

  private async build(topology: Topology, state: LabState, progress: (s: string) => void, signal: AbortSignal): Promise<void> {
    const lab = topology.name;
    progress(`containers: ${topology.nodes.length}`);
    const pids = new Map<string, number>();
    await settleAll(
      topology.nodes.map(async (n) => {
        const dir = nodeDir(lab, n.name);
        await mkdir(dir, { recursive: true });
        pids.set(n.name, await startNodeContainer({ lab, node: n.name, image: NODE_IMAGE, binds: netproofNodeBinds(dir) }));
      }),
    );
    progress(`links: ${topology.links.length}`);
    await settleAll(
      topology.links.map((l) => {
        const [a, b] = l.endpoints;
        return execOk(containerVethArgv({ pid: pids.get(a.node)!, iface: a.iface }, { pid: pids.get(b.node)!, iface: b.iface }, l.mtu));
      }),
    );
    Object.assign(state, await bringUp({ topology, shell: (node) => this.shell(lab, node), progress, signal }));
  }

  private shell(lab: string, node: string): DockerShell {
    return new DockerShell(node, namespaceName(lab, node), nodeDir(lab, node));
  }

  private started(state: LabState & { times: { deployedAt: number } }): StartedLab {
    return new RuntimeLab(state, (node) => this.shell(state.name, node), () => this.destroy(state.name).then(() => undefined));
  }

  async attach(lab: string): Promise<StartedLab> {
    return this.started(await runningState(lab, this.name));
  }

  destroy(lab: string): Promise<DestroyReport> {
    return oneTeardown(`docker:${lab}`, () => this.destroyNow(lab));
  }

  private async destroyNow(lab: string): Promise<DestroyReport> {
    const removed: string[] = [];
    const containers = await labContainers(lab);
    // Removing a container ends every process in it and its network namespace, with the veths.
    if (containers.length) {
      await execOk(['docker', 'rm', '--force', '--volumes', ...containers.map((c) => c.id)], { timeoutMs: 120_000 });
      removed.push(...containers.map((c) => `container ${c.name}`));
    }
    removed.push(...(await removeOwnLabDir(lab, this.name)));
    return { lab, removed };
  }

  async list(): Promise<LabStatus[]> {
    return labStatuses(this.name, await labContainers());
  }
}
