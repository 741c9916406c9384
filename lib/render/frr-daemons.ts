// Which FRR daemons a node runs, how each is started inside a node, and how its configuration
// reaches them — the way FRR's own start-up (frrinit.sh) does it: each daemon starts with its
// own per-daemon file (bgpd.conf…, empty when the lab has none), then the integrated frr.conf
// is applied through vtysh, which hands every line to the daemons that own it in the right
// context. (A daemon given the whole frr.conf with -f drops every line after a block another
// daemon owns.) Every file a daemon touches (config copies, sockets, pid, log) is under the
// node's own directory, which carries the lab's name; nothing goes to /etc/frr or /run/frr.
// Pure: the runtimes run these argv; the export writes the same daemon choice as a daemons file.
import type { FrrFiles, LabNode } from '../model/topology.ts';
import { ALWAYS_RUNNING_DAEMONS as ALWAYS, FRR_DAEMONS, KNOWN_DAEMONS } from '../topology/frr-daemon-names.ts';

export { FRR_DAEMONS, KNOWN_DAEMONS } from '../topology/frr-daemon-names.ts';

export const FRR_LIBEXEC = '/usr/lib/frr';

/** Daemons enabled in a daemons file (`bgpd=yes`), zebra and staticd first. */
export function daemonsFromFile(text: string): string[] {
  const enabled = text
    .split('\n')
    .map((l) => /^\s*([a-z0-9]+d)\s*=\s*yes\b/.exec(l)?.[1])
    .filter((d): d is string => d !== undefined && KNOWN_DAEMONS.includes(d));
  return [...ALWAYS, ...enabled.filter((d) => !ALWAYS.includes(d))];
}

/** Without a daemons file, start what the configuration uses. */
export function daemonsFromConfig(conf: string): string[] {
  const uses = (re: RegExp) => re.test(conf);
  const out = [...ALWAYS];
  if (uses(/^router bgp\b/m)) out.push('bgpd');
  if (uses(/^router ospf\b(?!6)/m)) out.push('ospfd');
  if (uses(/^router ospf6\b/m)) out.push('ospf6d');
  if (uses(/^router isis\b/m)) out.push('isisd');
  if (uses(/^router rip\b/m)) out.push('ripd');
  if (uses(/^router ripng\b/m)) out.push('ripngd');
  if (uses(/^router babel\b/m)) out.push('babeld');
  if (uses(/^router eigrp\b/m)) out.push('eigrpd');
  if (uses(/^bfd\b|^\s*neighbor \S+ bfd\b|^\s*ip ospf bfd\b/m)) out.push('bfdd');
  return out;
}

/** Without a daemons file: what the integrated configuration uses, and every daemon the lab gave a file of its own. */
export function daemonsForFiles(integrated: string | undefined, withOwnFile: readonly string[]): string[] {
  const used = new Set([...daemonsFromConfig(integrated ?? ''), ...withOwnFile]);
  return FRR_DAEMONS.filter((d) => used.has(d));
}

/**
 * The daemons a router's files ask for, before an idle staticd is dropped: its daemons file's
 * (given as text), the names its clab file gives (kind: frr), or what its configuration uses.
 */
export function listedDaemons(files: Pick<FrrFiles, 'daemonNames' | 'daemonConfigs'>, daemonsFileText: string | undefined, integrated: string | undefined): string[] {
  if (daemonsFileText !== undefined) return daemonsFromFile(daemonsFileText);
  if (files.daemonNames) return [...files.daemonNames];
  return daemonsForFiles(integrated, Object.keys(files.daemonConfigs));
}

/** What a router's integrated configuration is called in messages: its file, or where the clab file carries it. */
export function integratedConfigName(node: Pick<LabNode, 'name' | 'frr'>): string | undefined {
  if (node.frr?.config !== undefined) return node.frr.config;
  return node.frr?.configText !== undefined ? `${node.name}'s startup-config (in the clab file)` : undefined;
}

/**
 * staticd only where a static route needs it. FRR's start-up runs it always; an idle staticd
 * costs about 5 MiB per router, which a 400-router lab on one machine feels, and it holds no
 * state without a static route.
 */
export function withoutIdleStaticd(daemons: readonly string[], integrated: string | undefined, withOwnFile: readonly string[]): string[] {
  const needed = withOwnFile.includes('staticd') || /^\s*ipv?6? route\s/m.test(integrated ?? '');
  return needed ? [...daemons] : daemons.filter((d) => d !== 'staticd');
}

/**
 * Most descriptors a daemon may hold. FRR sizes each event loop's tables by the process's
 * limit (20 000 here, inherited from Node): 1024 (a BGP session, BFD or zapi socket each, far
 * above any lab router's sessions) saves about 3 MiB in zebra's fourteen event loops alone.
 */
export const FRR_FD_LIMIT = 1024;

export interface DaemonPaths {
  dir: string;
}

/** The node's copy of the integrated configuration, applied through vtysh once the daemons run. */
export const integratedConfigFile = ({ dir }: DaemonPaths) => `${dir}/frr.conf`;
/** What a daemon reads at start: the node's copy of its per-daemon file, or an empty file. */
export const daemonConfigFile = (daemon: string, { dir }: DaemonPaths) => `${dir}/${daemon}.conf`;
/**
 * What a daemon the lab gives no file of its own starts with: the node's name as its hostname,
 * as FRR in a containerlab container takes the container's. Daemons in a network namespace
 * share the host's UTS name otherwise, so every router would call itself (and tell its BGP
 * peers it is) the host. A `hostname` line in frr.conf does not help: vtysh keeps it to itself
 * and never hands it to the daemons (FRR issue 20398), in a container too.
 */
export const defaultDaemonConfig = (node: string) => `hostname ${node}\n`;
/** The socket a daemon's vty listens on: vtysh reaches the daemon through it. */
export const daemonVtySocket = (daemon: string, { dir }: DaemonPaths) => `${dir}/${daemon}.vty`;

/**
 * The FRR daemon that answers a show command, as vtysh would route it; undefined for one vtysh
 * answers itself or gathers from several (show running-config).
 */
export function daemonAnswering(command: string): string | undefined {
  if (/^show (bgp|ip bgp)\b/.test(command)) return 'bgpd';
  if (/^show bfd\b/.test(command)) return 'bfdd';
  if (/^show (ip|ipv6) (route|nht)\b|^show interface\b/.test(command)) return 'zebra';
  return undefined;
}

/** argv (to run inside the node) that starts one daemon in the background. */
export function daemonArgv(daemon: string, paths: DaemonPaths): string[] {
  const { dir } = paths;
  const argv = [
    `${FRR_LIBEXEC}/${daemon}`,
    '-d',
    '-f', daemonConfigFile(daemon, paths),
    '-i', `${dir}/${daemon}.pid`,
    '-z', `${dir}/zserv.api`,
    '--vty_socket', dir,
    '--log', `file:${dir}/${daemon}.log`,
    // No vty over TCP: vtysh reaches the daemons through the sockets in `dir`.
    '-A', '127.0.0.1', '-P', '0',
    '--limit-fds', String(FRR_FD_LIMIT),
  ];
  if (daemon === 'bfdd') argv.push('--bfdctl', `${dir}/bfdd.sock`);
  // ldpd's control socket is FRR's state directory's ldpd.sock otherwise, which every ldpd of
  // every lab on the host unlinks and binds at start: two starting at once, and one dies.
  if (daemon === 'ldpd') argv.push('--ctl_socket', dir);
  return argv;
}

/** FRR's compiled-in state directory (Debian's build): where a few files go that no option moves. */
export const FRR_STATE_DIR = '/var/run/frr';

/**
 * Daemons that write into FRR_STATE_DIR whatever their options: ospfd and ospf6d keep their
 * graceful-restart state there (ospfd-gr.json, rewritten at every start), ospf6d its
 * authentication sequence number. A runtime that shares the host's filesystem starts them
 * seeing the node's directory there (NodeShell.withOwnFrrStateDir).
 */
export const WRITES_FRR_STATE_DIR: readonly string[] = ['ospfd', 'ospf6d'];

/**
 * argv that applies the node's frr.conf through vtysh (as `vtysh -b` does at FRR start-up),
 * to every running daemon or to one (`-d`, as FRR does when it restarts a single daemon).
 * stderr is merged into stdout inside the node so vtysh's errors stay next to the daemon
 * messages that explain them; `sh` only joins the streams, the arguments pass as "$@".
 */
export function applyIntegratedConfigArgv(paths: DaemonPaths, daemon?: string): string[] {
  return ['sh', '-c', 'exec "$@" 2>&1', 'sh', 'vtysh', '--vty_socket', paths.dir, ...(daemon ? ['-d', daemon] : []), '-f', integratedConfigFile(paths)];
}
