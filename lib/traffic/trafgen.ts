#!/usr/bin/env node
// netproof's traffic generator, run inside lab nodes (through the runtime's exec):
//   trafgen send --dst IP --port P [--src IP] [--start-ns T] [--flows N] [--rate PPS] [--duration S] [--size B] [--src-port-base S] [--until-eof]
//   trafgen recv --port P --duration S [--family 4|6] [--until-eof] [--tell-after N]
//     says "trafgen: listening on udp/P" on stderr once bound, and "trafgen: received N" at the Nth probe
//   trafgen serve
//     runs send and recv jobs for its caller, one JSON line each way per event, so a node starts
//     Node once for all its probe streams (starting it per stream took more CPU than the streams):
//     in  {"id":1,"args":["recv",…]}  {"id":1,"eof":true}   (the job's stdin closed)
//     out {"id":1,"stderr":"…"}  {"id":1,"stdout":"…"}  {"id":1,"exit":0}
//     It ends when its stdin does, once its jobs have (each is bounded by its --duration).
// UDP probes carry a flow id, a sequence number and the sender's monotonic send time. Every
// run is bounded in rate and time and stops by itself. The sender prints how many packets each
// flow sent; the receiver prints every packet it got, for the caller to analyze (analysis.ts).
// When a flow ends its sender sends a few end markers on it: the receiver stops as soon as it
// has one from every flow, when its stdin closes (--until-eof: the caller has seen every sender
// finish) and at --duration at the latest (a flow whose path stayed broken).
import { createSocket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const MAGIC = 0x4e505246; // "NPRF"
const END_MAGIC = 0x4e50454e; // "NPEN": flow id, then how many flows the sender runs
const HEADER_BYTES = 18;
const END_COPIES = 3;
/** After stdin's EOF, how long the receiver keeps reading datagrams already on their way. */
const EOF_DRAIN_MS = 200;
export const LIMITS = { rate: 20_000, durationS: 120, flows: 1024, sizeMin: HEADER_BYTES, sizeMax: 1400 } as const;

/** Bad usage: exit 2, with the message. */
class Usage extends Error {}

function fail(message: string): never {
  throw new Usage(message);
}

/** A job's output and input: the process's own stdio, or a serve job's lines. */
interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Settles when the caller closes the job's input (--until-eof); only asked for when it is given. */
  eof(): Promise<void>;
}

function bounded(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be between ${min} and ${max} (got ${v})`);
  return n;
}

async function send(o: Record<string, string | undefined>, io: Io): Promise<void> {
  if (!o.dst || !(isIPv4(o.dst) || isIPv6(o.dst))) fail('--dst must be an IPv4 or IPv6 address');
  const udp = isIPv6(o.dst) ? 'udp6' : 'udp4';
  // A router's own traffic leaves from its loopback, which every router has a route back to.
  if (o.src !== undefined && !(udp === 'udp6' ? isIPv6(o.src) : isIPv4(o.src))) fail(`--src must be an ${udp === 'udp6' ? 'IPv6' : 'IPv4'} address, as --dst is`);
  const port = bounded('port', o.port, 0, 1, 65535);
  const flows = bounded('flows', o.flows, 1, 1, LIMITS.flows);
  const rate = bounded('rate', o.rate, 1000, 1, LIMITS.rate);
  const durationS = bounded('duration', o.duration, 5, 0.1, LIMITS.durationS);
  const size = bounded('size', o.size, 64, LIMITS.sizeMin, LIMITS.sizeMax);
  // Flow i leaves from source port base+i (or an ephemeral port): the 5-tuples ECMP hashes.
  const base = o['src-port-base'] === undefined ? 0 : bounded('src-port-base', o['src-port-base'], 0, 1024, 65535 - flows);
  let at: bigint | undefined;
  if (o['start-ns'] !== undefined) {
    if (!/^\d{1,20}$/.test(o['start-ns'])) fail('--start-ns must be a CLOCK_MONOTONIC time in ns');
    at = BigInt(o['start-ns']);
    if (at > process.hrtime.bigint() + 60_000_000_000n) fail('--start-ns is more than 60 s away');
  }
  // Every check is done: nothing below fails with sockets left open (a serve job must not leak them).
  // IPv6 only: an IPv4 sender on the same source ports (one router's two families measured at once) must not clash.
  const sockets = Array.from({ length: flows }, () => (udp === 'udp6' ? createSocket({ type: 'udp6', ipv6Only: true }) : createSocket('udp4')));
  const bound = await Promise.allSettled(
    sockets.map((s, i) => new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind({ port: base ? base + i : 0, ...(o.src ? { address: o.src } : {}) }, () => {
        s.removeAllListeners('error');
        s.on('error', () => {}); // ICMP unreachable while a path is down: keep sending
        resolve();
      });
    })),
  );
  const refused = bound.find((b) => b.status === 'rejected');
  if (refused) {
    for (const s of sockets) s.close();
    throw (refused as PromiseRejectedResult).reason;
  }
  const sent = new Array<number>(flows).fill(0);
  const intervalNs = BigInt(Math.round(1e9 / rate));
  // Several senders started together begin at one instant of the shared monotonic clock, so
  // the caller can place a fault at a known time after all of them are sending.
  if (at !== undefined) {
    while (process.hrtime.bigint() < at) await new Promise((r) => setTimeout(r, Math.max(0, Math.min(50, Number(at - process.hrtime.bigint()) / 1e6 - 1))));
  }
  const start = process.hrtime.bigint();
  let end = start + BigInt(Math.round(durationS * 1e9));
  // --until-eof: the caller may end the stream sooner by closing stdin (it has seen what it needed).
  if (o['until-eof']) {
    void io.eof().then(() => {
      const now = process.hrtime.bigint();
      if (now < end) end = now;
    });
  }
  let n = 0n;
  // Send every packet that is due, then sleep until the next one is: the schedule holds even
  // when a wake-up runs late, and the sender leaves the CPU to the daemons whose reaction the
  // streams time (spinning here took a whole core per stream and stretched BFD failovers).
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = process.hrtime.bigint();
      while (start + n * intervalNs <= now && start + n * intervalNs < end) {
        const flow = Number(n % BigInt(flows));
        const buf = Buffer.alloc(size);
        buf.writeUInt32BE(MAGIC, 0);
        buf.writeUInt16BE(flow, 4);
        buf.writeUInt32BE(sent[flow]!, 6);
        buf.writeBigUInt64BE(process.hrtime.bigint(), 10);
        sockets[flow]!.send(buf, port, o.dst!);
        sent[flow]!++;
        n++;
      }
      const nextDue = start + n * intervalNs;
      if (nextDue >= end) resolve();
      else setTimeout(tick, Math.max(0, Number(nextDue - process.hrtime.bigint()) / 1e6));
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, 50)); // let the last datagrams leave
  for (let copy = 0; copy < END_COPIES; copy++) {
    for (const [flow, socket] of sockets.entries()) {
      const end = Buffer.alloc(HEADER_BYTES);
      end.writeUInt32BE(END_MAGIC, 0);
      end.writeUInt16BE(flow, 4);
      end.writeUInt32BE(flows, 6);
      socket.send(end, port, o.dst!);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const sourcePorts = sockets.map((s) => s.address().port);
  for (const s of sockets) s.close();
  // Its own CPU time, start-up included: what a stream costs the machine whose reactions it times
  // (npm run bench). Under serve, the whole agent's so far.
  const cpu = process.cpuUsage();
  io.stdout(`${JSON.stringify({ sent, startNs: String(start), endNs: String(end), sourcePorts, cpuMs: Math.round((cpu.user + cpu.system) / 1000) })}\n`);
}

async function recv(o: Record<string, string | undefined>, io: Io): Promise<void> {
  const port = bounded('port', o.port, 0, 1, 65535);
  const durationS = bounded('duration', o.duration, 5, 0.1, LIMITS.durationS);
  const tellAfter = o['tell-after'] === undefined ? 0 : bounded('tell-after', o['tell-after'], 0, 1, 1_000_000);
  if (o.family !== undefined && o.family !== '4' && o.family !== '6') fail(`--family must be 4 or 6 (got ${o.family})`);
  const flows: number[] = [];
  const seqs: number[] = [];
  const sentNs: string[] = [];
  // IPv6 probes on an IPv6 socket of their own: a dual-stack one would fail where a node has IPv6 off.
  const s = o.family === '6' ? createSocket({ type: 'udp6', ipv6Only: true }) : createSocket('udp4');
  const ended = new Set<number>();
  let allEnded: () => void = () => {};
  const ends = new Promise<void>((resolve) => (allEnded = resolve));
  s.on('message', (buf) => {
    if (buf.length >= HEADER_BYTES && buf.readUInt32BE(0) === END_MAGIC) {
      ended.add(buf.readUInt16BE(4));
      if (ended.size >= buf.readUInt32BE(6)) allEnded();
      return;
    }
    if (buf.length < HEADER_BYTES || buf.readUInt32BE(0) !== MAGIC) return;
    flows.push(buf.readUInt16BE(4));
    seqs.push(buf.readUInt32BE(6));
    sentNs.push(String(buf.readBigUInt64BE(10)));
    // --tell-after N: the caller waits for the stream to flow before acting (a fault), without polling.
    if (flows.length === tellAfter) io.stderr(`trafgen: received ${tellAfter}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    s.once('error', (e) => (s.close(), reject(e)));
    s.bind(port, resolve);
  });
  // The caller starts the senders on this line (flows.ts): no polling for the socket.
  io.stderr(`trafgen: listening on udp/${port}\n`);
  let timer: NodeJS.Timeout | undefined;
  const stops: Promise<unknown>[] = [ends, new Promise((r) => (timer = setTimeout(r, durationS * 1000)))];
  // --until-eof: the senders have all finished. Datagrams already queued on the socket are
  // still read (a starved receiver may see EOF first) before it closes.
  if (o['until-eof']) stops.push(io.eof().then(() => new Promise((r) => setTimeout(r, EOF_DRAIN_MS))));
  await Promise.race(stops);
  clearTimeout(timer);
  s.close();
  io.stdout(`${JSON.stringify({ flows, seqs, sentNs })}\n`);
}

const USAGE = 'usage: trafgen send --dst IP --port P [--src IP] [--start-ns T] [--flows N] [--rate PPS] [--duration S] [--size B] [--src-port-base S] [--until-eof] | trafgen recv --port P --duration S [--family 4|6] [--until-eof] [--tell-after N] | trafgen serve';

/** One send or recv job; its exit code (2 for bad usage, said on its stderr). */
async function run(args: string[], io: Io): Promise<number> {
  try {
    // An unknown option or a missing value is bad usage like any other (exit 2), not a crash.
    const { positionals, values } = (() => {
      try {
        return parseArgs({
          args,
          allowPositionals: true,
          options: { dst: { type: 'string' }, src: { type: 'string' }, family: { type: 'string' }, 'start-ns': { type: 'string' }, port: { type: 'string' }, 'tell-after': { type: 'string' }, flows: { type: 'string' }, rate: { type: 'string' }, duration: { type: 'string' }, size: { type: 'string' }, 'src-port-base': { type: 'string' }, 'until-eof': { type: 'boolean' } },
        });
      } catch (err) {
        fail((err as Error).message);
      }
    })();
    const options = { ...values, 'until-eof': values['until-eof'] ? 'yes' : undefined };
    if (positionals[0] === 'send') await send(options, io);
    else if (positionals[0] === 'recv') await recv(options, io);
    else fail(USAGE);
    return 0;
  } catch (err) {
    if (!(err instanceof Usage)) throw err;
    io.stderr(`trafgen: ${err.message}\n`);
    return 2;
  }
}

/** Jobs for a caller that keeps this process: see the header. */
async function serve(): Promise<void> {
  const out = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
  out({ ready: true });
  const inputs = new Map<number, () => void>();
  const running = new Set<Promise<void>>();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let m: { id?: unknown; args?: unknown; eof?: unknown };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      process.stderr.write(`trafgen serve: not a JSON line: ${line.slice(0, 200)}\n`);
      return;
    }
    const id = m.id;
    if (typeof id !== 'number') return;
    if (m.eof) return inputs.get(id)?.();
    if (!Array.isArray(m.args) || !m.args.every((a) => typeof a === 'string')) return out({ id, stderr: 'trafgen: args must be strings\n', exit: 2 });
    const eof = new Promise<void>((resolve) => inputs.set(id, resolve));
    const job = run(m.args as string[], { stdout: (text) => out({ id, stdout: text }), stderr: (text) => out({ id, stderr: text }), eof: () => eof })
      .then(
        (code) => void out({ id, exit: code }),
        (err: unknown) => void out({ id, stderr: `trafgen: ${(err as Error).message}\n`, exit: 1 }),
      )
      .finally(() => {
        inputs.delete(id);
        running.delete(job);
      });
    running.add(job);
  });
  // The caller is gone: every job's input closes with it; the jobs end, then so does this.
  await new Promise((resolve) => lines.once('close', resolve));
  for (const close of inputs.values()) close();
  await Promise.all(running);
}

if (process.argv[2] === 'serve') await serve();
else {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    eof: () => new Promise((resolve) => process.stdin.once('end', resolve).resume()),
  });
  process.stdin.destroy();
}
