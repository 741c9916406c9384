// Which FRR daemons a node runs and how each is started inside a namespace.
// Every file a daemon touches (config copy, sockets, pid, log) is under the node's own
// directory, which carries the lab's name; nothing goes to /etc/frr or /run/frr.

export const FRR_LIBEXEC = '/usr/lib/frr';

/** Daemons FRR's init script starts regardless of the daemons file. */
const ALWAYS = ['zebra', 'staticd'];
export const KNOWN_DAEMONS = ['bgpd', 'ospfd', 'ospf6d', 'ripd', 'ripngd', 'isisd', 'pimd', 'ldpd', 'nhrpd', 'eigrpd', 'babeld', 'sharpd', 'pbrd', 'bfdd', 'fabricd', 'vrrpd', 'pathd'];

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

export interface DaemonPaths {
  dir: string;
}

/** argv (to run inside the node's namespace) that starts one daemon in the background. */
export function daemonArgv(daemon: string, { dir }: DaemonPaths): string[] {
  const argv = [
    `${FRR_LIBEXEC}/${daemon}`,
    '-d',
    '-f', `${dir}/frr.conf`,
    '-i', `${dir}/${daemon}.pid`,
    '-z', `${dir}/zserv.api`,
    '--vty_socket', dir,
    '--log', `file:${dir}/${daemon}.log`,
    // No vty over TCP: vtysh reaches the daemons through the sockets in `dir`.
    '-A', '127.0.0.1', '-P', '0',
  ];
  if (daemon === 'bfdd') argv.push('--bfdctl', `${dir}/bfdd.sock`);
  return argv;
}
