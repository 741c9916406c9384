// A long-running process (listener, capture) started by argv on the host, never through a shell:
// how the runtimes give a node its spawn(), so it lives with them, above the lab interface.
import { spawn } from 'node:child_process';
import type { BackgroundProcess } from '../lab/started-lab.ts';

export function spawnBackground(argv: readonly string[]): BackgroundProcess {
  const [file, ...args] = argv;
  if (!file) throw new Error('spawnBackground: empty argv');
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  return {
    argv,
    exited,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
