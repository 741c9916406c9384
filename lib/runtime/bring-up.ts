// Bringing a lab's nodes up once they exist and are wired: addresses, sysctls, OVS/OVN, FRR,
// ovn-controller, the nodes' own exec lines. The same for every runtime: each step runs
// inside a node through its NodeShell, and every file lives in the node's state directory
// (a container sees it at the same path).
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../expect/wait-for.ts';
import { planOverlayNodes, type CentralPlan, type ChassisPlan } from '../plan/chassis.ts';
import type { LabNode, Topology } from '../topology/model.ts';
import { EnvironmentError } from '../errors.ts';
import { daemonArgv, daemonsFromConfig, daemonsFromFile, FRR_LIBEXEC } from './frr-daemons.ts';
import { execOkIn, type NodeShell } from './node-shell.ts';
import { centralArgvs, chassisDaemonArgvs, chassisSetupSteps, ovsEnv } from './ovn-daemons.ts';
import type { Progress } from './runtime.ts';
import { nodeDir } from './state.ts';

const ZEBRA_START_TIMEOUT_MS = 10_000;
const OVN_CONTROLLER_ROUTE_TIMEOUT_MS = 20_000;

export interface BringUpContext {
  topology: Topology;
  shell(node: string): NodeShell;
  progress: Progress;
}

/** Configure and start everything on nodes that exist and are linked. Returns the FRR daemons started per router. */
export async function bringUp(ctx: BringUpContext): Promise<Record<string, string[]>> {
  const { topology, shell, progress } = ctx;
  const lab = topology.name;
  progress('addresses and node settings');
  await Promise.all(
    topology.nodes.map(async (n) => {
      await execOkIn(shell(n.name), ['ip', '-batch', '-'], { input: interfaceBatch(topology, n.name) });
      const sysctls = { ...(n.role === 'router' ? { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' } : {}), ...n.sysctls };
      const pairs = Object.entries(sysctls).map(([k, v]) => `${k}=${v}`);
      if (pairs.length) await execOkIn(shell(n.name), ['sysctl', '-q', '-w', ...pairs]);
    }),
  );
  const overlayNodes = topology.overlay ? planOverlayNodes(topology) : undefined;
  if (overlayNodes) {
    // OVS first: br-phy must exist before zebra configures the chassis' addresses on it.
    progress(`OVN central and ${overlayNodes.chassis.length} OVS chassis`);
    await Promise.all([startCentral(lab, shell(overlayNodes.central.node), overlayNodes.central), ...overlayNodes.chassis.map((c) => startChassis(lab, shell, c))]);
  }
  const routers = topology.nodes.filter((n) => n.role === 'router');
  progress(`FRR on ${routers.length} routers`);
  const daemons: Record<string, string[]> = {};
  await Promise.all(
    routers.map(async (n) => {
      daemons[n.name] = await startFrr(lab, shell(n.name), n);
    }),
  );
  if (overlayNodes) {
    progress('ovn-controller on each chassis once the OVN central is routed');
    await Promise.all(overlayNodes.chassis.map((c) => startOvnController(lab, shell(c.node), c, overlayNodes.central.address)));
  }
  // containerlab runs exec lines once the node is up.
  await Promise.all(
    topology.nodes.map(async (n) => {
      for (const argv of n.exec) await execOkIn(shell(n.name), argv);
    }),
  );
  return daemons;
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

async function startCentral(lab: string, shell: NodeShell, c: CentralPlan): Promise<void> {
  const dir = await makeNodeDir(lab, c.node);
  const { create, start } = centralArgvs(dir);
  for (const argv of create) await execOkIn(shell, argv);
  for (const argv of start) await execOkIn(shell, argv, { env: ovsEnv(dir) });
}

async function startChassis(lab: string, shellOf: (node: string) => NodeShell, c: ChassisPlan): Promise<void> {
  const dir = await makeNodeDir(lab, c.node);
  const shell = shellOf(c.node);
  for (const step of chassisSetupSteps(c, dir)) await execOkIn(shell, step.argv, { env: ovsEnv(dir), input: step.stdin?.text, timeoutMs: 40_000 });
  // Checksum offload on a veth whose peer OVS reads leaves TCP checksums unfilled (BGP and
  // VM TCP would fail): the sending ends fill them in software.
  await Promise.all([
    ...c.uplinks.map((u) => execOkIn(shellOf(u.peer.node), ['ethtool', '-K', u.peer.iface, 'tx', 'off'])),
    ...c.vmPorts.map((p) => execOkIn(shellOf(p.vm), ['ethtool', '-K', p.vmIface, 'tx', 'off'])),
  ]);
}

/**
 * ovn-controller backs off (1, 2, 4, 8 s) while the SB database is unreachable, so started
 * before BGP has converged it connects seconds late. Start it once the chassis has a route
 * to the central; if none comes, start it anyway and let it retry.
 */
async function startOvnController(lab: string, shell: NodeShell, c: ChassisPlan, centralAddress: string): Promise<void> {
  const dir = nodeDir(lab, c.node);
  await waitFor(
    async () => {
      const r = await shell.exec(['ip', '-4', 'route', 'show', 'exact', `${centralAddress}/32`]);
      return r.stdout.trim() ? { ok: true, value: true } : { ok: false, reason: `${c.node} has no route to the OVN central ${centralAddress}` };
    },
    { timeoutMs: OVN_CONTROLLER_ROUTE_TIMEOUT_MS, intervalsMs: [50, 100], description: `${c.node} to learn a route to ${centralAddress}` },
  ).catch(() => undefined);
  await execOkIn(shell, chassisDaemonArgvs(dir).controller, { env: ovsEnv(dir) });
}

async function startFrr(lab: string, shell: NodeShell, node: LabNode): Promise<string[]> {
  const dir = await makeNodeDir(lab, node.name);
  // Daemons read (and may rewrite) a copy: the user's file is never touched.
  await copyFile(node.frr!.config, join(dir, 'frr.conf'));
  await execOkIn(shell, ['chown', 'frr:frr', dir, join(dir, 'frr.conf')]);
  const daemons = node.frr!.daemons ? daemonsFromFile(await readFile(node.frr!.daemons, 'utf8')) : daemonsFromConfig(await readFile(node.frr!.config, 'utf8'));
  const start = async (d: string) => {
    try {
      await execOkIn(shell, daemonArgv(d, { dir }), { timeoutMs: 15_000 });
    } catch (e) {
      // A daemon the node's files ask for but FRR's package lacks is the environment's fault.
      if ((await shell.exec(['test', '-x', `${FRR_LIBEXEC}/${d}`])).exitCode !== 0) throw new EnvironmentError(`${node.name} needs the FRR daemon ${d}, which is not installed (${FRR_LIBEXEC}/${d})`, 'apt-get install frr');
      throw e;
    }
  };
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
