// Run a program by argv, never through a shell. Like testcontainers' exec, a non-zero
// exit is a result, not an exception; only a failure to spawn at all throws.
import { execFile, spawn } from 'node:child_process';

export interface ExecResult {
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ExecOptions {
  /** Written to stdin: text, or bytes (a crafted packet) as they are. */
  input?: string | Uint8Array;
  /** Keep stdin open until this settles, then close it: a program that stops on EOF stops then. */
  closeStdinWhen?: Promise<unknown>;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Working directory of the program (default: this process's). */
  cwd?: string;
  /** 'latin1' keeps binary output (a pcap) byte for byte: Buffer.from(stdout, 'latin1'). */
  encoding?: 'utf8' | 'latin1';
  /** Told of stderr as it comes (a program that says when it is ready), besides collecting it. */
  onStderr?: (chunk: string) => void;
}

const MAX_BUFFER = 64 * 1024 * 1024;

export function exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('exec: empty argv');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { maxBuffer: MAX_BUFFER, timeout: Math.ceil(opts.timeoutMs ?? 60_000), env: opts.env, cwd: opts.cwd, encoding: opts.encoding ?? 'utf8' },
      (error, stdout, stderr) => {
        const durationMs = performance.now() - started;
        if (error && typeof error.code === 'string') {
          // ENOENT, EACCES…: the program could not run at all.
          reject(new Error(`cannot run ${file}: ${error.message}`));
          return;
        }
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 128 + (error.signal ? 15 : 0)) : 0;
        resolve({ argv, exitCode, stdout, stderr, durationMs });
      },
    );
    if (opts.onStderr) child.stderr?.on('data', (d: Buffer | string) => opts.onStderr!(d.toString()));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else if (opts.closeStdinWhen) void opts.closeStdinWhen.finally(() => child.stdin?.end());
  });
}

/** Like exec, but a non-zero exit throws with the command, its stderr and exit code. */
export async function execOk(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await exec(argv, opts);
  if (r.exitCode !== 0) throw new ExecError(r);
  return r;
}

export class ExecError extends Error {
  readonly result: ExecResult;
  constructor(r: ExecResult) {
    super(`command failed (exit ${r.exitCode}): ${r.argv.join(' ')}\n${(r.stderr || r.stdout).trim()}`);
    this.result = r;
  }
}

/** Parse a command's stdout as JSON; bad JSON is an error that shows the command and the text, never `{}`. */
export function parseJson<T = unknown>(r: ExecResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch (e) {
    throw new Error(`${r.argv.join(' ')} did not print JSON (${(e as Error).message}):\n${r.stdout.slice(0, 500)}${r.stderr ? `\nstderr: ${r.stderr.slice(0, 500)}` : ''}`);
  }
}

/**
 * A program kept running that answers each line written to its stdin with one line on its
 * stdout (`ip -j -batch -`): for polls that time something, where starting a process per read
 * would take more CPU than the daemons being timed. Questions are answered in order.
 */
export interface Conversation {
  /** Write `line` and resolve with the next line of output; rejects, with the program's stderr, if it ends first. */
  ask(line: string): Promise<string>;
  /** Close its stdin and wait for it to end. */
  close(): Promise<void>;
  /** True once the program ended (closed, refused a line, gave no answer): later questions are rejected. */
  readonly ended: boolean;
}

/**
 * A program kept running that talks in lines both ways, whenever it has something to say (a
 * tool serving several jobs, trafgen serve): unlike a Conversation, lines out are not answers.
 */
export interface LineChannel {
  /** Write one line to its stdin (ignored once it ended). */
  send(line: string): void;
  /** Called with every line it prints from now on. */
  onLine(listener: (line: string) => void): void;
  /** Settles when it has ended, with why (its exit, and the end of its stderr). */
  readonly ended: Promise<string>;
  /** Close its stdin and wait for it to end. */
  close(): Promise<void>;
}

export function openLineChannel(argv: readonly string[], opts: Pick<ExecOptions, 'env'> = {}): LineChannel {
  const [file, ...args] = argv;
  if (!file) throw new Error('openLineChannel: empty argv');
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env });
  const listeners: ((line: string) => void)[] = [];
  let pending = '';
  let stderr = '';
  let isOver = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      for (const l of listeners) l(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  child.stdin.on('error', () => {}); // a program that died: reported by `ended`
  // Like a Conversation: an idle program does not keep this process running.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  const ended = new Promise<string>((resolve) => {
    const over = (why: string) => {
      isOver = true;
      resolve(`${argv.join(' ')} ${why}${stderr.trim() ? `: ${stderr.trim().slice(-500)}` : ''}`);
    };
    child.on('error', (e) => over(`could not run (${e.message})`));
    child.on('close', (code, signal) => over(`ended (${signal ?? `exit ${code}`})`));
  });
  return {
    send: (line) => {
      if (!isOver) child.stdin.write(`${line}\n`);
    },
    onLine: (listener) => void listeners.push(listener),
    ended,
    close: async () => {
      child.stdin.end();
      await ended;
    },
  };
}

/** How long converse waits for an answer: reads, not work; a silent program is a broken one. */
export const ANSWER_TIMEOUT_MS = 10_000;

export function converse(argv: readonly string[], opts: Pick<ExecOptions, 'env'> & { answerTimeoutMs?: number } = {}): Conversation {
  const answerTimeoutMs = opts.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
  const [file, ...args] = argv;
  if (!file) throw new Error('converse: empty argv');
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env });
  const waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  let pending = '';
  let stderr = '';
  let ended: Error | undefined;
  const finish = (why: string) => {
    ended ??= new Error(`${argv.join(' ')} ${why}${stderr.trim() ? `: ${stderr.trim().slice(0, 500)}` : ''}`);
    for (const w of waiting.splice(0)) w.reject(ended);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      waiting.shift()?.resolve(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => {}); // a program that died: reported by its exit below
  // An open conversation does not keep this process running: a question waiting for its answer
  // does (its timer), an idle program does not, and it ends with this process (stdin closes).
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  const exited = new Promise<void>((resolve) => {
    child.on('error', (e) => (finish(`could not run (${e.message})`), resolve()));
    child.on('close', (code, signal) => (finish(`ended (${signal ?? `exit ${code}`}) before answering`), resolve()));
  });
  return {
    ask: (line) =>
      new Promise<string>((resolve, reject) => {
        if (ended) return reject(ended);
        // No answer in time: later lines would answer the wrong questions, so the conversation ends.
        const timer = setTimeout(() => {
          finish(`gave no answer to "${line}" within ${answerTimeoutMs / 1000} s`);
          child.kill('SIGKILL');
        }, answerTimeoutMs);
        const settle = <T,>(f: (v: T) => void) => (v: T) => (clearTimeout(timer), f(v));
        waiting.push({ resolve: settle(resolve), reject: settle(reject) });
        child.stdin.write(`${line}\n`);
      }),
    close: async () => {
      child.stdin.end();
      await exited;
    },
    get ended() {
      return ended !== undefined;
    },
  };
}

/**
 * A conversation opened on the first question, closed after `idleCloseMs` without one, and
 * opened again after it ended (ip ends on a line it refuses): for reads spread over a whole run
 * (a node's `ip -j -batch -`), where one program per read would cost more CPU than the reads.
 */
export function keptConversation(open: () => Conversation, idleCloseMs: number): Conversation {
  let current: Conversation | undefined;
  let idle: NodeJS.Timeout | undefined;
  let waiting = 0;
  const closeCurrent = async () => {
    const c = current;
    current = undefined;
    await c?.close();
  };
  return {
    ask: async (line) => {
      clearTimeout(idle);
      if (!current || current.ended) current = open();
      const c = current;
      waiting++;
      try {
        return await c.ask(line);
      } finally {
        if (--waiting === 0 && c === current) (idle = setTimeout(() => void closeCurrent(), idleCloseMs)).unref();
      }
    },
    close: async () => {
      clearTimeout(idle);
      await closeCurrent();
    },
    get ended() {
      return false;
    },
  };
}
