// One FRR daemon's show commands over its vtysh socket (`<dir>/<daemon>.vty`), on a connection
// kept open: what vtysh itself does, without starting vtysh (about 50 ms of CPU) for every read.
// For polls that time a daemon's reaction (BFD detection every few ms). The socket is in the
// node's state directory, which both runtimes keep at the same path on the host.
//
// The protocol is vtysh's: a command line ends with a NUL byte; the daemon answers with the
// command's output, then three NUL bytes and the command's return code (0 is success).
import { connect, type Socket } from 'node:net';
import { ANSWER_TIMEOUT_MS } from '../exec.ts';

const ENABLE = 'enable';
/** An unused connection is closed after this long. */
const IDLE_CLOSE_MS = 10_000;
const TRAILER_NULS = 3;

/** The daemon ran the command and refused it (an unknown command, bad arguments): its words, and its return code. */
export class VtyRefused extends Error {
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

export class VtyClient {
  private readonly path: string;
  private socket?: Promise<Socket>;
  private buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (text: string) => void; reject: (e: Error) => void; command: string }[] = [];
  private failure?: Error;

  private readonly answerTimeoutMs: number;
  private readonly idleCloseMs: number;

  constructor(path: string, o: { answerTimeoutMs?: number; idleCloseMs?: number } = {}) {
    this.path = path;
    this.answerTimeoutMs = o.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
    this.idleCloseMs = o.idleCloseMs ?? IDLE_CLOSE_MS;
  }

  /** The daemon's output for `command` (a show command); rejects with the daemon's words if it refuses it. */
  async show(command: string): Promise<string> {
    if (/[\0\n]/.test(command)) throw new Error(`vty command must be one line: ${JSON.stringify(command)}`);
    const socket = await (this.socket ??= this.open());
    return this.send(socket, command);
  }

  /** False once the connection failed or closed: a new client is needed (the daemon restarted). */
  get usable(): boolean {
    return this.failure === undefined;
  }

  async close(): Promise<void> {
    const socket = await this.socket?.catch(() => undefined);
    this.socket = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => socket.end(resolve));
    socket.destroy();
  }

  private async open(): Promise<Socket> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(this.path);
      s.once('connect', () => resolve(s));
      s.once('error', (e) => reject(new Error(`cannot connect to ${this.path}: ${e.message}`)));
    });
    // An idle connection does not keep netproof running (it ends with the process), and is
    // closed after a while: a lab of hundreds of routers read by many suites would otherwise
    // hold thousands of them. The next read opens a new one (the caller sees `usable` false).
    socket.unref();
    socket.setTimeout(this.idleCloseMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (e) => this.fail(new Error(`${this.path}: ${e.message}`)));
    socket.on('close', () => this.fail(new Error(`${this.path} closed the connection`)));
    // Show commands of some daemons (bfdd's) exist only in enable mode, where vtysh runs them.
    await this.send(socket, ENABLE);
    return socket;
  }

  private send(socket: Socket, command: string): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      // No answer in time: a later answer would go to the wrong command, so the connection ends.
      const timer = setTimeout(() => {
        this.fail(new Error(`${this.path} gave no answer to '${command}' within ${this.answerTimeoutMs / 1000} s`));
        socket.destroy();
      }, this.answerTimeoutMs);
      const settle = <T,>(f: (v: T) => void) => (v: T) => (clearTimeout(timer), f(v));
      this.waiting.push({ resolve: settle(resolve), reject: settle(reject), command });
      socket.write(`${command}\0`);
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf(Buffer.alloc(TRAILER_NULS));
      if (end < 0 || this.buffer.length < end + TRAILER_NULS + 1) return;
      const text = this.buffer.subarray(0, end).toString('utf8');
      const code = this.buffer[end + TRAILER_NULS]!;
      this.buffer = this.buffer.subarray(end + TRAILER_NULS + 1);
      const w = this.waiting.shift();
      if (!w) continue;
      if (code === 0) w.resolve(text);
      else w.reject(new VtyRefused(`${this.path}: '${w.command}' failed (code ${code}): ${text.trim()}`, code));
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }
}
