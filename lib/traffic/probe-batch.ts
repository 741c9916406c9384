#!/usr/bin/env node
// netproof's batch prober, run inside a lab node (through the runtime's exec): many reachability
// attempts from one node at once, each bounded by --timeout-ms.
//   probe-batch --timeout-ms MS [--concurrency N]   < [{"protocol":"tcp","dst":"10.0.0.2","port":80}, …]
// tcp: a connection is set up (then closed), the outcome naming its source port; udp: a request is echoed back by the listener;
// icmp: ping answers. Prints one {"ok", "detail"} per probe, in order. A probe with
// "seen": true expects netproof's source echo (lib/traffic/source-echo.ts) at the far end: tcp
// waits for its line, and the outcome carries the source address it saw and who answered. One process per source
// node instead of one per attempt: a matrix of mostly denials (each waiting out its timeout)
// takes about one timeout, not one per 16 attempts.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

interface Probe {
  protocol: 'tcp' | 'udp' | 'icmp';
  dst: string;
  port?: number;
  seen?: boolean;
}

interface Outcome {
  ok: boolean;
  detail: string;
  /** What a source echo reported: the source address it saw, and its name. */
  seen?: string;
  by?: string;
  /** tcp: the local (source) port the connection used. */
  sport?: number;
}

const SEEN = /seen (\S+) by (\S+)/;

/** The outcome with what a source echo said in `text`, if it said it. */
function withSeen(o: Outcome, text: string): Outcome {
  const m = SEEN.exec(text);
  return m ? { ...o, seen: m[1]!, by: m[2]! } : o;
}

const UDP_TOKEN = 'netproof-udp-probe';
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const MAX_PROBES = 4096;

function fail(message: string): never {
  process.stderr.write(`probe-batch: ${message}\n`);
  process.exit(2);
}

function tcp(dst: string, port: number, timeoutMs: number, seen: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = connect({ host: dst, port });
    let text = '';
    let connected = false;
    const done = (o: Outcome) => {
      const sport = s.localPort;
      s.destroy();
      resolve(sport ? { ...o, sport } : o);
    };
    s.setTimeout(timeoutMs, () => done(connected ? withSeen({ ok: true, detail: `connected, no source echo within ${timeoutMs} ms` }, text) : { ok: false, detail: `no answer to SYN within ${timeoutMs} ms` }));
    s.once('connect', () => {
      connected = true;
      if (!seen) done({ ok: true, detail: 'connected' });
    });
    s.on('data', (d: Buffer) => {
      text += d.toString();
      if (SEEN.test(text)) done(withSeen({ ok: true, detail: 'connected' }, text));
    });
    s.once('end', () => done(withSeen({ ok: true, detail: 'connected' }, text)));
    s.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, detail: e.code === 'ECONNREFUSED' ? 'connection refused' : (e.code ?? e.message) }));
  });
}

function udp(dst: string, port: number, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => done({ ok: false, detail: `no UDP reply within ${timeoutMs} ms` }), timeoutMs);
    const done = (o: Outcome) => {
      clearTimeout(timer);
      s.close();
      resolve(o);
    };
    s.on('message', (m) => m.toString().includes(UDP_TOKEN) && done(withSeen({ ok: true, detail: 'reply received' }, m.toString())));
    s.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, detail: e.code ?? e.message }));
    s.send(`${UDP_TOKEN}\n`, port, dst);
  });
}

function icmp(dst: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const p = spawn('ping', ['-n', '-q', '-c', '1', '-W', String(Math.max(1, Math.round(timeoutMs / 1000))), dst], { stdio: 'ignore' });
    p.once('error', (e) => resolve({ ok: false, detail: `ping: ${e.message}` }));
    p.once('close', (code) => resolve(code === 0 ? { ok: true, detail: 'echo reply' } : { ok: false, detail: `ping: no reply within ${timeoutMs} ms` }));
  });
}

const { values } = (() => {
  try {
    return parseArgs({ options: { 'timeout-ms': { type: 'string' }, concurrency: { type: 'string' } } });
  } catch (err) {
    fail((err as Error).message);
  }
})();
const timeoutMs = Number(values['timeout-ms'] ?? 1000);
if (!Number.isInteger(timeoutMs) || timeoutMs < 50 || timeoutMs > 30_000) fail('--timeout-ms must be a whole number from 50 to 30000');
// Probes in flight at once (default: all). Hundreds of SYNs in one burst can overrun a
// userspace datapath's receive queue on a busy machine: a load balancer's spread goes in waves.
const concurrency = values.concurrency === undefined ? Infinity : Number(values.concurrency);
if (concurrency !== Infinity && !(Number.isInteger(concurrency) && concurrency >= 1)) fail('--concurrency must be a whole number of at least 1');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const probes = (() => {
  try {
    return JSON.parse(input) as Probe[];
  } catch {
    fail('stdin must be a JSON array of {protocol, dst, port}');
  }
})();
if (!Array.isArray(probes) || probes.length > MAX_PROBES) fail(`stdin must be a JSON array of at most ${MAX_PROBES} probes`);
for (const p of probes) {
  if (!IPV4.test(p.dst ?? '')) fail(`dst must be an IPv4 address (got ${JSON.stringify(p.dst)})`);
  if (p.protocol !== 'icmp' && !(Number.isInteger(p.port) && p.port! >= 1 && p.port! <= 65535)) fail(`a ${p.protocol} probe needs a port from 1 to 65535`);
  if (!['tcp', 'udp', 'icmp'].includes(p.protocol)) fail(`protocol must be tcp, udp or icmp (got ${JSON.stringify(p.protocol)})`);
}
const probeOne = (p: Probe) => (p.protocol === 'tcp' ? tcp(p.dst, p.port!, timeoutMs, p.seen === true) : p.protocol === 'udp' ? udp(p.dst, p.port!, timeoutMs) : icmp(p.dst, timeoutMs));
const outcomes: Outcome[] = new Array(probes.length);
let next = 0;
// Each worker takes the next probe as its last one ends: at most `concurrency` in flight, answers in order.
const worker = async () => {
  for (let i = next++; i < probes.length; i = next++) outcomes[i] = await probeOne(probes[i]!);
};
await Promise.all(Array.from({ length: Math.min(concurrency, probes.length) }, worker));
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
