// How a runtime runs a command inside one node: the only thing that differs between a
// namespace (`ip netns exec`) and a container (`docker exec`) once the node exists. Bring-up
// (lib/runtime/bring-up.ts) and node handles (lib/runtime/lab-node.ts) are written against it.
import { ExecError, type Conversation, type ExecResult, type LineChannel } from '../exec.ts';
import type { BackgroundProcess, NodeExecOptions } from '../lab/started-lab.ts';

export interface NodeShell {
  readonly node: string;
  /** Run argv inside the node; `env` adds variables to the node's own environment. */
  exec(argv: readonly string[], opts?: NodeExecOptions): Promise<ExecResult>;
  /** Start argv in the background inside the node; stop() ends the process in the node. */
  spawn(argv: readonly string[]): BackgroundProcess;
  /** Keep argv running inside the node, answering a line of output per line of input (exec.ts converse). */
  converse(argv: readonly string[]): Conversation;
  /** Keep argv running inside the node, talking in lines both ways (exec.ts openLineChannel). */
  openChannel(argv: readonly string[]): LineChannel;
  /**
   * /proc/PID/stat and /proc/PID/cmdline of the node's process `pid` (as the node numbers its
   * processes); undefined when there is no such process.
   */
  processInfo(pid: number): Promise<ProcessInfo | undefined>;
  /**
   * argv that runs `argv` seeing `dir` at FRR's compiled-in state directory, for a daemon that
   * writes there whatever its options (render/frr-daemons.ts WRITES_FRR_STATE_DIR). A
   * container has that directory to itself; a namespace shares the host's.
   */
  withOwnFrrStateDir(argv: readonly string[], dir: string): readonly string[];
}

export interface ProcessInfo {
  stat: string;
  /** NUL-separated arguments. */
  cmdline: string;
}

/** Like shell.exec, but a non-zero exit throws, naming the node, the command and its stderr. */
export async function execOkIn(shell: NodeShell, argv: readonly string[], opts?: NodeExecOptions): Promise<ExecResult> {
  const r = await shell.exec(argv, opts);
  if (r.exitCode !== 0) {
    const e = new ExecError(r);
    e.message = `${shell.node}: ${e.message}`;
    throw e;
  }
  return r;
}
