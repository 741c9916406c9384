// FRR start-up of containerlab's kind: frr (PR 3382) through a stand-in NodeShell, as
// bring-up-frr.test.ts does for kind: linux: the daemons extras.frr.daemons names, and a
// startup-config written in the clab file copied to the node's directory and applied as a
// bound frr.conf is, its refused lines named with the node.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecResult } from '../exec.ts';
import { parseTopology } from '../topology/load.ts';
import type { NodeShell } from './node-shell.ts';

let bringUp: typeof import('./bring-up.ts').bringUp;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netproof-bringup-frr-kind-'));
  process.env.NETPROOF_STATE_DIR = join(dir, 'state'); // read when state.ts loads
  ({ bringUp } = await import('./bring-up.ts'));
  await writeFile(join(dir, 'frr.conf'), 'router bgp 65001\n');
  await mkdir(join(dir, 'state', 't', 'r1'), { recursive: true });
});
afterAll(() => {
  delete process.env.NETPROOF_STATE_DIR;
});

/**
 * A node where every command succeeds except those `fails` picks; records what ran. A daemon
 * it "starts" creates its sockets as the real one would; vtysh answers with `vtyshSays`.
 */
function standIn(fails: (argv: readonly string[]) => boolean, vtyshSays = { exitCode: 0, stdout: '' }): NodeShell & { ran: string[] } {
  const ran: string[] = [];
  const result = (argv: readonly string[], exitCode: number): ExecResult => ({ argv, exitCode, stdout: '', stderr: exitCode ? 'no such file' : '', durationMs: 0 });
  return {
    node: 'r1',
    ran,
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
  };
}

const lab = (...node: string[]) => parseTopology(['name: t', 'topology:', '  nodes:', '    r1:', '      kind: frr', ...node].join('\n'), join(dir, 't.clab.yml'), { exists: () => true });

describe('bringUp starting FRR on kind: frr', () => {
  it('starts the daemons extras.frr.daemons names (staticd only for a static route), then applies the startup-config file', async () => {
    const shell = standIn(() => false);
    const up = await bringUp({ topology: lab('      startup-config: frr.conf', '      extras: { frr: { daemons: [ospfd, bgpd] } }'), shell: () => shell, progress: () => {} });
    expect(up.daemons.r1).toEqual(['zebra', 'bgpd', 'ospfd']);
    expect(shell.ran.find((c) => c.includes('vtysh'))).toMatch(/vtysh --vty_socket \S+\/r1 -f \S+\/r1\/frr\.conf$/);
    expect(await readFile(join(dir, 'state', 't', 'r1', 'frr.conf'), 'utf8')).toBe('router bgp 65001\n');
  });

  it('writes a startup-config given in the clab file to the node’s directory and applies it through vtysh', async () => {
    const shell = standIn(() => false);
    const up = await bringUp({ topology: lab('      startup-config: |', '        router bgp 65002', '         bgp router-id 10.0.0.2', '      extras: { frr: { daemons: [bgpd] } }'), shell: () => shell, progress: () => {} });
    expect(up.daemons.r1).toEqual(['zebra', 'bgpd']);
    expect(await readFile(join(dir, 'state', 't', 'r1', 'frr.conf'), 'utf8')).toBe('router bgp 65002\n bgp router-id 10.0.0.2\n');
    const apply = shell.ran.findIndex((c) => c.includes('vtysh'));
    expect(apply).toBeGreaterThan(shell.ran.findIndex((c) => c.startsWith('/usr/lib/frr/bgpd')));
  });

  it('names a refused line of a startup-config in the clab file by the node', async () => {
    const shell = standIn(() => false, { exitCode: 2, stdout: 'line 1: % Unknown command[4]: router bgp 65002\n' });
    const up = await bringUp({ topology: lab('      startup-config: |', '        router bgp 65002', '        !', '      extras: { frr: { daemons: [bgpd] } }'), shell: () => shell, progress: () => {} });
    expect(up.frrConfigProblems).toEqual([{ node: 'r1', file: "r1's startup-config (in the clab file)", line: 1, statement: 'router bgp 65002', message: '% Unknown command' }]);
  });
});
