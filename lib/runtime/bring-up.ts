// Bringing a lab's nodes up once they exist and are wired: addresses, sysctls, OVS/OVN, FRR,
// ovn-controller, the nodes' own exec lines. The same for every runtime: each step runs
// inside a node through its NodeShell, and every file lives in the node's state directory
// (a container sees it at the same path).
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../wait-for.ts';
import { planOverlayNodes, sendingEndsOf, type CentralPlan, type ChassisPlan, type OverlayNodes } from '../plan/chassis.ts';
import type { LabNode, Topology } from '../model/topology.ts';
import { EnvironmentError, LabError } from '../errors.ts';
import type { FrrConfigProblem } from '../lab/started-lab.ts';
import { parseDaemonLog, parseVtyshApply } from '../lab/frr-config-problems.ts';
import {
  applyIntegratedConfigArgv,
  daemonArgv,
  WRITES_FRR_STATE_DIR,
  daemonConfigFile,
  defaultDaemonConfig,
  integratedConfigName,
  listedDaemons,
  withoutIdleStaticd,
  daemonVtySocket,
  FRR_LIBEXEC,
  integratedConfigFile,
  type DaemonPaths,
} from '../render/frr-daemons.ts';
import { execOkIn, type NodeShell } from './node-shell.ts';
import { bgpSessionsEstablished, startedAfterBgp } from './bfd-after-bgp.ts';
import { centralArgvs, chassisDaemons, chassisSetupSteps, overlayDaemonsOf, ovsEnv, type Step } from '../render/ovn-daemons.ts';
import { ctZeroSnatNote, ctZeroSnatOffArgvs, DATAPATH_ROWS_ARGV, hasUnNatAssertion, parseDatapathRows, parseOvsVersion } from '../render/ovs-conntrack.ts';
import type { Progress } from './runtime.ts';
import { nodeDir } from './state.ts';
import { settleAll } from './settle-all.ts';
import { linkEnds, needsPinning, neighbourPins, neighbourSoftLimit, parseIpAddr } from './pin-neighbours.ts';

const DAEMON_START_TIMEOUT_MS = 10_000;
const OVN_CONTROLLER_ROUTE_TIMEOUT_MS = 20_000;

export interface BringUpContext {
  topology: Topology;
  shell(node: string): NodeShell;
  progress: Progress;
  /** Aborts the waits (for sockets, sessions, routes) once the lab is being torn down. */
  signal?: AbortSignal;
}

export interface BroughtUp {
  /** FRR daemons started per router. */
  daemons: Record<string, string[]>;
  /** What FRR refused of the routers' configuration: the lab does not run what was written. */
  frrConfigProblems: FrrConfigProblem[];
  /** What bring-up did beyond the topology's letter, for the report (e.g. neighbour entries pinned). */
  bringUpNotes: string[];
}

/** Configure and start everything on nodes that exist and are linked. */
export async function bringUp(ctx: BringUpContext): Promise<BroughtUp> {
  const { topology, shell, progress, signal } = ctx;
  const lab = topology.name;
  progress('addresses and node settings');
  await settleAll(
    topology.nodes.map(async (n) => {
      // Before the links come up: their IPv6 link-local addresses then skip duplicate address
      // detection (a point-to-point veth has no one to clash with). Tentative for a second or
      // two, they would race FRR's first sessions: a numbered session carrying IPv6 routes takes
      // its next hop when it comes up (none yet: an IPv4-mapped one, unreachable), and
      // unnumbered sessions wait for them. `-e`: a kernel without IPv6 has no such keys.
      const dad = linkDadSysctls(topology, n.name);
      if (dad.length) await execOkIn(shell(n.name), ['sysctl', '-q', '-e', '-w', ...dad]);
      await execOkIn(shell(n.name), ['ip', '-batch', '-'], { input: interfaceBatch(topology, n.name) });
      const sysctls = { ...(n.role === 'router' ? { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' } : {}), ...n.sysctls };
      const pairs = Object.entries(sysctls).map(([k, v]) => `${k}=${v}`);
      if (pairs.length) await execOkIn(shell(n.name), ['sysctl', '-q', '-w', ...pairs]);
    }),
  );
  const overlayNodes = overlayNodesOf(topology);
  const overlayNotes: string[] = [];
  if (overlayNodes) {
    // OVS first: br-phy must exist before zebra configures the chassis' addresses on it.
    progress(`OVN central and ${overlayNodes.chassis.length} OVS chassis`);
    const [, ...avoided] = await settleAll<string | undefined | void>([startCentral(lab, shell(overlayNodes.central.node), overlayNodes.central), ...overlayNodes.chassis.map((c) => startChassis(lab, shell, c))]);
    overlayNotes.push(...conntrackNotes(overlayNodes.chassis.map((c, i) => ({ node: c.node, version: avoided[i] ?? undefined }))));
  }
  const routers = topology.nodes.filter((n) => n.role === 'router');
  progress(`FRR on ${routers.length} routers`);
  const daemons: Record<string, string[]> = {};
  const frrConfigProblems: FrrConfigProblem[] = [];
  const startedFrr = await settleAll(
    routers.map(async (n) => {
      const started = await startFrr(lab, shell(n.name), n, signal);
      daemons[n.name] = started.daemons;
      frrConfigProblems.push(...started.problems);
      return { node: n, started };
    }),
  );
  const bringUpNotes: string[] = [...overlayNotes];
  if (topology.links.length) bringUpNotes.push('IPv6 duplicate address detection off on every link end (net.ipv6.conf.IFACE.accept_dad=0): link-local addresses usable before FRR starts');
  const softLimit = neighbourSoftLimit();
  if (needsPinning(topology.links, softLimit)) {
    progress('neighbour entries pinned on every addressed link');
    bringUpNotes.push(await pinLinkNeighbours(topology, shell, softLimit));
  }
  // Every router's configuration is in: sessions can establish, and bfdd follows them (bfd-after-bgp.ts).
  if (startedFrr.some(({ started }) => started.afterBgp.length)) progress('BFD once the BGP sessions are established');
  await settleAll(startedFrr.map(async ({ node, started }) => frrConfigProblems.push(...(await startAfterBgp(lab, shell(node.name), node, started.afterBgp, signal)))));
  if (overlayNodes) {
    progress('ovn-controller on each chassis once the OVN central is routed');
    await settleAll(overlayNodes.chassis.map((c) => startOvnController(lab, shell(c.node), c, overlayNodes.central.address, signal)));
  }
  // containerlab runs exec lines once the node is up.
  await settleAll(
    topology.nodes.map(async (n) => {
      for (const argv of n.exec) await execOkIn(shell(n.name), argv);
    }),
  );
  return { daemons, frrConfigProblems: sortedProblems(frrConfigProblems), bringUpNotes };
}

/** Pin every addressed link's peers (pin-neighbours.ts) from the addresses FRR has set; says what it did. */
async function pinLinkNeighbours(topology: Topology, shell: (node: string) => NodeShell, softLimit: number): Promise<string> {
  const linked = [...new Set(topology.links.flatMap((l) => l.endpoints.map((e) => e.node)))];
  // Netlink waits its turn behind every zebra installing routes: on a large fabric, minutes, not the usual one.
  const live = new Map(await settleAll(linked.map(async (node) => [node, parseIpAddr((await execOkIn(shell(node), ['ip', '-j', 'addr', 'show'], { timeoutMs: 300_000 })).stdout)] as const)));
  const pins = neighbourPins(topology.links, live);
  await settleAll([...pins].map(([node, lines]) => execOkIn(shell(node), ['ip', '-batch', '-'], { input: `${lines.join('\n')}\n`, timeoutMs: 300_000 })));
  const count = [...pins.values()].reduce((n, l) => n + l.length, 0);
  return `${count} of ${linkEnds(topology.links)} link ends' neighbour (ARP) entries pinned permanent: the lab's links would take more than half the kernel's shared neighbour table soft limit (gc_thresh2 ${softLimit}), and permanent entries do not count against its hard limit`;
}

/**
 * Sorted, each once: a line of frr.conf that no daemon accepts is refused by every vtysh pass
 * that reads the file, and a daemon started after BGP (bfdd) has the file applied again.
 */
export function sortedProblems(ps: readonly FrrConfigProblem[]): FrrConfigProblem[] {
  const seen = new Set<string>();
  const once = ps.filter((p) => {
    const key = JSON.stringify([p.node, p.file, p.line, p.statement]);
    return !seen.has(key) && seen.add(key);
  });
  return once.sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }) || (a.line ?? 0) - (b.line ?? 0));
}

/** `sysctl -w` arguments that turn duplicate address detection off on each of a node's link ends (slashes: an interface name may hold a dot). */
export function linkDadSysctls(topology: Topology, node: string): string[] {
  return topology.links.flatMap((l) => l.endpoints.filter((e) => e.node === node).map((e) => `net/ipv6/conf/${e.iface}/accept_dad=0`));
}

/**
 * `ip -batch` input that brings a node's loopback and links up with their addresses: one
 * command per node however many links it has. Interface names were validated by the loader
 * and addresses parsed by ip-address, so nothing here can be read as another keyword.
 */
export function interfaceBatch(topology: Topology, node: string): string {
  const lines = ['link set dev lo up'];
  for (const link of topology.links) {
    for (const e of link.endpoints) {
      if (e.node !== node) continue;
      for (const cidr of [e.ipv4, e.ipv6]) if (cidr) lines.push(`addr add ${cidr} dev ${e.iface}`);
      lines.push(`link set dev ${e.iface} up`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function makeNodeDir(lab: string, node: string): Promise<string> {
  const dir = nodeDir(lab, node);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** OVS/OVN steps inside a node, with the node's OVS/OVN directories. */
async function runOvsSteps(shell: NodeShell, dir: string, steps: readonly Step[]): Promise<void> {
  for (const step of steps) await execOkIn(shell, step.argv, { env: ovsEnv(dir), input: step.stdin?.text, timeoutMs: 40_000 });
}

async function startCentral(lab: string, shell: NodeShell, c: CentralPlan): Promise<void> {
  const dir = await makeNodeDir(lab, c.node);
  const { create, start } = centralArgvs(dir);
  for (const argv of create) await execOkIn(shell, argv);
  await runOvsSteps(shell, dir, start.map((argv) => ({ argv })));
}

/** Starts a chassis' OVS; the OVS version, when it needed the conntrack crash kept away. */
async function startChassis(lab: string, shellOf: (node: string) => NodeShell, c: ChassisPlan): Promise<string | undefined> {
  const dir = await makeNodeDir(lab, c.node);
  await runOvsSteps(shellOf(c.node), dir, chassisSetupSteps(c, dir));
  const avoided = await avoidUnNatAssertion(shellOf(c.node), dir);
  // Checksum offload on a veth whose peer OVS reads leaves TCP checksums unfilled (BGP and
  // VM TCP would fail): the sending ends fill them in software.
  await settleAll(sendingEndsOf(c).map((end) => execOkIn(shellOf(end.node), ['ethtool', '-K', end.iface, 'tx', 'off'])));
  return avoided;
}

/**
 * On an OVS release whose userspace conntrack aborts on NAT's reverse entries (ovs-conntrack.ts),
 * report ct_zero_snat off before ovn-controller starts; again after every ovs-vswitchd start,
 * which reports its real capabilities. The version when it did, for the report.
 */
async function avoidUnNatAssertion(shell: NodeShell, dir: string): Promise<string | undefined> {
  const version = parseOvsVersion((await execOkIn(shell, ['ovs-vswitchd', '--version'], { env: ovsEnv(dir) })).stdout);
  if (!version || !hasUnNatAssertion(version)) return undefined;
  const rows = parseDatapathRows((await execOkIn(shell, [...DATAPATH_ROWS_ARGV], { env: ovsEnv(dir) })).stdout);
  await runOvsSteps(shell, dir, ctZeroSnatOffArgvs(`${dir}/ovs-vswitchd.ctl`, rows).map((argv) => ({ argv })));
  return version;
}

/** One note per OVS version that needed it, naming its chassis. */
function conntrackNotes(chassis: { node: string; version: string | undefined }[]): string[] {
  const versions = [...new Set(chassis.flatMap((c) => (c.version ? [c.version] : [])))];
  return versions.map((v) => ctZeroSnatNote(v, chassis.filter((c) => c.version === v).map((c) => c.node)));
}

/**
 * ovn-controller backs off (1, 2, 4, 8 s) while the SB database is unreachable, so started
 * before BGP has converged it connects seconds late. Start it once the chassis has a route
 * to the central; if none comes, start it anyway and let it retry.
 */
async function startOvnController(lab: string, shell: NodeShell, c: ChassisPlan, centralAddress: string, signal?: AbortSignal): Promise<void> {
  const dir = nodeDir(lab, c.node);
  const routed = await waitFor(
    async () => {
      const r = await shell.exec(['ip', '-4', 'route', 'show', 'exact', `${centralAddress}/32`]);
      return r.stdout.trim() ? { ok: true, value: true } : { ok: false, reason: `${c.node} has no route to the OVN central ${centralAddress}` };
    },
    { timeoutMs: OVN_CONTROLLER_ROUTE_TIMEOUT_MS, intervalsMs: [50, 100], description: `${c.node} to learn a route to ${centralAddress}`, signal },
  ).catch((e: unknown) => e);
  // No route in time: start it anyway, it retries. Torn down meanwhile: stop here.
  if (signal?.aborted) throw routed;
  await runOvsSteps(shell, dir, chassisDaemons(c, dir).find((d) => d.name === 'ovn-controller')!.steps);
}

/** A running node, as restartDaemon needs it. */
export interface RunningNode {
  lab: string;
  topology: Pick<Topology, 'nodes' | 'links' | 'overlay'>;
  node: LabNode;
  shell: NodeShell;
}

/** The overlay's physical plan, when the lab has an overlay. */
export const overlayNodesOf = (topology: Pick<Topology, 'nodes' | 'links' | 'overlay'>): OverlayNodes | undefined => (topology.overlay ? planOverlayNodes(topology) : undefined);

/**
 * Start one daemon of a running node again (a stop-daemon fault undone), the way bring-up
 * started it. An FRR daemon gets its lines of frr.conf applied again, as FRR does when it
 * restarts one daemon (vtysh -b -d DAEMON); an OVS/OVN daemon runs its bring-up steps again
 * (ovs-vswitchd rebuilds the bridges from its database and gets br-phy's flows back;
 * ovn-controller waits for the route to the central, as at bring-up).
 */
export async function restartDaemon({ lab, topology, node, shell }: RunningNode, daemon: string, frrDaemons: readonly string[]): Promise<void> {
  const dir = nodeDir(lab, node.name);
  if (frrDaemons.includes(daemon)) {
    const paths = { dir };
    await startFrrDaemon(shell, node.name, daemon, paths);
    // Refusals were reported at bring-up.
    const file = integratedConfigName(node);
    if (file) await applyIntegratedConfig(shell, paths, { node: node.name, file, text: await readFile(integratedConfigFile(paths), 'utf8') }, daemon);
    return;
  }
  const overlay = overlayNodesOf(topology);
  const ovs = overlayDaemonsOf(overlay, node.name, dir).find((d) => d.name === daemon);
  if (!ovs) throw new Error(`${node.name} runs no ${daemon}`);
  const chassis = overlay!.chassis.find((c) => c.node === node.name);
  if (daemon === 'ovn-controller' && chassis) await startOvnController(lab, shell, chassis, overlay!.central.address);
  else await runOvsSteps(shell, dir, ovs.steps);
  if (daemon === 'ovs-vswitchd' && chassis) await avoidUnNatAssertion(shell, dir);
}

interface FrrStart {
  daemons: string[];
  problems: FrrConfigProblem[];
  /** Daemons not started yet: they start once the router's BGP sessions are established. */
  afterBgp: string[];
}

/**
 * FRR on one router, the way FRR's start-up does it: every daemon starts with its own
 * per-daemon file (a copy of the lab's, or an empty one), then the integrated frr.conf is
 * applied through vtysh. What FRR refuses of either is returned, in FRR's own words.
 */
async function startFrr(lab: string, shell: NodeShell, node: LabNode, signal?: AbortSignal): Promise<FrrStart> {
  const paths = { dir: await makeNodeDir(lab, node.name) };
  const files = node.frr!;
  const integrated = files.config === undefined ? files.configText : await readFile(files.config, 'utf8');
  const listed = listedDaemons(files, files.daemons ? await readFile(files.daemons, 'utf8') : undefined, integrated);
  const daemons = withoutIdleStaticd(listed, integrated, Object.keys(files.daemonConfigs));
  // Daemons read (and may rewrite) copies: the user's files are never touched.
  const copies = [integratedConfigFile(paths), ...daemons.map((d) => daemonConfigFile(d, paths))];
  if (integrated !== undefined) await writeFile(integratedConfigFile(paths), integrated);
  await settleAll(daemons.map((d) => (files.daemonConfigs[d] ? copyFile(files.daemonConfigs[d], daemonConfigFile(d, paths)) : writeFile(daemonConfigFile(d, paths), defaultDaemonConfig(node.name)))));
  await execOkIn(shell, ['chown', 'frr:frr', paths.dir, ...copies.filter((f) => existsSync(f))]);

  const afterBgp = startedAfterBgp(daemons);
  await startFrrDaemon(shell, node.name, 'zebra', paths, signal);
  await settleAll(daemons.filter((d) => d !== 'zebra' && !afterBgp.includes(d)).map((d) => startFrrDaemon(shell, node.name, d, paths, signal)));
  const problems: FrrConfigProblem[] = [];
  for (const [daemon, file] of Object.entries(files.daemonConfigs)) {
    if (!daemons.includes(daemon) || afterBgp.includes(daemon)) continue;
    const log = await readFile(join(paths.dir, `${daemon}.log`), 'utf8').catch(() => '');
    problems.push(...parseDaemonLog(log, await readFile(file, 'utf8'), { node: node.name, file, daemon }));
  }
  if (integrated !== undefined) problems.push(...(await applyIntegratedConfig(shell, paths, { node: node.name, file: integratedConfigName(node)!, text: integrated })));
  return { daemons, problems, afterBgp };
}

/** Start a router's deferred daemons once its BGP sessions are established, with their configuration, as FRR restarts one daemon. */
async function startAfterBgp(lab: string, shell: NodeShell, node: LabNode, later: readonly string[], signal?: AbortSignal): Promise<FrrConfigProblem[]> {
  if (!later.length) return [];
  const paths = { dir: nodeDir(lab, node.name) };
  await bgpSessionsEstablished(paths, undefined, signal);
  const problems: FrrConfigProblem[] = [];
  for (const daemon of later) {
    await startFrrDaemon(shell, node.name, daemon, paths, signal);
    const own = node.frr!.daemonConfigs[daemon];
    if (own) problems.push(...parseDaemonLog(await readFile(join(paths.dir, `${daemon}.log`), 'utf8').catch(() => ''), await readFile(own, 'utf8'), { node: node.name, file: own, daemon }));
    const file = integratedConfigName(node);
    if (file !== undefined) problems.push(...(await applyIntegratedConfig(shell, paths, { node: node.name, file, text: await readFile(integratedConfigFile(paths), 'utf8') }, daemon)));
  }
  return problems;
}

/**
 * Start one FRR daemon and wait until vtysh can reach it. zebra comes first: the others
 * retry its socket, but waiting keeps their start-up logs clean.
 */
export async function startFrrDaemon(shell: NodeShell, node: string, daemon: string, paths: DaemonPaths, signal?: AbortSignal): Promise<void> {
  try {
    const argv = daemonArgv(daemon, paths);
    await execOkIn(shell, WRITES_FRR_STATE_DIR.includes(daemon) ? shell.withOwnFrrStateDir(argv, paths.dir) : argv, { timeoutMs: 15_000 });
  } catch (e) {
    // A daemon the node's files ask for but FRR's package lacks is the environment's fault.
    if ((await shell.exec(['test', '-x', `${FRR_LIBEXEC}/${daemon}`])).exitCode !== 0) throw new EnvironmentError(`${node} needs the FRR daemon ${daemon}, which is not installed (${FRR_LIBEXEC}/${daemon})`, 'apt-get install frr');
    throw new LabError(`${node}: FRR's ${daemon} did not start: ${(e as Error).message}${await logTail(paths, daemon)}`);
  }
  const sockets = daemon === 'zebra' ? [join(paths.dir, 'zserv.api'), daemonVtySocket(daemon, paths)] : [daemonVtySocket(daemon, paths)];
  await waitFor(
    async () => {
      const missing = sockets.filter((s) => !existsSync(s));
      return missing.length ? { ok: false, reason: `${missing.join(', ')} not created yet; see ${join(paths.dir, `${daemon}.log`)}` } : { ok: true, value: true };
    },
    { timeoutMs: DAEMON_START_TIMEOUT_MS, intervalsMs: [10, 20, 50], description: `${daemon} on ${node} to open its sockets`, signal },
  ).catch(async (e: unknown) => {
    if (signal?.aborted) throw e;
    throw new LabError(`${node}: FRR's ${daemon} started but never opened its sockets: ${(e as Error).message}${await logTail(paths, daemon)}`);
  });
}

/** The last lines a daemon logged, as evidence in an error (empty when it logged nothing). */
async function logTail(paths: DaemonPaths, daemon: string, lines = 10): Promise<string> {
  const file = join(paths.dir, `${daemon}.log`);
  const log = (await readFile(file, 'utf8').catch(() => '')).trim();
  return log ? `\n    ${file}, last lines:\n${log.split('\n').slice(-lines).map((l) => `      ${l}`).join('\n')}` : `\n    ${file} is empty`;
}

/**
 * Apply the node's frr.conf through vtysh, to every daemon or to one restarted daemon, and
 * return every line FRR refused. vtysh exits non-zero whenever it reports one.
 */
export async function applyIntegratedConfig(shell: NodeShell, paths: DaemonPaths, conf: { node: string; file: string; text: string }, daemon?: string): Promise<FrrConfigProblem[]> {
  const r = await shell.exec(applyIntegratedConfigArgv(paths, daemon), { timeoutMs: 120_000 });
  const problems = parseVtyshApply(r.stdout, conf.text, { node: conf.node, file: conf.file });
  if (r.exitCode !== 0 && !problems.length) {
    const said = (r.stdout + r.stderr).trim().split('\n').slice(-5).join(' | ');
    problems.push({ node: conf.node, file: conf.file, statement: '', message: `vtysh could not apply the file (exit ${r.exitCode}): ${said || 'no output'}` });
  }
  return problems;
}
