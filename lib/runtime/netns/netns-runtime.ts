// The default runtime: each node is a Linux network namespace `np.<lab>.<node>`, each link a
// veth pair created directly inside the two namespaces (nothing appears in the root
// namespace), each FRR router a set of FRR daemons started inside its namespace.
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EnvironmentError, UsageError, type Problem } from '../../errors.ts';
import { exec, execOk, type ExecOptions } from '../../exec.ts';
import { waitFor } from '../../expect/wait-for.ts';
import { toTopologyData, type BackgroundProcess, type NodeHandle, type StartedLab, type TopologyData } from '../../lab/started-lab.ts';
import { spawnBackground } from '../../background.ts';
import { namespaceName, parseNamespaceName } from '../../names.ts';
import type { LabNode, Topology } from '../../topology/model.ts';
import type { DeployOptions, DestroyReport, LabStatus, Runtime } from '../runtime.ts';
import { planOverlayNodes, type CentralPlan, type ChassisPlan } from '../../plan/chassis.ts';
import { daemonArgv, daemonsFromConfig, daemonsFromFile, FRR_LIBEXEC } from './frr-daemons.ts';
import { brPhyFlows, centralArgvs, chassisDaemonArgvs, chassisVsctlArgv, ingressDropRuleset, ovsEnv, OVS_BINARIES } from './ovn-daemons.ts';
import { addNamespace, addrAddArgv, deleteNamespace, inNamespace, linkUpArgv, listNamespaces, namespaceId, pidsInNamespaces, vethArgv, type NamespaceId } from './ip.ts';
import { labDir, listStateDirs, nodeDir, readState, removeLabDir, writeState, type NetnsLabState } from './state.ts';

/** Programs a host's exec lines may run here: namespaces share the host's filesystem, so only network configuration. */
export const NETNS_EXEC_PROGRAMS = new Set(['ip', 'tc', 'ethtool', 'sysctl', 'nft', 'bridge']);
const ZEBRA_START_TIMEOUT_MS = 10_000;
const OVN_CONTROLLER_ROUTE_TIMEOUT_MS = 20_000;
// FRR daemons exit within tens of ms on SIGTERM; whatever lingers is killed (the namespace goes anyway).
const KILL_GRACE_MS = 1_000;

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
    if (!existsSync('/usr/sbin/ip') && !existsSync('/usr/bin/ip') && !existsSync('/sbin/ip')) throw new EnvironmentError('ip (iproute2) is not installed', 'npm run bootstrap   # or: apt-get install iproute2');
    if (topology.nodes.some((n) => n.role === 'router')) {
      const missing = ['zebra', 'bgpd', 'staticd'].filter((d) => !existsSync(`${FRR_LIBEXEC}/${d}`));
      if (missing.length || !existsSync('/usr/bin/vtysh')) throw new EnvironmentError(`FRR is not installed (missing ${missing.length ? missing.map((d) => `${FRR_LIBEXEC}/${d}`).join(', ') : '/usr/bin/vtysh'})`, 'npm run bootstrap   # or: apt-get install frr');
    }
    if (topology.overlay) {
      const missing = OVS_BINARIES.filter((b) => !existsSync(b));
      if (missing.length) throw new EnvironmentError(`the overlay needs Open vSwitch, OVN, nftables and ethtool (missing ${missing.join(', ')})`, 'npm run bootstrap   # or: apt-get install openvswitch-switch ovn-central ovn-host nftables ethtool');
    }
  }

  async deploy(topology: Topology, opts: DeployOptions = {}): Promise<StartedLab> {
    const progress = opts.onProgress ?? (() => {});
    const lab = topology.name;
    if ((await readState(lab)) || (await this.labNamespaces(lab)).length) {
      throw new UsageError(`lab "${lab}" is already deployed (or left over from a crash)\n    fix: netproof destroy ${lab}`);
    }
    const deployStartedAt = Date.now();
    const state: NetnsLabState = { runtime: 'netns', name: lab, status: 'deploying', ownerPid: process.pid, topology: toTopologyData(topology), daemons: {}, times: { deployStartedAt } };
    // Written first, so a crash at any later point leaves enough for `destroy` to find.
    await writeState(state);
    try {
      await this.build(topology, state, progress);
    } catch (e) {
      progress('deploy failed: removing what was created');
      await this.destroy(lab);
      throw e;
    }
    state.status = 'running';
    state.times.deployedAt = Date.now();
    await writeState(state);
    return new NetnsLab(state as NetnsLabState & { times: { deployedAt: number } }, this);
  }

  private async build(topology: Topology, state: NetnsLabState, progress: (s: string) => void): Promise<void> {
    const lab = topology.name;
    const ns = (node: string) => namespaceName(lab, node);
    progress(`namespaces: ${topology.nodes.length}`);
    await Promise.all(
      topology.nodes.map(async (n) => {
        await addNamespace(ns(n.name));
        await execOk(linkUpArgv(ns(n.name), 'lo'));
      }),
    );
    progress(`links: ${topology.links.length}`);
    await Promise.all(
      topology.links.map(async (l) => {
        const [a, b] = l.endpoints;
        await execOk(vethArgv({ ns: ns(a.node), iface: a.iface }, { ns: ns(b.node), iface: b.iface }, l.mtu));
        for (const e of [a, b]) {
          for (const cidr of [e.ipv4, e.ipv6]) if (cidr) await execOk(addrAddArgv(ns(e.node), e.iface, cidr));
          await execOk(linkUpArgv(ns(e.node), e.iface));
        }
      }),
    );
    progress('node settings');
    await Promise.all(
      topology.nodes.map(async (n) => {
        const sysctls = { ...(n.role === 'router' ? { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' } : {}), ...n.sysctls };
        const pairs = Object.entries(sysctls).map(([k, v]) => `${k}=${v}`);
        if (pairs.length) await execOk(inNamespace(ns(n.name), ['sysctl', '-q', '-w', ...pairs]));
      }),
    );
    const overlayNodes = topology.overlay ? planOverlayNodes(topology) : undefined;
    if (overlayNodes) {
      // OVS first: br-phy must exist before zebra configures the chassis' addresses on it.
      progress(`OVN central and ${overlayNodes.chassis.length} OVS chassis`);
      await Promise.all([this.startCentral(lab, overlayNodes.central), ...overlayNodes.chassis.map((c) => this.startChassis(lab, c))]);
    }
    const routers = topology.nodes.filter((n) => n.role === 'router');
    progress(`FRR on ${routers.length} routers`);
    await Promise.all(
      routers.map(async (n) => {
        state.daemons[n.name] = await this.startFrr(lab, n);
      }),
    );
    if (overlayNodes) {
      progress('ovn-controller on each chassis once the OVN central is routed');
      await Promise.all(overlayNodes.chassis.map((c) => this.startOvnController(lab, c, overlayNodes.central.address)));
    }
    // containerlab runs exec lines once the node is up.
    await Promise.all(
      topology.nodes.map(async (n) => {
        for (const argv of n.exec) await execOk(inNamespace(ns(n.name), argv));
      }),
    );
  }

  private async startCentral(lab: string, c: CentralPlan): Promise<void> {
    const dir = await this.makeNodeDir(lab, c.node);
    const { create, start } = centralArgvs(dir);
    for (const argv of create) await execOk(argv);
    for (const argv of start) await execOk(inNamespace(namespaceName(lab, c.node), argv), { env: { ...process.env, ...ovsEnv(dir) } });
  }

  private async startChassis(lab: string, c: ChassisPlan): Promise<void> {
    const dir = await this.makeNodeDir(lab, c.node);
    const ns = namespaceName(lab, c.node);
    const env = { ...process.env, ...ovsEnv(dir) };
    const run = (argv: string[], input?: string) => execOk(inNamespace(ns, argv), { env, input, timeoutMs: 40_000 });
    const d = chassisDaemonArgvs(dir);
    await execOk(d.create);
    await run(d.ovsdb);
    await run(['ovs-vsctl', '--no-wait', 'init']);
    await run(d.vswitchd);
    await run(chassisVsctlArgv(c));
    await run(['ovs-ofctl', 'add-flows', 'br-phy', '-'], brPhyFlows(c));
    await execOk(linkUpArgv(ns, 'br-phy'));
    await run(['nft', '-f', '-'], ingressDropRuleset([...c.uplinks.map((u) => u.iface), ...c.vmPorts.map((p) => p.iface)]));
    // Checksum offload on a veth whose peer OVS reads leaves TCP checksums unfilled (BGP and
    // VM TCP would fail): the sending ends fill them in software.
    await Promise.all([
      ...c.uplinks.map((u) => execOk(inNamespace(namespaceName(lab, u.peer.node), ['ethtool', '-K', u.peer.iface, 'tx', 'off']))),
      ...c.vmPorts.map((p) => execOk(inNamespace(namespaceName(lab, p.vm), ['ethtool', '-K', p.vmIface, 'tx', 'off']))),
    ]);
  }

  /**
   * ovn-controller backs off (1, 2, 4, 8 s) while the SB database is unreachable, so started
   * before BGP has converged it connects seconds late. Start it once the chassis has a route
   * to the central; if none comes, start it anyway and let it retry.
   */
  private async startOvnController(lab: string, c: ChassisPlan, centralAddress: string): Promise<void> {
    const dir = nodeDir(lab, c.node);
    const ns = namespaceName(lab, c.node);
    await waitFor(
      async () => {
        const r = await exec(inNamespace(ns, ['ip', '-4', 'route', 'show', 'exact', `${centralAddress}/32`]));
        return r.stdout.trim() ? { ok: true, value: true } : { ok: false, reason: `${c.node} has no route to the OVN central ${centralAddress}` };
      },
      { timeoutMs: OVN_CONTROLLER_ROUTE_TIMEOUT_MS, intervalsMs: [50, 100], description: `${c.node} to learn a route to ${centralAddress}` },
    ).catch(() => undefined);
    await execOk(inNamespace(ns, chassisDaemonArgvs(dir).controller), { env: { ...process.env, ...ovsEnv(dir) } });
  }

  private async makeNodeDir(lab: string, node: string): Promise<string> {
    const dir = nodeDir(lab, node);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  private async startFrr(lab: string, node: LabNode): Promise<string[]> {
    const dir = await this.makeNodeDir(lab, node.name);
    // Daemons read (and may rewrite) a copy: the user's file is never touched.
    await copyFile(node.frr!.config, join(dir, 'frr.conf'));
    await execOk(['chown', 'frr:frr', dir, join(dir, 'frr.conf')]);
    const daemons = node.frr!.daemons ? daemonsFromFile(await readFile(node.frr!.daemons, 'utf8')) : daemonsFromConfig(await readFile(node.frr!.config, 'utf8'));
    const missing = daemons.filter((d) => !existsSync(`${FRR_LIBEXEC}/${d}`));
    if (missing.length) throw new EnvironmentError(`${node.name} needs FRR daemons that are not installed: ${missing.join(', ')}`, 'apt-get install frr');
    const ns = namespaceName(lab, node.name);
    const start = (d: string) => execOk(inNamespace(ns, daemonArgv(d, { dir })), { timeoutMs: 15_000 });
    await start('zebra');
    // Other daemons retry the zebra socket, but waiting here keeps their startup logs clean.
    await waitFor(async () => (existsSync(join(dir, 'zserv.api')) ? { ok: true, value: true } : { ok: false, reason: `${join(dir, 'zserv.api')} not created yet; see ${join(dir, 'zebra.log')}` }), {
      timeoutMs: ZEBRA_START_TIMEOUT_MS,
      intervalsMs: [10, 20, 50],
      description: `zebra on ${node.name} to open its socket`,
    });
    await Promise.all(daemons.filter((d) => d !== 'zebra').map(start));
    return daemons;
  }

  async attach(lab: string): Promise<StartedLab> {
    const state = await readState(lab);
    if (!state) throw new UsageError(`no lab named "${lab}" is deployed (see: netproof status)`);
    if (state.status !== 'running' || !state.times.deployedAt) throw new UsageError(`lab "${lab}" is still deploying or its deploy failed (see: netproof status; clean up: netproof destroy ${lab})`);
    return new NetnsLab(state as NetnsLabState & { times: { deployedAt: number } }, this);
  }

  private async labNamespaces(lab: string): Promise<string[]> {
    return (await listNamespaces()).filter((n) => parseNamespaceName(n)?.lab === lab);
  }

  async destroy(lab: string): Promise<DestroyReport> {
    const removed: string[] = [];
    const namespaces = await this.labNamespaces(lab);
    // Names go first, so nothing new enters (`ip netns exec` of a worker still probing fails);
    // then every process left inside is the lab's: FRR daemons and anything exec'd there.
    const ids = (await Promise.all(namespaces.map(namespaceId))).filter((id) => id !== undefined);
    await Promise.all(namespaces.map(deleteNamespace));
    removed.push(...namespaces.map((n) => `netns ${n}`));
    const killed = await killAllIn(lab, ids);
    if (killed) removed.push(`${killed} processes`);
    if (existsSync(labDir(lab))) {
      await removeLabDir(lab);
      removed.push(labDir(lab));
    }
    return { lab, removed };
  }

  async list(): Promise<LabStatus[]> {
    const byLab = new Map<string, LabStatus>();
    for (const name of await listStateDirs()) {
      const s = await readState(name);
      if (!s) continue;
      byLab.set(name, {
        name,
        runtime: 'netns',
        state: s.status,
        nodes: s.topology.nodes.map((n) => n.name),
        file: s.topology.file,
        deployedAt: s.times.deployedAt,
        ownerPid: isAlive(s.ownerPid) ? s.ownerPid : undefined,
      });
    }
    for (const ns of await listNamespaces()) {
      const p = parseNamespaceName(ns);
      if (!p || byLab.has(p.lab)) continue;
      byLab.set(p.lab, { name: p.lab, runtime: 'netns', state: 'orphaned', nodes: [] });
    }
    for (const ns of await listNamespaces()) {
      const p = parseNamespaceName(ns);
      const entry = p && byLab.get(p.lab);
      if (p && entry?.state === 'orphaned') entry.nodes.push(p.node);
    }
    return [...byLab.values()];
  }
}

/**
 * SIGTERM every process in the namespaces, SIGKILL what lingers, and repeat until none is left
 * (a process inside may have started another meanwhile). Returns how many were signalled.
 */
async function killAllIn(lab: string, ids: NamespaceId[]): Promise<number> {
  const termSentAt = new Map<number, number>();
  await waitFor(
    async () => {
      const pids = (await pidsInNamespaces(ids)).filter(isAlive);
      if (!pids.length) return { ok: true, value: true };
      for (const pid of pids) {
        const sentAt = termSentAt.get(pid);
        if (sentAt === undefined) termSentAt.set(pid, Date.now());
        signal([pid], sentAt !== undefined && Date.now() - sentAt > KILL_GRACE_MS ? 'SIGKILL' : 'SIGTERM');
      }
      return { ok: false, reason: `still running: ${pids.join(' ')}` };
    },
    { timeoutMs: KILL_GRACE_MS * 5, intervalsMs: [20, 50, 100, 200], description: `lab ${lab}'s processes to exit` },
  );
  return termSentAt.size;
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

/** Running, and not a zombie waiting for its (re)parent to reap it: daemons are reparented to PID 1. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) S …" — the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

class NetnsLab implements StartedLab {
  readonly runtime = 'netns';
  readonly name: string;
  readonly topology: TopologyData;
  readonly times: { deployStartedAt: number; deployedAt: number };
  private readonly handles: Map<string, NodeHandle>;
  private readonly owner: NetnsRuntime;

  constructor(state: NetnsLabState & { times: { deployedAt: number } }, owner: NetnsRuntime) {
    this.name = state.name;
    this.topology = state.topology;
    this.times = { deployStartedAt: state.times.deployStartedAt, deployedAt: state.times.deployedAt };
    this.owner = owner;
    this.handles = new Map(state.topology.nodes.map((n) => [n.name, new NetnsNode(state.name, n, state.daemons[n.name] ?? [])]));
  }

  node(name: string): NodeHandle {
    const h = this.handles.get(name);
    if (!h) throw new Error(`lab ${this.name} has no node "${name}" (nodes: ${[...this.handles.keys()].join(', ')})`);
    return h;
  }

  nodes(): NodeHandle[] {
    return [...this.handles.values()];
  }

  async destroy(): Promise<void> {
    await this.owner.destroy(this.name);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}

class NetnsNode implements NodeHandle {
  readonly name: string;
  readonly spec: LabNode;
  readonly frrDaemons: readonly string[];
  private readonly ns: string;
  private readonly dir: string;

  constructor(lab: string, spec: LabNode, frrDaemons: string[]) {
    this.name = spec.name;
    this.spec = spec;
    this.frrDaemons = frrDaemons;
    this.ns = namespaceName(lab, spec.name);
    this.dir = nodeDir(lab, spec.name);
  }

  exec(argv: readonly string[], opts?: ExecOptions) {
    // In a container `vtysh` finds FRR at /var/run/frr; here each node's FRR listens in its
    // own directory, so point vtysh there and `exec LAB NODE -- vtysh -c …` works the same.
    if (this.spec.role === 'router' && basename(argv[0] ?? '') === 'vtysh' && !argv.includes('--vty_socket')) {
      argv = [argv[0]!, '--vty_socket', this.dir, ...argv.slice(1)];
    }
    // Like a container's defaults: OVS/OVN tools find this node's daemons.
    const env = this.spec.role === 'router' ? { ...process.env, ...ovsEnv(this.dir), ...opts?.env } : opts?.env;
    return exec(inNamespace(this.ns, argv), { ...opts, env });
  }

  async stopFrrDaemon(daemon: string): Promise<void> {
    const pid = Number.parseInt(await readFile(join(this.dir, `${daemon}.pid`), 'utf8'), 10);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${this.name}: no pid for ${daemon}`);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (isAlive(pid) ? { ok: false, reason: `${daemon} (pid ${pid}) still running` } : { ok: true, value: true }), {
      timeoutMs: 5_000,
      intervalsMs: [10, 20, 50],
      description: `${daemon} on ${this.name} to die`,
    });
  }

  async startFrrDaemon(daemon: string): Promise<void> {
    const r = await exec(inNamespace(this.ns, daemonArgv(daemon, { dir: this.dir })), { timeoutMs: 15_000 });
    if (r.exitCode !== 0) throw new Error(`${this.name}: starting ${daemon} failed: ${r.stderr.trim()}`);
  }

  toolArgv(script: string, args: readonly string[]): string[] {
    // Namespaces share the host's filesystem: the same Node and the same file.
    return [process.execPath, script, ...args];
  }

  spawn(argv: readonly string[]): BackgroundProcess {
    return spawnBackground(inNamespace(this.ns, argv));
  }

  vtysh(command: string) {
    if (this.spec.role !== 'router') throw new Error(`${this.name} is a host, not an FRR router: it has no vtysh`);
    return exec(['vtysh', '--vty_socket', this.dir, '-c', command]);
  }

  async daemonLog(daemon: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, `${daemon}.log`), 'utf8');
    } catch {
      return undefined;
    }
  }
}
