// The StartedLab and NodeHandle every runtime hands out: written against NodeShell, so a
// suite or probe behaves the same on namespaces and in containers.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { basename, join } from 'node:path';
import { waitFor } from '../wait-for.ts';
import type { BackgroundProcess, FrrConfigProblem, NodeExecOptions, NodeHandle, StartedLab, TopologyData } from '../lab/started-lab.ts';
import type { LabNode } from '../model/topology.ts';
import { applyIntegratedConfig, startFrrDaemon } from './bring-up.ts';
import { integratedConfigFile } from '../render/frr-daemons.ts';
import type { NodeShell } from './node-shell.ts';
import { ovsEnv } from '../render/ovn-daemons.ts';
import { nodeDir, statShowsRunning, type LabState } from './state.ts';

export class RuntimeLab implements StartedLab {
  readonly runtime: string;
  readonly name: string;
  readonly topology: TopologyData;
  readonly times: { deployStartedAt: number; deployedAt: number };
  readonly frrConfigProblems: readonly FrrConfigProblem[];
  private readonly handles: Map<string, NodeHandle>;
  private readonly teardown: () => Promise<void>;

  constructor(state: LabState & { times: { deployedAt: number } }, shell: (node: string) => NodeShell, teardown: () => Promise<void>) {
    this.runtime = state.runtime;
    this.name = state.name;
    this.topology = state.topology;
    this.times = { deployStartedAt: state.times.deployStartedAt, deployedAt: state.times.deployedAt };
    // A state file written before this field existed recorded no problems.
    this.frrConfigProblems = state.frrConfigProblems ?? [];
    this.teardown = teardown;
    this.handles = new Map(state.topology.nodes.map((n) => [n.name, new LabNodeHandle(state.name, n, state.daemons[n.name] ?? [], shell(n.name))]));
  }

  node(name: string): NodeHandle {
    const h = this.handles.get(name);
    if (!h) throw new UsageError(`lab ${this.name} has no node "${name}" (nodes: ${[...this.handles.keys()].join(', ')})`);
    return h;
  }

  nodes(): NodeHandle[] {
    return [...this.handles.values()];
  }

  async stop(): Promise<void> {
    await this.teardown();
  }

  async destroy(): Promise<void> {
    await this.teardown();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}

class LabNodeHandle implements NodeHandle {
  readonly name: string;
  readonly spec: LabNode;
  readonly frrDaemons: readonly string[];
  private readonly dir: string;
  private readonly shell: NodeShell;

  constructor(lab: string, spec: LabNode, frrDaemons: string[], shell: NodeShell) {
    this.name = spec.name;
    this.spec = spec;
    this.frrDaemons = frrDaemons;
    this.dir = nodeDir(lab, spec.name);
    this.shell = shell;
  }

  exec(argv: readonly string[], opts?: NodeExecOptions) {
    // FRR and OVS listen in the node's own directory, not /var/run/frr or /var/run/openvswitch:
    // point vtysh and the OVS/OVN tools there, so `exec LAB NODE -- vtysh -c …` works as in containerlab.
    if (this.spec.role === 'router' && basename(argv[0] ?? '') === 'vtysh' && !argv.includes('--vty_socket')) {
      argv = [argv[0]!, '--vty_socket', this.dir, ...argv.slice(1)];
    }
    const env = this.spec.role === 'router' ? { ...ovsEnv(this.dir), ...opts?.env } : opts?.env;
    return this.shell.exec(argv, { ...opts, env });
  }

  spawn(argv: readonly string[]): BackgroundProcess {
    return this.shell.spawn(argv);
  }

  toolArgv(script: string, args: readonly string[]): string[] {
    // Every runtime makes this Node and this project visible at the same paths inside a node.
    return [process.execPath, script, ...args];
  }

  async stopFrrDaemon(daemon: string): Promise<void> {
    const pid = Number.parseInt(await readFile(join(this.dir, `${daemon}.pid`), 'utf8'), 10);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${this.name}: no pid for ${daemon}`);
    // The pid is the node's own (a container has its own pid namespace): kill it from inside.
    await this.shell.exec(['kill', '-KILL', String(pid)]);
    await waitFor(
      async () => {
        // Gone, or a zombie no one has reaped yet: either way it no longer runs.
        const stat = await this.shell.exec(['cat', `/proc/${pid}/stat`]);
        const running = stat.exitCode === 0 && statShowsRunning(stat.stdout);
        return running ? { ok: false, reason: `${daemon} (pid ${pid}) still running` } : { ok: true, value: true };
      },
      { timeoutMs: 5_000, intervalsMs: [10, 20, 50], description: `${daemon} on ${this.name} to die` },
    );
  }

  async startFrrDaemon(daemon: string): Promise<void> {
    const paths = { dir: this.dir };
    await startFrrDaemon(this.shell, this.name, daemon, paths);
    // As FRR does when it restarts one daemon (vtysh -b -d DAEMON): the daemon read its own
    // file at start; its lines of frr.conf are applied again. Refusals were reported at bring-up.
    const file = this.spec.frr?.config;
    if (file) await applyIntegratedConfig(this.shell, paths, { node: this.name, file, text: await readFile(integratedConfigFile(paths), 'utf8') }, daemon);
  }

  vtysh(command: string) {
    if (this.spec.role !== 'router') throw new Error(`${this.name} is a host, not an FRR router: it has no vtysh`);
    return this.shell.exec(['vtysh', '--vty_socket', this.dir, '-c', command]);
  }

  async daemonLog(daemon: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, `${daemon}.log`), 'utf8');
    } catch {
      return undefined;
    }
  }
}
