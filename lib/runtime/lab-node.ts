// The StartedLab and NodeHandle every runtime hands out: written against NodeShell, so a
// suite or probe behaves the same on namespaces and in containers.
import { readFile, rm } from 'node:fs/promises';
import { LabError, UsageError } from '../errors.ts';
import { basename, join } from 'node:path';
import { waitFor } from '../wait-for.ts';
import type { BackgroundProcess, FrrConfigProblem, NodeExecOptions, IpReadOptions, NodeHandle, NodeReader, StartedLab, TopologyData } from '../lab/started-lab.ts';
import { keptConversation, type Conversation, type ExecResult, type LineChannel } from '../exec.ts';
import { VtyClient, VtyRefused } from './vty-client.ts';
import { toolScript } from './tool-script.ts';
import type { LabNode } from '../model/topology.ts';
import { overlayNodesOf, restartDaemon, type RunningNode } from './bring-up.ts';
import { daemonAnswering, daemonVtySocket } from '../render/frr-daemons.ts';
import type { NodeShell } from './node-shell.ts';
import { overlayDaemonsOf, ovsEnv, type OvsDaemon } from '../render/ovn-daemons.ts';
import { nodeDir, statShowsRunning, type LabState } from './state.ts';

/** How long a node's `ip -j -batch -` stays open without a read: across one check's polls, not between runs. */
const IP_IDLE_CLOSE_MS = 10_000;

export class RuntimeLab implements StartedLab {
  readonly runtime: string;
  readonly name: string;
  readonly topology: TopologyData;
  readonly times: { deployStartedAt: number; deployedAt: number };
  readonly frrConfigProblems: readonly FrrConfigProblem[];
  readonly bringUpNotes: readonly string[];
  private readonly handles: Map<string, NodeHandle>;
  private readonly teardown: () => Promise<void>;

  constructor(state: LabState & { times: { deployedAt: number } }, shell: (node: string) => NodeShell, teardown: () => Promise<void>) {
    this.runtime = state.runtime;
    this.name = state.name;
    this.topology = state.topology;
    this.times = { deployStartedAt: state.times.deployStartedAt, deployedAt: state.times.deployedAt };
    // A state file written before this field existed recorded no problems.
    this.frrConfigProblems = state.frrConfigProblems ?? [];
    this.bringUpNotes = state.bringUpNotes ?? [];
    this.teardown = teardown;
    const overlay = overlayNodesOf(state.topology);
    this.handles = new Map(
      state.topology.nodes.map((n) => {
        const running: RunningNode = { lab: state.name, topology: state.topology, node: n, shell: shell(n.name) };
        return [n.name, new LabNodeHandle(running, state.daemons[n.name] ?? [], overlayDaemonsOf(overlay, n.name, nodeDir(state.name, n.name)))];
      }),
    );
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
  readonly daemons: readonly string[];
  private readonly running: RunningNode;
  private readonly dir: string;
  private readonly shell: NodeShell;
  /** Open connections to the FRR daemons' vty sockets, by daemon (vtysh(), readers). */
  private readonly vtys = new Map<string, VtyClient>();
  /** `ip -j -batch -` kept open while reads come (ipJson(), readers), and `ip -6 -j -batch -` for IPv6 ones. */
  private readonly ip: Conversation;
  private readonly ip6: Conversation;
  /** Every daemon's pidfile and log file, by daemon name. */
  private readonly files: ReadonlyMap<string, { pidfile: string; logfile: string; ctl?: string }>;

  constructor(running: RunningNode, frrDaemons: string[], ovsDaemons: readonly Pick<OvsDaemon, 'name' | 'pidfile' | 'logfile' | 'ctl'>[]) {
    this.running = running;
    this.name = running.node.name;
    this.spec = running.node;
    this.frrDaemons = frrDaemons;
    this.dir = nodeDir(running.lab, this.name);
    this.shell = running.shell;
    const frrFiles: Pick<OvsDaemon, 'name' | 'pidfile' | 'logfile' | 'ctl'>[] = frrDaemons.map((d) => ({ name: d, pidfile: join(this.dir, `${d}.pid`), logfile: join(this.dir, `${d}.log`) }));
    this.files = new Map([...frrFiles, ...ovsDaemons].map(({ name, pidfile, logfile, ctl }) => [name, { pidfile, logfile, ...(ctl ? { ctl } : {}) }]));
    this.daemons = [...this.files.keys()];
    this.ip = keptConversation(() => this.shell.converse(['ip', '-j', '-batch', '-']), IP_IDLE_CLOSE_MS);
    this.ip6 = keptConversation(() => this.shell.converse(['ip', '-6', '-j', '-batch', '-']), IP_IDLE_CLOSE_MS);
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

  openChannel(argv: readonly string[]): LineChannel {
    return this.shell.openChannel(argv);
  }

  toolArgv(script: string, args: readonly string[]): string[] {
    // Every runtime makes this Node and this project visible at the same paths inside a node.
    return [process.execPath, toolScript(script), ...args];
  }

  private pidfile(daemon: string): string {
    const file = this.files.get(daemon)?.pidfile;
    if (!file) throw new UsageError(`${this.name} runs no ${daemon} (daemons: ${this.daemons.join(', ') || 'none'})`);
    return file;
  }

  /**
   * The pid in the daemon's pidfile, if that process runs and is this daemon: its command line
   * names the same pidfile (a stale pid may since belong to anything, another lab's daemon too,
   * as namespaces share the host's pid space). The pid is the node's own (a container has its
   * own pid namespace), so /proc is read from inside the node.
   */
  private async runningPid(daemon: string): Promise<{ pid?: number; why: string }> {
    const file = this.pidfile(daemon);
    const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (!Number.isInteger(pid) || pid <= 0) return { why: `${file} holds no pid` };
    const info = await this.shell.processInfo(pid);
    // Gone, or a zombie no one has reaped yet: either way it no longer runs.
    if (!info || !statShowsRunning(info.stat)) return { why: `pid ${pid} from ${file} is not running` };
    if (!info.cmdline.split('\0').some((arg) => arg === file || arg.endsWith(`=${file}`))) return { why: `pid ${pid} from ${file} is another process now` };
    return { pid, why: '' };
  }

  async daemonRunning(daemon: string): Promise<boolean> {
    return (await this.runningPid(daemon)).pid !== undefined;
  }

  async stopDaemon(daemon: string): Promise<void> {
    const { pid, why } = await this.runningPid(daemon);
    if (pid === undefined) throw new LabError(`${this.name}: ${daemon} is not running (${why}), so there is nothing to stop`);
    await this.shell.exec(['kill', '-KILL', String(pid)]);
    await waitFor(
      async () => {
        const info = await this.shell.processInfo(pid);
        const running = info !== undefined && statShowsRunning(info.stat);
        return running ? { ok: false, reason: `${daemon} (pid ${pid}) still running` } : { ok: true, value: true };
      },
      { timeoutMs: 5_000, intervalsMs: [10, 20, 50], description: `${daemon} on ${this.name} to die` },
    );
    // A killed FRR daemon leaves its vty socket behind: without it, a restart's wait for the
    // socket sees the new daemon's, not the dead one's. (OVS daemons replace theirs at start.)
    if (this.frrDaemons.includes(daemon)) {
      const paths = { dir: this.dir };
      await Promise.all([daemonVtySocket(daemon, paths), ...(daemon === 'zebra' ? [join(this.dir, 'zserv.api')] : [])].map((f) => rm(f, { force: true })));
    }
  }

  async startDaemon(daemon: string): Promise<void> {
    this.pidfile(daemon);
    await restartDaemon(this.running, daemon, this.frrDaemons);
  }

  /**
   * A show command one daemon answers goes to that daemon's vty socket over a connection kept
   * open, as vtysh itself would send it, without starting vtysh (about 50 ms of CPU) each time.
   * Anything else, or a daemon that cannot be reached, is run by vtysh.
   */
  async vtysh(command: string): Promise<ExecResult> {
    if (this.spec.role !== 'router') throw new Error(`${this.name} is a host, not an FRR router: it has no vtysh`);
    const argv = ['vtysh', '--vty_socket', this.dir, '-c', command];
    const daemon = daemonAnswering(command);
    if (daemon && this.frrDaemons.includes(daemon)) {
      const started = performance.now();
      try {
        const stdout = await this.vty(daemon).show(command);
        return { argv, exitCode: 0, stdout, stderr: '', durationMs: performance.now() - started };
      } catch (e) {
        if (e instanceof VtyRefused) return { argv, exitCode: e.code, stdout: '', stderr: e.message, durationMs: performance.now() - started };
        // Not reachable (stopped, restarting): vtysh says so in its own words.
      }
    }
    return this.shell.exec(argv);
  }

  async appctl(daemon: string, args: readonly string[]): Promise<ExecResult> {
    this.pidfile(daemon);
    if (this.frrDaemons.includes(daemon)) throw new UsageError(`${this.name}: ${daemon} is an FRR daemon: ask it with vtysh, not ovs-appctl`);
    // Without --unixctl a daemon's socket is $OVS_RUNDIR/<name>.<pid>.ctl, which ovs-appctl finds by its name.
    return this.exec(['ovs-appctl', '-t', this.files.get(daemon)?.ctl ?? daemon, ...args]);
  }

  async daemonLog(daemon: string): Promise<string | undefined> {
    try {
      return await readFile(this.files.get(daemon)?.logfile ?? join(this.dir, `${daemon}.log`), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The connection to one FRR daemon's vty socket, opened again when the last one closed (idle, or the daemon restarted). */
  private vty(daemon: string): VtyClient {
    let vty = this.vtys.get(daemon);
    if (!vty?.usable) this.vtys.set(daemon, (vty = new VtyClient(daemonVtySocket(daemon, { dir: this.dir }))));
    return vty;
  }

  async ipJson(args: readonly string[], opts?: IpReadOptions): Promise<string> {
    // Options belong to the ip process, not to a batch line; a refused line ends ip, which fails the read.
    if (args.some((a) => a.startsWith('-') || /\s/.test(a))) throw new UsageError(`ipJson takes an ip command without options or spaces in a word: ${args.join(' ')}`);
    return (opts?.family === 6 ? this.ip6 : this.ip).ask(args.join(' '));
  }

  openReader(): NodeReader {
    return {
      show: async (daemon, command) => {
        if (!this.frrDaemons.includes(daemon)) throw new UsageError(`${this.name} runs no FRR ${daemon} (FRR daemons: ${this.frrDaemons.join(', ') || 'none'})`);
        return this.vty(daemon).show(command);
      },
      ipJson: (args, opts) => this.ipJson(args, opts),
      close: async () => {},
    };
  }
}
