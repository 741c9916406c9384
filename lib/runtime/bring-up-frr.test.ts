// FRR start-up through a stand-in NodeShell: what bring-up asks of a node, and how it blames a
// missing daemon on the environment (exit 3) rather than on the lab.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../errors.ts';
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
  // zebra's socket, as the real zebra would create it: the stand-in starts nothing.
  await mkdir(join(dir, 'state', 't', 'r1'), { recursive: true });
  await writeFile(join(dir, 'state', 't', 'r1', 'zserv.api'), '');
});
afterAll(() => {
  delete process.env.NETPROOF_STATE_DIR;
});

/** A node where every command succeeds except those `fails` picks; records what ran. */
function standIn(fails: (argv: readonly string[]) => boolean): NodeShell & { ran: string[] } {
  const ran: string[] = [];
  const result = (argv: readonly string[], exitCode: number): ExecResult => ({ argv, exitCode, stdout: '', stderr: exitCode ? 'no such file' : '', durationMs: 0 });
  return {
    node: 'r1',
    ran,
    exec: async (argv) => {
      ran.push(argv.join(' '));
      return result(argv, fails(argv) ? 1 : 0);
    },
    spawn: () => {
      throw new Error('not used');
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

  it('a daemon that is installed but fails to start keeps its own error', async () => {
    const shell = standIn((argv) => argv[0]!.endsWith('/fabricd'));
    const error = await bringUp({ topology: lab(), shell: () => shell, progress: () => {} }).then(() => undefined, (e: unknown) => e);
    expect(error).not.toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(/^r1: command failed \(exit 1\): \/usr\/lib\/frr\/fabricd/);
  });
});
