// FRR start-up through a stand-in NodeShell: what bring-up asks of a node, in which order, how
// it blames a missing daemon on the environment (exit 3) rather than on the lab, and how it
// reports the lines FRR refused; and for containerlab's kind: frr, the daemons extras.frr.daemons
// names and a startup-config written in the clab file, applied as a bound frr.conf is.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError, LabError } from '../errors.ts';
import type { ExecResult } from '../exec.ts';
import { parseTopology } from '../topology/load.ts';
import type { NodeShell } from './node-shell.ts';

let bringUp: typeof import('./bring-up.ts').bringUp;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netproof-bringup-'));
  process.env.NETPROOF_STATE_DIR = join(dir, 'state'); // read when state.ts loads
  ({ bringUp } = await import('./bring-up.ts'));
  await writeFile(join(dir, 'frr.conf'), 'router bgp 65001\n');
  await writeFile(join(dir, 'daemons'), 'bgpd=yes\nfabricd=yes\n');
  await mkdir(join(dir, 'state', 't', 'r1'), { recursive: true });
});
afterAll(() => {
  delete process.env.NETPROOF_STATE_DIR;
});

/**
 * A node where every command succeeds except those `fails` picks; records what ran. A daemon
 * it "starts" creates its sockets as the real one would; vtysh answers with `vtyshSays`.
 */
function standIn(fails: (argv: readonly string[]) => boolean, vtyshSays = { exitCode: 0, stdout: '' }): NodeShell & { ran: string[]; ownStateDir: string[] } {
  const ran: string[] = [];
  const ownStateDir: string[] = [];
  const result = (argv: readonly string[], exitCode: number): ExecResult => ({ argv, exitCode, stdout: '', stderr: exitCode ? 'no such file' : '', durationMs: 0 });
  return {
    node: 'r1',
    ran,
    ownStateDir,
    exec: async (argv) => {
      ran.push(argv.join(' '));
      if (fails(argv)) return result(argv, 1);
      const daemon = /^\/usr\/lib\/frr\/(\w+)$/.exec(argv[0]!)?.[1];
      if (daemon) {
        const sockDir = argv[argv.indexOf('--vty_socket') + 1]!;
        await writeFile(join(sockDir, `${daemon}.vty`), '');
        if (daemon === 'zebra') await writeFile(join(sockDir, 'zserv.api'), '');
      }
      if (argv.includes('vtysh')) return { ...result(argv, vtyshSays.exitCode), stdout: vtyshSays.stdout, stderr: '' };
      return result(argv, 0);
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
    processInfo: () => {
      throw new Error('not used');
    },
    withOwnFrrStateDir: (argv, stateDir) => {
      ownStateDir.push(`${argv[0]!.split('/').pop()} in ${stateDir}`);
      return argv;
    },
  };
}

const lab = () =>
  parseTopology(['name: t', 'topology:', '  nodes:', '    r1:', '      kind: linux', '      image: quay.io/frrouting/frr:8.4.4', '      binds: [frr.conf:/etc/frr/frr.conf, daemons:/etc/frr/daemons]'].join('\n'), join(dir, 't.clab.yml'), { exists: () => true });

describe('bringUp starting FRR', () => {
  it('a daemon the daemons file enables but the package lacks is an environment error naming node and daemon', async () => {
    const shell = standIn((argv) => argv[0]!.endsWith('/fabricd') || (argv[0] === 'test' && argv[2]!.endsWith('/fabricd')));
    const error = await bringUp({ topology: lab(), shell: () => shell, progress: () => {} }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toBe('r1 needs the FRR daemon fabricd, which is not installed (/usr/lib/frr/fabricd)\n    fix: apt-get install frr');
    expect(shell.ran.some((c) => c.startsWith('/usr/lib/frr/bgpd -d'))).toBe(true);
  });

  it('a daemon that is installed but fails to start is the lab’s fault (exit 1), with its own error and its log', async () => {
    const shell = standIn((argv) => argv[0]!.endsWith('/fabricd'));
    await writeFile(join(dir, 'state', 't', 'r1', 'fabricd.log'), 'fabricd 8.4.4 starting\nFABRICD: [EC 1] cannot bind: Address in use\n');
    const error = await bringUp({ topology: lab(), shell: () => shell, progress: () => {} }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(/^r1: FRR's fabricd did not start: r1: command failed \(exit 1\): \/usr\/lib\/frr\/fabricd/);
    expect((error as Error).message).toContain('fabricd.log, last lines:\n      fabricd 8.4.4 starting\n      FABRICD: [EC 1] cannot bind: Address in use');
  });

  it('starts every daemon on its own (empty) file, then applies frr.conf through vtysh once all of them answer; staticd only for a static route', async () => {
    const shell = standIn(() => false);
    const up = await bringUp({ topology: lab(), shell: () => shell, progress: () => {} });
    // r1's frr.conf has no static route: no staticd, though its daemons file (as FRR's start-up) would run one.
    expect(up.daemons.r1).toEqual(['zebra', 'bgpd', 'fabricd']);
    expect(up.frrConfigProblems).toEqual([]);
    const started = shell.ran.filter((c) => c.startsWith('/usr/lib/frr/'));
    expect(started.map((c) => c.split(' ')[0]!.split('/').pop())).toEqual(['zebra', 'bgpd', 'fabricd']);
    for (const c of started) expect(c).toMatch(/ -f \S+\/r1\/(zebra|bgpd|fabricd)\.conf /);
    const apply = shell.ran.findIndex((c) => c.includes('vtysh'));
    expect(apply).toBeGreaterThan(shell.ran.lastIndexOf(started.at(-1)!));
    expect(shell.ran[apply]).toMatch(/vtysh --vty_socket \S+\/r1 -f \S+\/r1\/frr\.conf$/);
  });

  it('returns every line vtysh refused, naming the node, the user’s file and the line', async () => {
    const shell = standIn(() => false, { exitCode: 2, stdout: 'line 1: % Unknown command[4]: router bgp 65001\n' });
    const up = await bringUp({ topology: lab(), shell: () => shell, progress: () => {} });
    expect(up.frrConfigProblems).toEqual([{ node: 'r1', file: join(dir, 'frr.conf'), line: 1, statement: 'router bgp 65001', message: '% Unknown command' }]);
  });

  it('a vtysh that fails without naming a line is still a problem, with what it said', async () => {
    const shell = standIn(() => false, { exitCode: 1, stdout: 'Exiting: failed to connect to any daemons.\n' });
    const up = await bringUp({ topology: lab(), shell: () => shell, progress: () => {} });
    expect(up.frrConfigProblems).toEqual([{ node: 'r1', file: join(dir, 'frr.conf'), statement: '', message: 'vtysh could not apply the file (exit 1): Exiting: failed to connect to any daemons.' }]);
  });
});

/** A one-router lab of containerlab's kind: frr (PR 3382). */
const frrKindLab = (...node: string[]) => parseTopology(['name: t', 'topology:', '  nodes:', '    r1:', '      kind: frr', ...node].join('\n'), join(dir, 't.clab.yml'), { exists: () => true });

describe('bringUp starting FRR on kind: frr', () => {
  it('starts the daemons extras.frr.daemons names (staticd only for a static route), then applies the startup-config file', async () => {
    const shell = standIn(() => false);
    const up = await bringUp({ topology: frrKindLab('      startup-config: frr.conf', '      extras: { frr: { daemons: [ospfd, bgpd] } }'), shell: () => shell, progress: () => {} });
    expect(up.daemons.r1).toEqual(['zebra', 'bgpd', 'ospfd']);
    // ospfd writes its graceful-restart state to FRR's state directory whatever its options: the node's own there.
    expect(shell.ownStateDir).toEqual([`ospfd in ${join(dir, 'state', 't', 'r1')}`]);
    expect(shell.ran.find((c) => c.includes('vtysh'))).toMatch(/vtysh --vty_socket \S+\/r1 -f \S+\/r1\/frr\.conf$/);
    expect(await readFile(join(dir, 'state', 't', 'r1', 'frr.conf'), 'utf8')).toBe('router bgp 65001\n');
  });

  it('writes a startup-config given in the clab file to the node’s directory and applies it through vtysh', async () => {
    const shell = standIn(() => false);
    const up = await bringUp({ topology: frrKindLab('      startup-config: |', '        router bgp 65002', '         bgp router-id 10.0.0.2', '      extras: { frr: { daemons: [bgpd] } }'), shell: () => shell, progress: () => {} });
    expect(up.daemons.r1).toEqual(['zebra', 'bgpd']);
    expect(await readFile(join(dir, 'state', 't', 'r1', 'frr.conf'), 'utf8')).toBe('router bgp 65002\n bgp router-id 10.0.0.2\n');
    const apply = shell.ran.findIndex((c) => c.includes('vtysh'));
    expect(apply).toBeGreaterThan(shell.ran.findIndex((c) => c.startsWith('/usr/lib/frr/bgpd')));
  });

  it('names a refused line of a startup-config in the clab file by the node', async () => {
    const shell = standIn(() => false, { exitCode: 2, stdout: 'line 1: % Unknown command[4]: router bgp 65002\n' });
    const up = await bringUp({ topology: frrKindLab('      startup-config: |', '        router bgp 65002', '        !', '      extras: { frr: { daemons: [bgpd] } }'), shell: () => shell, progress: () => {} });
    expect(up.frrConfigProblems).toEqual([{ node: 'r1', file: "r1's startup-config (in the clab file)", line: 1, statement: 'router bgp 65002', message: '% Unknown command' }]);
  });
});
