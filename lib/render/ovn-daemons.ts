// OVS and OVN daemons inside a node's namespace (see ../shared/DESIGN.md "Overlay notes").
// Each node's databases, sockets, pids and logs live in its own directory, named by the
// lab; the OVS_*/OVN_* variables point every OVS/OVN tool run in the node at it.
// Pure: the runtimes run these argv and the export writes them as exec lines.
import type { ChassisPlan, CentralPlan, OverlayNodes } from '../plan/chassis.ts';
import { OVN_NB_PORT, OVN_SB_PORT } from '../model/overlay.ts';

export const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
export const OVN_NB_SCHEMA = '/usr/share/ovn/ovn-nb.ovsschema';
export const OVN_SB_SCHEMA = '/usr/share/ovn/ovn-sb.ovsschema';
export const OVS_BINARIES = ['/usr/sbin/ovsdb-server', '/usr/sbin/ovs-vswitchd', '/usr/bin/ovs-vsctl', '/usr/bin/ovsdb-tool', '/usr/bin/ovn-controller', '/usr/bin/ovn-northd', '/usr/bin/ovn-nbctl', '/usr/sbin/nft', '/usr/sbin/ethtool'];

/** Environment that makes ovs-vsctl, ovs-appctl, ovn-nbctl… find this node's daemons. */
export function ovsEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of ['OVS', 'OVN']) for (const kind of ['RUNDIR', 'DBDIR', 'LOGDIR', 'SYSCONFDIR']) env[`${p}_${kind}`] = dir;
  return env;
}

const daemonFlags = (dir: string, name: string) => [`--pidfile=${dir}/${name}.pid`, `--unixctl=${dir}/${name}.ctl`, `--log-file=${dir}/${name}.log`, '--detach', '--no-chdir'];

export function ovsdbServerArgv(dir: string, db: string, name: string, remotes: string[]): string[] {
  return ['ovsdb-server', `${dir}/${db}`, ...remotes.map((r) => `--remote=${r}`), ...daemonFlags(dir, name)];
}

/** The file a `--flag=FILE` argument names, as every start argv here carries --pidfile and --log-file. */
function fileIn(argv: readonly string[], flag: '--pidfile' | '--log-file'): string {
  const file = optionalFileIn(argv, flag);
  if (!file) throw new Error(`${argv[0]} is started without ${flag}`);
  return file;
}

const optionalFileIn = (argv: readonly string[], flag: string) => argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);

/**
 * One OVS/OVN daemon of a node: the name `netproof fault stop-daemon` knows it by, the pidfile
 * it writes (a fault stops it by that pid, never by process name: labs share the host's pid
 * space), and the steps that start it — at bring-up, and again when a fault is undone.
 */
export interface OvsDaemon {
  name: string;
  pidfile: string;
  /** Where it logs: the central's databases log as ovnnb_db/ovnsb_db, not by the daemon's name. */
  logfile: string;
  /** Its control socket for ovs-appctl, when started with --unixctl (ovn-controller 23.03 cannot be: $OVN_RUNDIR/ovn-controller.<pid>.ctl). */
  ctl?: string;
  steps: Step[];
}

const daemon = (name: string, steps: Step[]): OvsDaemon => {
  const ctl = optionalFileIn(steps[0]!.argv, '--unixctl');
  return { name, pidfile: fileIn(steps[0]!.argv, '--pidfile'), logfile: fileIn(steps[0]!.argv, '--log-file'), ...(ctl ? { ctl } : {}), steps };
};

/** The central node's daemons, in start order: the NB and SB databases (unix socket + TCP for chassis and tools) and northd. */
export function centralDaemons(dir: string): OvsDaemon[] {
  return [
    // The listeners bind inside the central's namespace only: reachable from the lab, never from the host.
    daemon('ovsdb-server-nb', [{ argv: ovsdbServerArgv(dir, 'ovnnb_db.db', 'ovnnb_db', [`punix:${dir}/ovnnb_db.sock`, `ptcp:${OVN_NB_PORT}`]) }]),
    daemon('ovsdb-server-sb', [{ argv: ovsdbServerArgv(dir, 'ovnsb_db.db', 'ovnsb_db', [`punix:${dir}/ovnsb_db.sock`, `ptcp:${OVN_SB_PORT}`]) }]),
    daemon('ovn-northd', [{ argv: ['ovn-northd', `--ovnnb-db=unix:${dir}/ovnnb_db.sock`, `--ovnsb-db=unix:${dir}/ovnsb_db.sock`, ...daemonFlags(dir, 'ovn-northd')] }]),
  ];
}

/** The central node: its databases created, then its daemons started. */
export function centralArgvs(dir: string): { create: string[][]; start: string[][] } {
  return {
    create: [
      ['ovsdb-tool', 'create', `${dir}/ovnnb_db.db`, OVN_NB_SCHEMA],
      ['ovsdb-tool', 'create', `${dir}/ovnsb_db.db`, OVN_SB_SCHEMA],
    ],
    start: centralDaemons(dir).flatMap((d) => d.steps.map((s) => s.argv)),
  };
}

export function chassisDaemonArgvs(dir: string): { create: string[]; ovsdb: string[]; vswitchd: string[]; controller: string[] } {
  return {
    create: ['ovsdb-tool', 'create', `${dir}/conf.db`, VSWITCH_SCHEMA],
    ovsdb: ovsdbServerArgv(dir, 'conf.db', 'ovsdb-server', [`punix:${dir}/db.sock`]),
    vswitchd: ['ovs-vswitchd', `unix:${dir}/db.sock`, ...daemonFlags(dir, 'ovs-vswitchd')],
    // ovn-controller 23.03 has no --unixctl: its control socket is $OVS_RUNDIR/ovn-controller.<pid>.ctl.
    controller: ['ovn-controller', `unix:${dir}/db.sock`, `--pidfile=${dir}/ovn-controller.pid`, `--log-file=${dir}/ovn-controller.log`, '--detach', '--no-chdir'],
  };
}

/**
 * A chassis' daemons, in start order. Bridges, ports and OVN settings live in the database, so
 * a restarted ovs-vswitchd builds them again by itself (its `--detach` returns once it has);
 * br-phy's flows and its link state are netproof's own, set again after every start.
 */
export function chassisDaemons(c: ChassisPlan, dir: string): OvsDaemon[] {
  const d = chassisDaemonArgvs(dir);
  return [
    daemon('ovsdb-server', [{ argv: d.ovsdb }]),
    daemon('ovs-vswitchd', [
      { argv: d.vswitchd },
      { argv: ['ovs-ofctl', 'add-flows', 'br-phy', '-'], stdin: { text: brPhyFlows(c), fileName: 'br-phy.flows' } },
      { argv: ['ip', 'link', 'set', 'dev', 'br-phy', 'up'] },
    ]),
    daemon('ovn-controller', [{ argv: d.controller }]),
  ];
}

/** The OVS/OVN daemons a node of the lab runs (none on a node outside the overlay). */
export function overlayDaemonsOf(overlay: OverlayNodes | undefined, node: string, dir: string): OvsDaemon[] {
  if (!overlay) return [];
  if (overlay.central.node === node) return centralDaemons(dir);
  const chassis = overlay.chassis.find((c) => c.node === node);
  return chassis ? chassisDaemons(chassis, dir) : [];
}

/**
 * One ovs-vsctl transaction that builds the chassis in its database, before ovs-vswitchd runs
 * (so a restarted vswitchd finds everything there): br-phy (userspace datapath) owning the
 * uplinks, br-int with a port per VM bound to its OVN logical port, and the OVN settings.
 * ovn-set-local-ip makes OVS source tunnels from the TEP, not from a p2p address.
 */
export function chassisVsctlArgv(c: ChassisPlan): string[] {
  const argv = ['ovs-vsctl', '--no-wait', '--timeout=30', '--', 'add-br', 'br-phy', '--', 'set', 'bridge', 'br-phy', 'datapath_type=netdev', 'fail-mode=secure', `other_config:hwaddr="${c.hwaddr}"`];
  for (const u of c.uplinks) argv.push('--', 'add-port', 'br-phy', u.iface);
  argv.push('--', 'add-br', 'br-int', '--', 'set', 'bridge', 'br-int', 'datapath_type=netdev', 'fail-mode=secure', 'other_config:disable-in-band=true');
  for (const p of c.vmPorts) argv.push('--', 'add-port', 'br-int', p.iface, '--', 'set', 'interface', p.iface, `external_ids:iface-id=${p.vm}`);
  // Provider networks: a plain learning bridge per external link; ovn-controller patches br-int to it.
  for (const e of c.externalPorts) argv.push('--', 'add-br', e.bridge, '--', 'set', 'bridge', e.bridge, 'datapath_type=netdev', '--', 'add-port', e.bridge, e.iface);
  const mappings = c.externalPorts.map((e) => `${e.network}:${e.bridge}`);
  argv.push(
    '--', 'set', 'open_vswitch', '.',
    `external_ids:system-id=${c.node}`,
    `external_ids:hostname=${c.node}`,
    `external_ids:ovn-remote="${c.ovnRemote}"`,
    'external_ids:ovn-encap-type=geneve',
    `external_ids:ovn-encap-ip=${c.tep}`,
    'external_ids:ovn-set-local-ip=true',
    'external_ids:ovn-bridge-datapath-type=netdev',
    ...(mappings.length ? [`external_ids:ovn-bridge-mappings="${mappings.join(',')}"`] : []),
  );
  return argv;
}

/**
 * br-phy's flows: routed, never bridged. Frames from an uplink go to the host (LOCAL) and
 * teach which uplink a MAC lives behind; frames from the host go to that uplink (or, while
 * unknown, to every uplink). Uplink-to-uplink forwarding never happens: no L2 between leaves.
 */
export function brPhyFlows(c: ChassisPlan): string {
  const learn = 'learn(table=1,priority=10,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])';
  return [
    ...c.uplinks.map((u) => `table=0,priority=10,in_port="${u.iface}",actions=${learn},LOCAL`),
    'table=0,priority=10,in_port=LOCAL,actions=resubmit(,1)',
    `table=1,priority=0,actions=${c.uplinks.map((u) => `output:"${u.iface}"`).join(',')}`,
    '',
  ].join('\n');
}

/**
 * The kernel still receives frames on veths OVS reads (AF_PACKET does not steal them) and
 * would answer ARP for the TEP with the wrong MAC; drop them at the netdev ingress hook,
 * which OVS's capture sees before.
 */
export function ingressDropRuleset(ifaces: string[]): string {
  const chains = ifaces.map((i, n) => `  chain ovs_owned_${n} {\n    type filter hook ingress device "${i}" priority 0; policy drop;\n  }`);
  return `table netdev netproof {\n${chains.join('\n')}\n}\n`;
}

/** One command of a bring-up sequence; `stdin` is also what an export binds as a file. */
export interface Step {
  argv: string[];
  stdin?: { text: string; fileName: string };
}

/**
 * A chassis' OVS, in order: database, the bridges and OVN settings written into it, vswitchd
 * (which builds them, then gets br-phy's routed flows and br-phy up), and the ingress drops on
 * OVS-owned veths. ovn-controller starts later, once the chassis is routed. The runtimes pipe
 * `stdin`; an export binds it as a file instead of the final `-`.
 */
export function chassisSetupSteps(c: ChassisPlan, dir: string): Step[] {
  const [ovsdb, vswitchd] = chassisDaemons(c, dir);
  return [
    { argv: chassisDaemonArgvs(dir).create },
    ...ovsdb!.steps,
    { argv: ['ovs-vsctl', '--no-wait', 'init'] },
    { argv: chassisVsctlArgv(c) },
    ...vswitchd!.steps,
    { argv: ['nft', '-f', '-'], stdin: { text: ingressDropRuleset([...c.uplinks.map((u) => u.iface), ...c.vmPorts.map((p) => p.iface), ...c.externalPorts.map((e) => e.iface)]), fileName: 'ingress.nft' } },
  ];
}

export type { CentralPlan };
