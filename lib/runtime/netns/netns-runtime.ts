// The default runtime: each node is a Linux network namespace `np.<lab>.<node>`, each link a
// veth pair created directly inside the two namespaces (nothing appears in the root
// namespace), each FRR router a set of FRR daemons started inside its namespace.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { EnvironmentError, type Problem } from '../../errors.ts';
import { converse, exec, execOk, openLineChannel } from '../../exec.ts';
import { waitFor } from '../../wait-for.ts';
import type { NodeExecOptions, StartedLab } from '../../lab/started-lab.ts';
import { spawnBackground } from '../background.ts';
import { namespaceName, parseNamespaceName } from '../../names.ts';
import { ciScriptCommand } from '../../paths.ts';
import type { Topology } from '../../model/topology.ts';
import type { DeployOptions, DestroyReport, LabStatus, Runtime } from '../runtime.ts';
import { bringUp } from '../bring-up.ts';
import { FRR_LIBEXEC, FRR_STATE_DIR } from '../../render/frr-daemons.ts';
import { RuntimeLab } from '../lab-node.ts';
import type { NodeShell, ProcessInfo } from '../node-shell.ts';
import { OVS_BINARIES } from '../../render/ovn-daemons.ts';
import { addNamespace, deleteNamespace, inNamespace, listNamespaces, namespaceId, pidsInNamespaces, vethArgv, type NamespaceId } from './ip.ts';
import { deployRecorded, labStatuses, processRunning, removeOwnLabDir, runningState, type LabState } from '../state.ts';
import { oneTeardown } from '../one-teardown.ts';
import { settleAll } from '../settle-all.ts';

/** Programs a host's exec lines may run here: namespaces share the host's filesystem, so only network configuration. */
export const NETNS_EXEC_PROGRAMS = new Set(['ip', 'tc', 'ethtool', 'sysctl', 'nft', 'bridge']);
// How long teardown waits for the lab's processes to be gone once killed.
const KILL_TIMEOUT_MS = 5_000;

export class NetnsRuntime implements Runtime {
  readonly name = 'netns';

  check(topology: Topology): Problem[] {
    const problems: Problem[] = [];
    const at = (path: (string | number)[], message: string, fix: string) =>
      problems.push({ file: topology.file, ...topology.locate(path), field: path.join('.'), message, fix });
    for (const node of topology.nodes) {
      const base = ['topology', 'nodes', node.name];
      for (const key of Object.keys(node.sysctls)) {
        if (!key.startsWith('net.')) at([...base, 'sysctls', key], `sysctl ${key} is not per network namespace: setting it would change the host`, 'keep only net.* sysctls (other settings need a container runtime such as containerlab)');
      }
      for (const argv of node.exec) {
        const program = basename(argv[0]!);
        const line = argv.join(' ');
        if (!NETNS_EXEC_PROGRAMS.has(program)) {
          at([...base, 'exec'], `exec line "${line}" runs ${program}, but the netns runtime shares the host's filesystem and runs only network configuration (${[...NETNS_EXEC_PROGRAMS].join(', ')})`, 'configure the node with ip/tc/ethtool/sysctl/nft lines (other commands need a container runtime such as containerlab)');
        } else if (program === 'sysctl' && argv.slice(1).some((a) => !a.startsWith('-') && !a.startsWith('net.'))) {
          at([...base, 'exec'], `exec line "${line}" sets a sysctl outside net.*, which would change the host`, 'set only net.* sysctls');
        }
      }
    }
    return problems;
  }

  async checkEnvironment(topology: Topology): Promise<void> {
    if (process.getuid?.() !== 0) throw new EnvironmentError('the netns runtime creates network namespaces and needs root', 'run netproof as root (sudo -E npm start)');
    if (!existsSync('/usr/sbin/ip') && !existsSync('/usr/bin/ip') && !existsSync('/sbin/ip')) throw new EnvironmentError('ip (iproute2) is not installed', `${ciScriptCommand('bootstrap.sh')}   # or: apt-get install iproute2`);
    if (topology.nodes.some((n) => n.role === 'router')) {
      const missing = ['zebra', 'bgpd', 'staticd'].filter((d) => !existsSync(`${FRR_LIBEXEC}/${d}`));
      if (missing.length || !existsSync('/usr/bin/vtysh')) throw new EnvironmentError(`FRR is not installed (missing ${missing.length ? missing.map((d) => `${FRR_LIBEXEC}/${d}`).join(', ') : '/usr/bin/vtysh'})`, `${ciScriptCommand('bootstrap.sh')}   # or: apt-get install frr`);
    }
    if (topology.overlay) {
      const missing = OVS_BINARIES.filter((b) => !existsSync(b));
      if (missing.length) throw new EnvironmentError(`the overlay needs Open vSwitch, OVN, nftables and ethtool (missing ${missing.join(', ')})`, `${ciScriptCommand('bootstrap.sh')}   # or: apt-get install openvswitch-switch ovn-central ovn-host nftables ethtool`);
    }
  }

  async deploy(topology: Topology, opts: DeployOptions = {}): Promise<StartedLab> {
    const state = await deployRecorded(topology, opts.onProgress ?? (() => {}), {
      runtime: this.name,
      inUse: async (lab) => (await this.labNamespaces(lab)).length > 0,
      build: (t, s, progress, signal) => this.build(t, s, progress, signal),
      destroy: (lab) => this.destroy(lab),
      transient: opts.transient,
    });
    return this.started(state);
  }

  private async build(topology: Topology, state: LabState, progress: (s: string) => void, signal: AbortSignal): Promise<void> {
    const lab = topology.name;
    const ns = (node: string) => namespaceName(lab, node);
    progress(`namespaces: ${topology.nodes.length}`);
    await settleAll(topology.nodes.map((n) => addNamespace(ns(n.name))));
    progress(`links: ${topology.links.length}`);
    await settleAll(
      topology.links.map((l) => {
        const [a, b] = l.endpoints;
        return execOk(vethArgv({ ns: ns(a.node), iface: a.iface }, { ns: ns(b.node), iface: b.iface }, l.mtu));
      }),
    );
    Object.assign(state, await bringUp({ topology, shell: (node) => new NetnsShell(lab, node), progress, signal }));
  }

  private started(state: LabState & { times: { deployedAt: number } }): StartedLab {
    return new RuntimeLab(state, (node) => new NetnsShell(state.name, node), () => this.destroy(state.name).then(() => undefined));
  }

  async attach(lab: string): Promise<StartedLab> {
    return this.started(await runningState(lab, this.name));
  }

  private async labNamespaces(lab: string): Promise<string[]> {
    return (await listNamespaces()).filter((n) => parseNamespaceName(n)?.lab === lab);
  }

  destroy(lab: string): Promise<DestroyReport> {
    return oneTeardown(`netns:${lab}`, () => this.destroyNow(lab));
  }

  private async destroyNow(lab: string): Promise<DestroyReport> {
    const removed: string[] = [];
    const namespaces = await this.labNamespaces(lab);
    // Names go first, so nothing new enters (`ip netns exec` of a worker still probing fails);
    // then every process left inside is the lab's: FRR daemons and anything exec'd there.
    const ids = (await Promise.all(namespaces.map(namespaceId))).filter((id) => id !== undefined);
    await Promise.all(namespaces.map(deleteNamespace));
    removed.push(...namespaces.map((n) => `netns ${n}`));
    const killed = await killAllIn(lab, ids);
    if (killed) removed.push(`${killed} processes`);
    removed.push(...(await removeOwnLabDir(lab, this.name)));
    return { lab, removed };
  }

  async list(): Promise<LabStatus[]> {
    const found = (await listNamespaces()).map(parseNamespaceName).filter((p) => p !== undefined);
    return labStatuses(this.name, found);
  }
}

/**
 * SIGKILL every process in the namespaces, and repeat until none is left (a process inside may
 * have started another meanwhile). Not SIGTERM first: nothing of a lab needs a graceful end (its
 * routes, ports and sockets go with the namespace), and the daemons' own shut-down took a
 * second of CPU on a 2-core machine. Returns how many were signalled.
 */
async function killAllIn(lab: string, ids: NamespaceId[]): Promise<number> {
  const signalled = new Set<number>();
  await waitFor(
    async () => {
      const pids = (await pidsInNamespaces(ids)).filter(processRunning);
      if (!pids.length) return { ok: true, value: true };
      for (const pid of pids) signalled.add(pid);
      signal(pids, 'SIGKILL');
      return { ok: false, reason: `still running: ${pids.join(' ')}` };
    },
    { timeoutMs: KILL_TIMEOUT_MS, intervalsMs: [10, 20, 50, 100], description: `lab ${lab}'s processes to exit` },
  );
  return signalled.size;
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** Commands in a node's namespace; the filesystem and pid space are the host's. */
class NetnsShell implements NodeShell {
  readonly node: string;
  private readonly ns: string;

  constructor(lab: string, node: string) {
    this.node = node;
    this.ns = namespaceName(lab, node);
  }

  exec(argv: readonly string[], opts: NodeExecOptions = {}) {
    return exec(inNamespace(this.ns, argv), { ...opts, env: opts.env ? { ...process.env, ...opts.env } : undefined });
  }

  spawn(argv: readonly string[]) {
    return spawnBackground(inNamespace(this.ns, argv));
  }

  converse(argv: readonly string[]) {
    return converse(inNamespace(this.ns, argv));
  }

  openChannel(argv: readonly string[]) {
    return openLineChannel(inNamespace(this.ns, argv));
  }

  /**
   * In a mount namespace of its own (private: nothing propagates back to the host), the node's
   * directory bound over FRR's state directory, so what the daemon writes there stays the
   * node's and goes with the lab. Without that directory on the host, the daemon writes nothing
   * there and starts as it is.
   */
  withOwnFrrStateDir(argv: readonly string[], dir: string): readonly string[] {
    const script = `if [ -d ${FRR_STATE_DIR} ]; then mount --bind "$0" ${FRR_STATE_DIR} || exit 1; fi; exec "$@"`;
    return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, dir, ...argv];
  }

  /** A namespace shares the host's pid space: its processes' files are read here, without starting anything in it. */
  async processInfo(pid: number): Promise<ProcessInfo | undefined> {
    try {
      const [stat, cmdline] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8')]);
      return { stat, cmdline };
    } catch {
      return undefined;
    }
  }
}
