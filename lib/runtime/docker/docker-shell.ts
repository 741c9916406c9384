// Commands inside a node's container, by `docker exec` with an argv (never a shell line).
// Processes started this way live in the container's cgroup and pid namespace, so removing
// the container ends every one of them.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnBackground } from '../background.ts';
import { converse, exec, openLineChannel } from '../../exec.ts';
import { waitFor } from '../../wait-for.ts';
import type { BackgroundProcess, NodeExecOptions } from '../../lab/started-lab.ts';
import type { NodeShell, ProcessInfo } from '../node-shell.ts';

/** `docker exec` argv: `-i` only when there is input to pass, `-e` per variable. */
export function dockerExecArgv(container: string, argv: readonly string[], opts: { env?: Record<string, string>; interactive?: boolean } = {}): string[] {
  const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return ['docker', 'exec', ...(opts.interactive ? ['-i'] : []), ...env, container, ...argv];
}

/**
 * argv that records its own pid in `pidFile` and then becomes `argv`: stopping the docker
 * client would leave the process running in the container, so stop() kills it by that pid.
 * The command is passed as arguments ("$@"), never pasted into the script.
 */
export function pidRecordingArgv(pidFile: string, argv: readonly string[]): string[] {
  return ['sh', '-c', 'echo $$ > "$1"; shift; exec "$@"', 'sh', pidFile, ...argv];
}

export class DockerShell implements NodeShell {
  readonly node: string;
  private readonly container: string;
  /** The node's state directory, the same path on the host and in the container. */
  private readonly dir: string;

  constructor(node: string, container: string, dir: string) {
    this.node = node;
    this.container = container;
    this.dir = dir;
  }

  exec(argv: readonly string[], opts: NodeExecOptions = {}) {
    const { env, ...rest } = opts;
    return exec(dockerExecArgv(this.container, argv, { env, interactive: opts.input !== undefined || opts.closeStdinWhen !== undefined }), rest);
  }

  /** Ends with the docker client: closing its stdin ends the program inside (EOF), as it does any program that reads stdin. */
  converse(argv: readonly string[]) {
    return converse(dockerExecArgv(this.container, argv, { interactive: true }));
  }

  /** Ends with the docker client, as converse does. */
  openChannel(argv: readonly string[]) {
    return openLineChannel(dockerExecArgv(this.container, argv, { interactive: true }));
  }

  /** The container has its own pid space: its /proc is read from inside, both files in one command (stat is one line). */
  async processInfo(pid: number): Promise<ProcessInfo | undefined> {
    const r = await this.exec(['cat', `/proc/${pid}/stat`, `/proc/${pid}/cmdline`]);
    if (r.exitCode !== 0) return undefined;
    const lineEnd = r.stdout.indexOf('\n') + 1;
    return { stat: r.stdout.slice(0, lineEnd), cmdline: r.stdout.slice(lineEnd) };
  }

  /** The container's FRR state directory is its own already. */
  withOwnFrrStateDir(argv: readonly string[]): readonly string[] {
    return argv;
  }

  spawn(argv: readonly string[]): BackgroundProcess {
    const pidFile = join(this.dir, `bg-${randomUUID()}.pid`);
    const client = spawnBackground(dockerExecArgv(this.container, pidRecordingArgv(pidFile, argv)));
    return {
      argv,
      exited: client.exited,
      output: client.output,
      stop: async () => {
        const recorded = await waitFor(
          async () => {
            const text = await readFile(pidFile, 'utf8').catch(() => '');
            const n = Number.parseInt(text, 10);
            if (Number.isInteger(n) && n > 0) return { ok: true, value: n };
            return { ok: false, reason: `${pidFile} has no pid yet` };
          },
          { timeoutMs: 5_000, intervalsMs: [10, 50], description: `${argv[0]} on ${this.node} to start` },
        ).catch(() => undefined);
        const killed = recorded ? (await this.exec(['kill', '-TERM', String(recorded.value)])).exitCode === 0 : false;
        // Already gone (the kill found no such process), or it never started: end the client.
        if (!killed) await client.stop();
        await client.exited;
        await rm(pidFile, { force: true });
      },
    };
  }
}
