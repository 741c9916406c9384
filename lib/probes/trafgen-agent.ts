// One trafgen per node serves all the probe streams it sends or receives (`trafgen serve`):
// starting Node inside a node for every stream cost more CPU than the streams, and a stream's
// start waited for it. A job answers like an exec of `trafgen send|recv`: its stdout, its stderr
// (told as it comes), its exit code. The agent is started on first use, closed after a while
// without jobs, started again if it ended; it never keeps netproof running.
import type { ExecResult, LineChannel } from '../exec.ts';
import type { NodeHandle } from '../lab/started-lab.ts';
import { ownFile } from '../paths.ts';

/** Run inside nodes by the Node running netproof, which every runtime makes visible there (toolArgv). */
export const TRAFGEN = ownFile('lib/traffic/trafgen.ts');

/** How long an agent stays without jobs: across a check's streams, not between runs. */
const IDLE_CLOSE_MS = 10_000;
/** How long an agent may take to start (Node, inside a node of a loaded machine). */
const READY_TIMEOUT_MS = 15_000;

export interface TrafgenJobOptions {
  timeoutMs: number;
  /** The job's stdin closes when this settles (--until-eof). */
  closeStdinWhen?: Promise<unknown>;
  onStderr?: (chunk: string) => void;
}

interface Job {
  stdout: string;
  stderr: string;
  onStderr?: (chunk: string) => void;
  finish(exitCode: number): void;
}

interface Running {
  channel: LineChannel;
  jobs: Map<number, Job>;
  ready: Promise<void>;
}

class Agent {
  private readonly node: NodeHandle;
  private current?: Running;
  private nextId = 1;
  private idle?: NodeJS.Timeout;

  constructor(node: NodeHandle) {
    this.node = node;
  }

  private start(): Running {
    const channel = this.node.openChannel(this.node.toolArgv(TRAFGEN, ['serve']));
    const jobs = new Map<number, Job>();
    let isReady = () => {};
    const ready = new Promise<void>((resolve) => (isReady = resolve));
    const running: Running = { channel, jobs, ready };
    channel.onLine((line) => {
      let m: { id?: number; ready?: boolean; stdout?: string; stderr?: string; exit?: number };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        return;
      }
      if (m.ready) return isReady();
      const job = m.id === undefined ? undefined : jobs.get(m.id);
      if (!job) return;
      if (m.stdout) job.stdout += m.stdout;
      if (m.stderr) {
        job.stderr += m.stderr;
        job.onStderr?.(m.stderr);
      }
      if (m.exit !== undefined) {
        jobs.delete(m.id!);
        job.finish(m.exit);
        this.idleWhenDone(running);
      }
    });
    void channel.ended.then((why) => {
      if (this.current === running) this.current = undefined;
      isReady();
      for (const job of jobs.values()) {
        job.stderr += `trafgen serve in ${this.node.name}: ${why}\n`;
        job.finish(1);
      }
      jobs.clear();
    });
    return running;
  }

  private idleWhenDone(running: Running): void {
    if (running.jobs.size || this.current !== running) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.current === running && !running.jobs.size) {
        this.current = undefined;
        void running.channel.close();
      }
    }, IDLE_CLOSE_MS);
    this.idle.unref();
  }

  /** Resolves once the agent runs and reads jobs (started now if it was not): the next job starts at once. */
  async ready(): Promise<void> {
    clearTimeout(this.idle);
    const running = (this.current ??= this.start());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running.ready, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${this.node.name}: trafgen serve did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
    this.idleWhenDone(running);
  }

  run(args: readonly string[], o: TrafgenJobOptions): Promise<ExecResult> {
    clearTimeout(this.idle);
    const running = (this.current ??= this.start());
    const id = this.nextId++;
    const argv = [...this.node.toolArgv(TRAFGEN, args)];
    const started = performance.now();
    return new Promise<ExecResult>((resolve) => {
      const timer = setTimeout(() => {
        // The agent's job is bounded by its own --duration; its answer no longer matters.
        running.jobs.delete(id);
        running.channel.send(JSON.stringify({ id, eof: true }));
        job.stderr += `trafgen: no answer within ${o.timeoutMs / 1000} s\n`;
        job.finish(124);
        this.idleWhenDone(running);
      }, o.timeoutMs);
      const job: Job = {
        stdout: '',
        stderr: '',
        ...(o.onStderr ? { onStderr: o.onStderr } : {}),
        finish: (exitCode) => {
          clearTimeout(timer);
          resolve({ argv, exitCode, stdout: job.stdout, stderr: job.stderr, durationMs: performance.now() - started });
        },
      };
      running.jobs.set(id, job);
      running.channel.send(JSON.stringify({ id, args }));
      void o.closeStdinWhen?.finally(() => running.channel.send(JSON.stringify({ id, eof: true })));
    });
  }
}

const agents = new WeakMap<NodeHandle, Agent>();
const agentOf = (node: NodeHandle): Agent => agents.get(node) ?? agents.set(node, new Agent(node)).get(node)!;

/** `trafgen send|recv ARGS` in `node`, as an exec of it would answer. */
export function runTrafgen(node: NodeHandle, args: readonly string[], o: TrafgenJobOptions): Promise<ExecResult> {
  return agentOf(node).run(args, o);
}

/** Have `node`'s agent running, so the jobs given to it next start without waiting for Node. */
export function trafgenReady(node: NodeHandle): Promise<void> {
  return agentOf(node).ready();
}
