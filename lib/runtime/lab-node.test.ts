// The node handle's daemons through stand-in nodes that keep a process table as a kernel
// would: which daemons a node lists, that a stop kills the pid in the node's own pidfile (and
// nothing that merely reuses that pid), and that a start runs bring-up's own steps again.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LabError, UsageError } from '../errors.ts';
import type { ExecResult } from '../exec.ts';
import type { NodeExecOptions, StartedLab } from '../lab/started-lab.ts';
import { toTopologyData } from '../lab/started-lab.ts';
import type { Topology } from '../model/topology.ts';
import type { NodeShell } from './node-shell.ts';

let RuntimeLab: typeof import('./lab-node.ts').RuntimeLab;
let brPhyFlows: typeof import('../render/ovn-daemons.ts').brPhyFlows;
let planOverlayNodes: typeof import('../plan/chassis.ts').planOverlayNodes;
let tmp: string;
let topology: Topology;
const LAB = 'ln';
const FRR = ['zebra', 'staticd', 'bgpd', 'bfdd'];
const DATAPATH_ROW = '6f2a1c3e-0b4d-4e5f-8a9b-0c1d2e3f4a5b';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'netproof-lab-node-'));
  process.env.NETPROOF_STATE_DIR = join(tmp, 'state'); // read when state.ts loads
  ({ RuntimeLab } = await import('./lab-node.ts'));
  ({ brPhyFlows } = await import('../render/ovn-daemons.ts'));
  ({ planOverlayNodes } = await import('../plan/chassis.ts'));
  const { generateClos } = await import('../generate.ts');
  const { loadTopology } = await import('../topology/load.ts');
  const { loadOverlay } = await import('../topology/load-overlay.ts');
  const loaded = await loadTopology((await generateClos({ name: LAB, spines: 1, leaves: 2, hosts: 2, vmsPerHost: 1 }, join(tmp, 'lab'))).file);
  topology = { ...loaded, overlay: await loadOverlay(loaded) };
});
afterAll(() => {
  delete process.env.NETPROOF_STATE_DIR;
});

/** Processes by pid, shared by every node as namespaces share the host's pid space. */
let processes: Map<number, { argv: readonly string[]; alive: boolean }>;
let nextPid: number;
/** What each node ran, as `argv` lines, with the OVS directory it was given if any. */
let ran: { node: string; line: string; input?: string; ovsRundir?: string }[];
beforeEach(() => {
  processes = new Map();
  nextPid = 1000;
  ran = [];
});

const ok = (argv: readonly string[], stdout = ''): ExecResult => ({ argv, exitCode: 0, stdout, stderr: '', durationMs: 0 });
const fail = (argv: readonly string[]): ExecResult => ({ argv, exitCode: 1, stdout: '', stderr: 'No such file or directory', durationMs: 0 });

/** A process started in the background that writes its pidfile (and an FRR daemon its vty socket), as a real daemon would. */
async function startDaemon(argv: readonly string[]): Promise<void> {
  const pid = nextPid++;
  processes.set(pid, { argv, alive: true });
  const flag = argv.find((a) => a.startsWith('--pidfile='));
  const pidfile = flag ? flag.slice('--pidfile='.length) : argv[argv.indexOf('-i') + 1]!;
  await writeFile(pidfile, `${pid}\n`);
  if (argv[0]!.startsWith('/usr/lib/frr/')) {
    const daemon = argv[0]!.split('/').pop()!;
    const dir = argv[argv.indexOf('--vty_socket') + 1]!;
    await writeFile(join(dir, `${daemon}.vty`), '');
    if (daemon === 'zebra') await writeFile(join(dir, 'zserv.api'), '');
  }
}

function standIn(node: string): NodeShell {
  return {
    node,
    exec: async (argv: readonly string[], opts: NodeExecOptions = {}) => {
      ran.push({ node, line: argv.join(' '), input: typeof opts.input === 'string' ? opts.input : undefined, ovsRundir: opts.env?.OVS_RUNDIR });
      const [cmd, a1, a2] = argv;
      if (cmd === 'kill' && a1 === '-KILL') {
        const p = processes.get(Number(a2));
        if (!p?.alive) return fail(argv);
        p.alive = false;
        return ok(argv);
      }
      if (argv.includes('--detach') || argv[0]!.startsWith('/usr/lib/frr/')) await startDaemon(argv);
      if (cmd === 'ip' && argv.includes('route')) return ok(argv, '10.255.3.1 proto bgp\n');
      // As Debian 12's OVS answers: a release with the conntrack crash, one Datapath row.
      if (cmd === 'ovs-vswitchd' && a1 === '--version') return ok(argv, 'ovs-vswitchd (Open vSwitch) 3.1.0\n');
      if (cmd === 'ovs-vsctl' && argv.includes('Datapath') && argv.includes('list')) return ok(argv, `${DATAPATH_ROW}\n`);
      return ok(argv);
    },
    spawn: () => {
      throw new Error('not used');
    },
    converse: () => {
      throw new Error('not used');
    },
    openChannel: () => {
      throw new Error('not used');
    },
    // As /proc has them: stat is one line, cmdline NUL-separated.
    withOwnFrrStateDir: (argv: readonly string[]) => argv,
    processInfo: async (pid: number) => {
      const p = processes.get(pid);
      return p?.alive ? { stat: `${pid} (${p.argv[0]}) S 1 1\n`, cmdline: `${p.argv.join('\0')}\0` } : undefined;
    },
  };
}

const nodeDir = (node: string) => join(tmp, 'state', LAB, node);

/** The lab as a runtime hands it out after bring-up, with each daemon started once. */
async function deployed(): Promise<StartedLab> {
  const overlay = planOverlayNodes(topology);
  const routers = topology.nodes.filter((n) => n.role === 'router').map((n) => n.name);
  for (const n of topology.nodes) {
    await mkdir(nodeDir(n.name), { recursive: true });
    // Bring-up's copy of the router's frr.conf, which a restarted FRR daemon gets its lines from.
    if (n.frr?.config) await writeFile(join(nodeDir(n.name), 'frr.conf'), await readFile(n.frr.config, 'utf8'));
  }
  const lab = new RuntimeLab(
    { runtime: 'stand-in', name: LAB, status: 'running', ownerPid: process.pid, topology: toTopologyData(topology), daemons: Object.fromEntries(routers.map((r) => [r, FRR])), frrConfigProblems: [], times: { deployStartedAt: 0, deployedAt: 1 } },
    standIn,
    async () => {},
  );
  // What bring-up started: every FRR daemon and every OVS/OVN daemon, each with its pidfile.
  for (const n of lab.nodes()) for (const d of n.daemons) await n.startDaemon(d);
  expect(overlay.central.node).toBe('central');
  ran = [];
  return lab;
}

const pidOf = async (node: string, file: string) => Number.parseInt(await readFile(join(nodeDir(node), file), 'utf8'), 10);

describe('node handle daemons', () => {
  it('lists FRR’s daemons, then the OVS/OVN ones of the node’s overlay role', async () => {
    const lab = await deployed();
    expect(lab.node('leaf1').daemons).toEqual(FRR);
    expect(lab.node('host1').daemons).toEqual([...FRR, 'ovsdb-server', 'ovs-vswitchd', 'ovn-controller']);
    expect(lab.node('host1').frrDaemons).toEqual(FRR);
    expect(lab.node('central').daemons).toEqual([...(topology.nodes.find((n) => n.name === 'central')!.role === 'router' ? FRR : []), 'ovsdb-server-nb', 'ovsdb-server-sb', 'ovn-northd']);
    expect(lab.node('vm1').daemons).toEqual([]);
  });

  it('stops ovs-vswitchd by the pid in host1’s own pidfile, and starts it again as bring-up does: the daemon, br-phy’s flows, br-phy up, ct_zero_snat off again', async () => {
    const lab = await deployed();
    const host1 = lab.node('host1');
    const pid = await pidOf('host1', 'ovs-vswitchd.pid');
    const host2Pid = await pidOf('host2', 'ovs-vswitchd.pid');
    await host1.stopDaemon('ovs-vswitchd');
    expect(ran.filter((r) => r.line.startsWith('kill'))).toEqual([{ node: 'host1', line: `kill -KILL ${pid}`, input: undefined, ovsRundir: undefined }]);
    expect(processes.get(pid)!.alive).toBe(false);
    expect(processes.get(host2Pid)!.alive).toBe(true);
    expect(await host1.daemonRunning('ovs-vswitchd')).toBe(false);
    expect(await host1.daemonRunning('ovn-controller')).toBe(true);

    ran = [];
    await host1.startDaemon('ovs-vswitchd');
    const dir = nodeDir('host1');
    expect(ran.map((r) => r.line)).toEqual([
      `ovs-vswitchd unix:${dir}/db.sock --pidfile=${dir}/ovs-vswitchd.pid --unixctl=${dir}/ovs-vswitchd.ctl --log-file=${dir}/ovs-vswitchd.log --detach --no-chdir`,
      'ovs-ofctl add-flows br-phy -',
      'ip link set dev br-phy up',
      'ovs-vswitchd --version',
      'ovs-vsctl --bare --columns=_uuid list Datapath',
      `ovs-appctl -t ${dir}/ovs-vswitchd.ctl dpif/set-dp-features br-int ct_zero_snat false`,
      // The restarted ovs-vswitchd wrote its own capabilities into the existing row: written back.
      `ovs-vsctl --timeout=30 set open_vswitch . external_ids:netproof-ct-zero-snat=off-ovs-6753b108 -- set Datapath ${DATAPATH_ROW} capabilities:ct_zero_snat=false`,
    ]);
    expect(ran.every((r) => r.node === 'host1' && r.ovsRundir === dir)).toBe(true);
    expect(ran[1]!.input).toBe(brPhyFlows(planOverlayNodes(topology).chassis.find((c) => c.node === 'host1')!));
    expect(await pidOf('host1', 'ovs-vswitchd.pid')).not.toBe(pid);
    expect(await host1.daemonRunning('ovs-vswitchd')).toBe(true);
  });

  it('starts ovn-controller again once the chassis has a route to the central, as at bring-up', async () => {
    const lab = await deployed();
    await lab.node('host2').stopDaemon('ovn-controller');
    ran = [];
    await lab.node('host2').startDaemon('ovn-controller');
    const dir = nodeDir('host2');
    expect(ran.map((r) => r.line)).toEqual([
      `ip -4 route show exact ${planOverlayNodes(topology).central.address}/32`,
      `ovn-controller unix:${dir}/db.sock --pidfile=${dir}/ovn-controller.pid --log-file=${dir}/ovn-controller.log --detach --no-chdir`,
    ]);
  });

  it.each([
    ['central', 'ovn-northd', 'ovn-northd.pid'],
    ['central', 'ovsdb-server-nb', 'ovnnb_db.pid'],
    ['central', 'ovsdb-server-sb', 'ovnsb_db.pid'],
    ['host1', 'ovsdb-server', 'ovsdb-server.pid'],
  ])('%s: %s is stopped by its own pidfile (%s) and started with the same argv', async (node, daemon, pidfile) => {
    const lab = await deployed();
    const pid = await pidOf(node, pidfile);
    await lab.node(node).stopDaemon(daemon);
    expect(processes.get(pid)!.alive).toBe(false);
    expect([...processes.values()].filter((p) => !p.alive)).toHaveLength(1);
    await lab.node(node).startDaemon(daemon);
    expect(processes.get(await pidOf(node, pidfile))!.argv).toEqual(processes.get(pid)!.argv);
  });

  it.each([
    ['central', 'ovsdb-server-nb', 'ovnnb_db.log'],
    ['central', 'ovsdb-server-sb', 'ovnsb_db.log'],
    ['host1', 'ovn-controller', 'ovn-controller.log'],
    ['leaf1', 'bgpd', 'bgpd.log'],
  ])('%s: the log of %s is the file it writes (%s), where a crash is named from', async (node, daemon, file) => {
    const lab = await deployed();
    await writeFile(join(nodeDir(node), file), `last words of ${daemon}\n`);
    expect(await lab.node(node).daemonLog(daemon)).toBe(`last words of ${daemon}\n`);
  });

  it('stops an FRR daemon by its pidfile and removes its stale vty socket, so a restart waits for the new one', async () => {
    const lab = await deployed();
    await lab.node('leaf1').stopDaemon('bgpd');
    expect(existsSync(join(nodeDir('leaf1'), 'bgpd.vty'))).toBe(false);
    expect(existsSync(join(nodeDir('leaf1'), 'zebra.vty'))).toBe(true);
    ran = [];
    await lab.node('leaf1').startDaemon('bgpd');
    expect(ran[0]!.line).toMatch(/^\/usr\/lib\/frr\/bgpd -d /);
    expect(ran.some((r) => / vtysh --vty_socket \S+ -d bgpd -f /.test(r.line))).toBe(true);
    expect(existsSync(join(nodeDir('leaf1'), 'bgpd.vty'))).toBe(true);
  });

  it('never kills a process that only reuses the pid in the pidfile (another lab’s daemon): a lab error, nothing killed', async () => {
    const lab = await deployed();
    const pid = await pidOf('host1', 'ovn-controller.pid');
    processes.set(pid, { argv: ['ovn-controller', '--pidfile=/run/netproof/other-lab/host1/ovn-controller.pid'], alive: true });
    const err = await lab.node('host1').stopDaemon('ovn-controller').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as Error).message).toBe(`host1: ovn-controller is not running (pid ${pid} from ${nodeDir('host1')}/ovn-controller.pid is another process now), so there is nothing to stop`);
    expect(ran.some((r) => r.line.startsWith('kill'))).toBe(false);
    expect(await lab.node('host1').daemonRunning('ovn-controller')).toBe(false);
  });

  it('a daemon the node does not run is a usage error listing those it runs', async () => {
    const lab = await deployed();
    for (const call of [() => lab.node('leaf1').stopDaemon('ovn-controller'), () => lab.node('leaf1').startDaemon('ovn-controller'), () => lab.node('leaf1').daemonRunning('ovn-controller'), () => lab.node('leaf1').appctl('ovn-controller', ['version'])]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe('leaf1 runs no ovn-controller (daemons: zebra, staticd, bgpd, bfdd)');
    }
    expect(ran).toEqual([]);
  });
});

describe('node handle appctl', () => {
  it('asks an OVS daemon over the control socket its --unixctl names, ovn-controller by name in the node’s own run directory, and never an FRR daemon', async () => {
    const lab = await deployed();
    await lab.node('host1').appctl('ovs-vswitchd', ['bfd/show', 'ovn-host2-0']);
    await lab.node('host1').appctl('ovn-controller', ['connection-status']);
    expect(ran).toEqual([
      { node: 'host1', line: `ovs-appctl -t ${nodeDir('host1')}/ovs-vswitchd.ctl bfd/show ovn-host2-0`, ovsRundir: nodeDir('host1') },
      { node: 'host1', line: 'ovs-appctl -t ovn-controller connection-status', ovsRundir: nodeDir('host1') },
    ]);
    const err = await lab.node('host1').appctl('bgpd', ['version']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('host1: bgpd is an FRR daemon: ask it with vtysh, not ovs-appctl');
  });
});

describe('node handle vtysh', () => {
  it("asks a show command of the daemon that answers it over its vty socket, and runs vtysh for the rest or when the daemon is not there", async () => {
    const lab = await deployed();
    const router = lab.nodes().find((n) => n.frrDaemons.includes('bgpd'))!;
    const socket = join(nodeDir(router.name), 'bgpd.vty');
    await rm(socket, { force: true });
    // bgpd as FRR serves vtysh: NUL-ended commands in, output + three NULs + return code out.
    const open: Socket[] = [];
    const server = createServer((c) => open.push(c) && c.on('data', (d) => String(d).split('\0').filter(Boolean).forEach((cmd) => c.write(Buffer.concat([Buffer.from(cmd === 'enable' ? '' : `{"asked":${JSON.stringify(cmd)}}`), Buffer.from([0, 0, 0, 0])])))));
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      const r = await router.vtysh('show bgp summary json');
      expect(JSON.parse(r.stdout)).toEqual({ asked: 'show bgp summary json' });
      expect(ran.filter((x) => x.line.includes('vtysh'))).toEqual([]);
      // vtysh gathers running-config from every daemon itself.
      await router.vtysh('show running-config');
      expect(ran.some((x) => / vtysh --vty_socket \S+ -c show running-config$/.test(` ${x.line}`))).toBe(true);
    } finally {
      for (const c of open) c.destroy();
      await new Promise((r) => server.close(r));
    }
    // bgpd gone: vtysh says so in its own words.
    ran = [];
    await router.vtysh('show bgp summary json');
    expect(ran.some((x) => x.line.endsWith('-c show bgp summary json'))).toBe(true);
  });
});
