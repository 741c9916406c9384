// Run a program by argv, never through a shell. Like testcontainers' exec, a non-zero
// exit is a result, not an exception; only a failure to spawn at all throws.
import { execFile } from 'node:child_process';

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
