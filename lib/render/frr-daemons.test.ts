import { describe, expect, it } from 'vitest';
import { applyIntegratedConfigArgv, daemonAnswering, daemonArgv, daemonsForFiles, daemonsFromConfig, daemonsFromFile, FRR_LIBEXEC, KNOWN_DAEMONS, withoutIdleStaticd } from './frr-daemons.ts';

describe('daemonsFromFile', () => {
  it('starts zebra and staticd first, then the enabled daemons in file order', () => {
    expect(daemonsFromFile('ospfd=no\nbfdd=yes\nbgpd=yes\n')).toEqual(['zebra', 'staticd', 'bfdd', 'bgpd']);
  });

  it('starts zebra and staticd even when nothing is enabled', () => {
    expect(daemonsFromFile('bgpd=no\n')).toEqual(['zebra', 'staticd']);
    expect(daemonsFromFile('')).toEqual(['zebra', 'staticd']);
  });

  it('tolerates spaces and CRLF line ends', () => {
    expect(daemonsFromFile('  bgpd = yes\r\nbfdd=yes\r\n')).toEqual(['zebra', 'staticd', 'bgpd', 'bfdd']);
  });

  it.each([
    ['a commented-out daemon', '#bgpd=yes'],
    ['a daemon set to no', 'bgpd=no'],
    ['a value that only starts with yes', 'bgpd=yesterday'],
    ['an unknown daemon', 'evild=yes'],
    ['an option line', 'bgpd_options="-A 127.0.0.1 yes"'],
  ])('ignores %s', (_what, line) => {
    expect(daemonsFromFile(`${line}\n`)).toEqual(['zebra', 'staticd']);
  });

  it('does not start zebra twice when the file lists it', () => {
    expect(daemonsFromFile('zebra=yes\nbgpd=yes\n')).toEqual(['zebra', 'staticd', 'bgpd']);
  });

  it('knows every daemon of FRR’s daemons file', () => {
    const all = KNOWN_DAEMONS.map((d) => `${d}=yes`).join('\n');
    expect(daemonsFromFile(all)).toEqual(['zebra', 'staticd', ...KNOWN_DAEMONS]);
  });
});

describe('daemonsFromConfig', () => {
  it('starts bgpd for router bgp and bfdd for neighbor … bfd', () => {
    expect(daemonsFromConfig('router bgp 65001\n neighbor 10.0.0.1 remote-as 65000\n neighbor 10.0.0.1 bfd\nexit\n')).toEqual(['zebra', 'staticd', 'bgpd', 'bfdd']);
  });

  it('starts bfdd for a top-level bfd block', () => {
    expect(daemonsFromConfig('bfd\n profile fast\n exit\nexit\n')).toEqual(['zebra', 'staticd', 'bfdd']);
  });

  it('tells ospf from ospf6 and rip from ripng', () => {
    expect(daemonsFromConfig('router ospf\nexit\n')).toEqual(['zebra', 'staticd', 'ospfd']);
    expect(daemonsFromConfig('router ospf6\nexit\n')).toEqual(['zebra', 'staticd', 'ospf6d']);
    expect(daemonsFromConfig('router rip\nexit\n')).toEqual(['zebra', 'staticd', 'ripd']);
    expect(daemonsFromConfig('router ripng\nexit\n')).toEqual(['zebra', 'staticd', 'ripngd']);
  });

  it('needs only zebra and staticd for interfaces and static routes', () => {
    expect(daemonsFromConfig('interface eth1\n ip address 10.0.0.0/31\nexit\nip route 0.0.0.0/0 10.0.0.1\n')).toEqual(['zebra', 'staticd']);
  });

  it('is not fooled by a word in a description', () => {
    expect(daemonsFromConfig('interface eth1\n description router bgp uplink\nexit\n')).toEqual(['zebra', 'staticd']);
  });
});

describe('withoutIdleStaticd', () => {
  const daemons = ['zebra', 'staticd', 'bgpd', 'bfdd'];
  it('drops staticd when no static route needs it', () => {
    expect(withoutIdleStaticd(daemons, 'router bgp 65000\n neighbor 10.1.0.1 remote-as 65001\n', [])).toEqual(['zebra', 'bgpd', 'bfdd']);
    expect(withoutIdleStaticd(daemons, undefined, [])).toEqual(['zebra', 'bgpd', 'bfdd']);
  });

  it('keeps it for a static route (IPv4 or IPv6, in a VRF too) or a staticd.conf of its own', () => {
    expect(withoutIdleStaticd(daemons, '!\nip route 10.99.1.0/24 blackhole\n', [])).toEqual(daemons);
    expect(withoutIdleStaticd(daemons, 'vrf red\n ipv6 route ::/0 fe80::1 eth1\nexit-vrf\n', [])).toEqual(daemons);
    expect(withoutIdleStaticd(daemons, '', ['staticd'])).toEqual(daemons);
  });

  it('does not mistake other commands for a static route', () => {
    expect(withoutIdleStaticd(daemons, 'ip router-id 10.255.1.1\n! ip route in a comment\n', [])).toEqual(['zebra', 'bgpd', 'bfdd']);
  });
});

describe('daemonArgv', () => {
  const dir = '/run/netproof/dc/leaf1';
  const argv = daemonArgv('bgpd', { dir });

  it('is an argv array that runs the daemon binary itself, not a shell', () => {
    expect(Array.isArray(argv)).toBe(true);
    expect(argv[0]).toBe(`${FRR_LIBEXEC}/bgpd`);
    expect(argv.some((a) => /^(\/bin\/)?(ba)?sh$/.test(a) || a === '-c')).toBe(false);
  });

  it('keeps every file the daemon touches under the node’s directory', () => {
    const paths = argv.slice(1).map((a) => a.replace(/^file:/, '')).filter((a) => a.startsWith('/'));
    expect(paths.length).toBeGreaterThanOrEqual(5);
    for (const p of paths) expect(p === dir || p.startsWith(`${dir}/`), p).toBe(true);
    expect(argv.join(' ')).not.toMatch(/\/etc\/frr|\/run\/frr|\/var\/run\/frr/);
  });

  it('passes option values as separate elements', () => {
    const opt = (flag: string) => argv[argv.indexOf(flag) + 1];
    // Its own per-daemon file (empty when the lab has none): frr.conf goes through vtysh.
    expect(opt('-f')).toBe(`${dir}/bgpd.conf`);
    expect(opt('-i')).toBe(`${dir}/bgpd.pid`);
    expect(opt('-z')).toBe(`${dir}/zserv.api`);
    expect(opt('--vty_socket')).toBe(dir);
    expect(opt('--log')).toBe(`file:${dir}/bgpd.log`);
  });

  it('opens no vty over TCP and daemonizes', () => {
    expect(argv[argv.indexOf('-P') + 1]).toBe('0');
    expect(argv).toContain('-d');
  });

  it('limits its descriptors, so its event loops are sized for a lab router, not for the host', () => {
    expect(argv[argv.indexOf('--limit-fds') + 1]).toBe('1024');
  });

  it('gives bfdd its control socket under the directory, and only bfdd', () => {
    const bfdd = daemonArgv('bfdd', { dir });
    expect(bfdd[bfdd.indexOf('--bfdctl') + 1]).toBe(`${dir}/bfdd.sock`);
    expect(argv).not.toContain('--bfdctl');
  });

  it('gives ldpd its control socket under the directory: not FRR’s shared ldpd.sock, which two ldpds starting at once fight over', () => {
    const ldpd = daemonArgv('ldpd', { dir });
    expect(ldpd[ldpd.indexOf('--ctl_socket') + 1]).toBe(dir);
    expect(argv).not.toContain('--ctl_socket');
  });

  it('keeps a directory with spaces or quotes as one argument: nothing is split or quoted', () => {
    const odd = `/tmp/np lab/it's "x"`;
    const a = daemonArgv('zebra', { dir: odd });
    expect(a[a.indexOf('-f') + 1]).toBe(`${odd}/zebra.conf`);
    expect(a[a.indexOf('--vty_socket') + 1]).toBe(odd);
  });
});

describe('applyIntegratedConfigArgv', () => {
  const dir = `/run/netproof/t/it's r1`;

  it('applies frr.conf through vtysh against the node’s own sockets, as FRR’s start-up does', () => {
    const argv = applyIntegratedConfigArgv({ dir });
    const vtysh = argv.slice(argv.indexOf('vtysh'));
    expect(vtysh).toEqual(['vtysh', '--vty_socket', dir, '-f', `${dir}/frr.conf`]);
  });

  it('joins stderr to stdout with a fixed script: every argument passes through "$@", none is spliced into it', () => {
    const argv = applyIntegratedConfigArgv({ dir });
    expect(argv.slice(0, 4)).toEqual(['sh', '-c', 'exec "$@" 2>&1', 'sh']);
    expect(argv.slice(4).some((a) => a.includes('2>&1'))).toBe(false);
  });

  it('applies to one restarted daemon with -d', () => {
    const argv = applyIntegratedConfigArgv({ dir }, 'bgpd');
    expect(argv.slice(argv.indexOf('-d'), argv.indexOf('-d') + 2)).toEqual(['-d', 'bgpd']);
  });
});

describe('daemonsForFiles', () => {
  it('starts what frr.conf uses and every daemon the lab gave a file of its own, in FRR’s order', () => {
    expect(daemonsForFiles('router bgp 65001\n', ['ospfd'])).toEqual(['zebra', 'staticd', 'bgpd', 'ospfd']);
    expect(daemonsForFiles(undefined, ['bfdd', 'bgpd'])).toEqual(['zebra', 'staticd', 'bgpd', 'bfdd']);
  });
});

describe('daemonAnswering', () => {
  it('routes each show command to the daemon vtysh would ask', () => {
    expect(daemonAnswering('show bgp summary json')).toBe('bgpd');
    expect(daemonAnswering('show bgp ipv4 unicast json')).toBe('bgpd');
    expect(daemonAnswering('show ip route json')).toBe('zebra');
    expect(daemonAnswering('show bfd peers json')).toBe('bfdd');
  });

  it('places no command vtysh answers itself or gathers from several daemons', () => {
    expect(daemonAnswering('show running-config')).toBeUndefined();
  });
});

