// trafgen run as the real program, over the loopback address only (127.0.0.1): a receiver in
// the background, a sender into it, and their JSON compared. Short, low-rate runs with
// generous tolerances: this runs beside the other unit tests on a loaded 2-core machine.
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../exec.ts';
import { analyze, type Received } from './analysis.ts';

const TRAFGEN = fileURLToPath(new URL('./trafgen.ts', import.meta.url));
const LOOPBACK = '127.0.0.1';
/** trafgen's LIMITS.rate (importing trafgen.ts would run it: it is a program). */
const RATE_LIMIT_PPS = 20_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Start trafgen with argv; resolves when it exits (killed after `timeoutMs`, so a hang fails the test instead of stalling it). */
function trafgen(args: string[], timeoutMs = 15_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TRAFGEN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const describeExit = (e: Exit) => `exit ${e.code ?? e.signal}; stderr: ${e.stderr.trim() || '(empty)'}`;

/** True if the UDP port can be bound on every address right now (nothing else holds it). */
function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, () => s.close(() => resolve(true)));
  });
}

/** `count` consecutive free UDP ports, below the ephemeral range so the kernel is unlikely to hand them out meanwhile. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => udpPortFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`found no ${count} consecutive free UDP ports between 20000 and 30000`);
}

/** Poll `ss` until something listens on UDP `port`, up to `timeoutMs`. */
async function waitForUdpListener(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await new Promise<string>((resolve, reject) =>
      execFile('ss', ['-H', '-l', '-n', '-u', 'sport', '=', `:${port}`], (err, stdout) => (err ? reject(new Error(`ss failed (iproute2 is needed for this test): ${err.message}`)) : resolve(stdout))),
    );
    if (last.trim()) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on udp/${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface SenderReport {
  sent: number[];
  cpuMs: number;
  startNs: string;
  endNs: string;
  sourcePorts: number[];
}
interface ReceiverReport {
  flows: number[];
  seqs: number[];
  sentNs: string[];
}

describe('trafgen send → recv over 127.0.0.1', () => {
  const FLOWS = 4;
  const RATE_PPS = 1000;
  const DURATION_S = 0.5;
  // Far longer than the run: the receiver must stop on the senders' end markers, not at its
  // --duration (trafgen() kills it after 15 s, which fails the exit-code check).
  const RECV_DURATION_S = 60;

  let srcPortBase: number;
  let sender: Exit;
  let receiver: Exit;
  let sent: SenderReport;
  let got: ReceiverReport;

  beforeAll(async () => {
    // One block for the receiver's port and the senders' source ports: picked apart, the
    // source ports could include the receiver's port (free when asked, bound just after).
    srcPortBase = await freePorts(FLOWS + 1);
    const port = srcPortBase + FLOWS;
    const receiving = trafgen(['recv', '--port', String(port), '--duration', String(RECV_DURATION_S), '--tell-after', '10']);
    const endedEarly = receiving.then((e) => Promise.reject(new Error(`the receiver ended before it was seen listening: ${describeExit(e)}`)));
    endedEarly.catch(() => {}); // it only matters if it wins the race below
    await Promise.race([waitForUdpListener(port), endedEarly]);
    sender = await trafgen(['send', '--dst', LOOPBACK, '--src', LOOPBACK, '--port', String(port), '--flows', String(FLOWS), '--rate', String(RATE_PPS), '--duration', String(DURATION_S), '--src-port-base', String(srcPortBase)]);
    receiver = await receiving;
    expect(sender.code, `sender: ${describeExit(sender)}`).toBe(0);
    expect(receiver.code, `receiver: ${describeExit(receiver)}`).toBe(0);
    sent = JSON.parse(sender.stdout) as SenderReport;
    got = JSON.parse(receiver.stdout) as ReceiverReport;
  }, 30_000);

  it('the sender sends rate × duration packets in all, spread evenly over the flows', () => {
    expect(sent.sent).toHaveLength(FLOWS);
    const total = sent.sent.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - RATE_PPS * DURATION_S), `sent ${sent.sent.join('+')} = ${total}`).toBeLessThanOrEqual(2 * FLOWS);
    expect(Math.max(...sent.sent) - Math.min(...sent.sent), `per flow: ${sent.sent.join(', ')}`).toBeLessThanOrEqual(1);
  });

  it('the sender reports its schedule: the run spans the duration', () => {
    expect(BigInt(sent.endNs) - BigInt(sent.startNs)).toBe(BigInt(DURATION_S * 1e9));
  });

  it('the sender reports the CPU time it used (npm run bench states what a stream costs)', () => {
    expect(Number.isInteger(sent.cpuMs) && sent.cpuMs > 0, `cpuMs: ${sent.cpuMs}`).toBe(true);
  });

  it('the receiver stops once every flow has sent its end marker, long before its --duration', () => {
    expect(receiver.signal, describeExit(receiver)).toBeNull();
    expect(receiver.code).toBe(0);
  });

  it('the receiver says on stderr when it listens, and when it has its first --tell-after probes (the caller waits for both without polling)', () => {
    expect(receiver.stderr).toContain(`trafgen: listening on udp/`);
    expect(receiver.stderr).toContain('trafgen: received 10\n');
    expect(receiver.stderr.indexOf('listening')).toBeLessThan(receiver.stderr.indexOf('received 10'));
  });

  it('flow i leaves from source port base + i', () => {
    expect(sent.sourcePorts).toEqual(Array.from({ length: FLOWS }, (_, i) => srcPortBase + i));
  });

  it('the receiver got every packet, in order, none twice: analyze finds no loss', () => {
    expect(got.flows).toHaveLength(got.seqs.length);
    expect(got.sentNs).toHaveLength(got.seqs.length);
    const packets: Received[] = got.flows.map((flow, i) => ({ flow, seq: got.seqs[i]!, sentNs: BigInt(got.sentNs[i]!) }));
    const sentPerFlow = new Map(sent.sent.map((n, flow) => [flow, n]));
    const report = analyze(packets, sentPerFlow, BigInt(1e9 / RATE_PPS));
    expect(report.received).toBe(sent.sent.reduce((a, b) => a + b, 0));
    expect(report.lost).toBe(0);
    expect(report.longestLossMs).toBe(0);
    expect(report.flows.map((f) => f.flow)).toEqual(Array.from({ length: FLOWS }, (_, i) => i));
    for (const f of report.flows) {
      expect(f, `flow ${f.flow}`).toMatchObject({ received: sent.sent[f.flow], expected: sent.sent[f.flow], lost: 0, duplicates: 0, reordered: 0, gaps: [] });
    }
  });

  it('each packet carries its flow’s next sequence number and the sender’s clock at send time', () => {
    const start = BigInt(sent.startNs);
    const next = new Array<number>(FLOWS).fill(0);
    const lastNs = new Array<bigint>(FLOWS).fill(0n);
    for (const [i, flow] of got.flows.entries()) {
      expect(got.seqs[i], `packet ${i} (flow ${flow})`).toBe(next[flow]);
      next[flow]!++;
      const ns = BigInt(got.sentNs[i]!);
      expect(ns >= start, `packet ${i} sent at ${ns}, before the run started at ${start}`).toBe(true);
      expect(ns >= lastNs[flow]!, `packet ${i}: send times of flow ${flow} go backwards`).toBe(true);
      lastNs[flow] = ns;
    }
  });
});

describe('trafgen send → recv --family 6 over ::1', () => {
  it('sends IPv6 flows from their source ports, beside IPv4 senders on the same ports, and the receiver gets every packet', async () => {
    const base = await freePorts(5);
    const port = base + 4;
    const receiving = trafgen(['recv', '--family', '6', '--port', String(port), '--duration', '30']);
    await waitForUdpListener(port);
    // An IPv4 sender on the same source ports at the same time: one router's two families measured at once.
    const [v6, v4] = await Promise.all([
      trafgen(['send', '--dst', '::1', '--src', '::1', '--port', String(port), '--flows', '4', '--rate', '1000', '--duration', '0.2', '--src-port-base', String(base)]),
      trafgen(['send', '--dst', LOOPBACK, '--port', String(port + 1), '--flows', '4', '--rate', '1000', '--duration', '0.2', '--src-port-base', String(base)]),
    ]);
    expect(v6.code, describeExit(v6)).toBe(0);
    expect(v4.code, describeExit(v4)).toBe(0);
    const received = await receiving;
    expect(received.code, describeExit(received)).toBe(0);
    const sent = JSON.parse(v6.stdout) as SenderReport;
    expect(sent.sourcePorts).toEqual([base, base + 1, base + 2, base + 3]);
    expect((JSON.parse(received.stdout) as ReceiverReport).flows).toHaveLength(sent.sent.reduce((a, b) => a + b, 0));
  }, 30_000);
});

describe('trafgen send without --src-port-base', () => {
  it('gives each flow its own ephemeral source port and still sends rate × duration', async () => {
    // Nothing listens on the destination port: the datagrams are simply dropped on loopback.
    const port = await freePorts(1);
    const [flows, rate, duration] = [3, 2000, 0.3];
    const r = await trafgen(['send', '--dst', LOOPBACK, '--port', String(port), '--flows', String(flows), '--rate', String(rate), '--duration', String(duration)]);
    expect(r.code, describeExit(r)).toBe(0);
    const out = JSON.parse(r.stdout) as SenderReport;
    expect(new Set(out.sourcePorts).size).toBe(flows);
    for (const p of out.sourcePorts) expect(p).toBeGreaterThan(1023);
    const total = out.sent.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - rate * duration)).toBeLessThanOrEqual(2 * flows);
    expect(Math.max(...out.sent) - Math.min(...out.sent)).toBeLessThanOrEqual(1);
  }, 20_000);
});

describe('trafgen send --start-ns', () => {
  it('starts sending at that instant of the monotonic clock it shares with the caller', async () => {
    const port = await freePorts(1);
    const at = process.hrtime.bigint() + 700_000_000n;
    const r = await trafgen(['send', '--dst', LOOPBACK, '--port', String(port), '--rate', '100', '--duration', '0.1', '--start-ns', String(at)]);
    expect(r.code, describeExit(r)).toBe(0);
    const out = JSON.parse(r.stdout) as SenderReport;
    expect(BigInt(out.startNs) >= at, `started at ${out.startNs}, asked for ${at}`).toBe(true);
  }, 20_000);
});

describe('trafgen send --until-eof', () => {
  it('stops when its stdin closes, long before --duration, and still reports what it sent', async () => {
    const port = await freePorts(1);
    let close: () => void = () => {};
    const closed = new Promise<void>((r) => (close = r));
    const started = performance.now();
    const sending = exec([process.execPath, TRAFGEN, 'send', '--dst', LOOPBACK, '--port', String(port), '--rate', '1000', '--duration', '30', '--until-eof'], { closeStdinWhen: closed, timeoutMs: 20_000 });
    setTimeout(close, 1500);
    const r = await sending;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(performance.now() - started).toBeLessThan(10_000);
    const out = JSON.parse(r.stdout) as SenderReport & { endNs: string };
    const ranMs = Number(BigInt(out.endNs) - BigInt(out.startNs)) / 1e6;
    expect(ranMs).toBeLessThan(10_000);
    expect(ranMs).toBeGreaterThan(200); // it did send until then
    expect(Math.abs(out.sent[0]! - ranMs)).toBeLessThanOrEqual(2);
  }, 20_000);
});

describe('trafgen recv --until-eof', () => {
  it('stops when its stdin closes, long before --duration, keeping the probes it got', async () => {
    const port = await freePorts(1);
    let close: () => void = () => {};
    const closed = new Promise<void>((r) => (close = r));
    const started = performance.now();
    const receiving = exec([process.execPath, TRAFGEN, 'recv', '--port', String(port), '--duration', '60', '--until-eof'], { closeStdinWhen: closed, timeoutMs: 20_000 });
    await waitForUdpListener(port);
    // A sender without end markers (its flow's path broke): only the closed stdin ends the receiver.
    const sent = await exec([process.execPath, TRAFGEN, 'send', '--dst', LOOPBACK, '--port', String(port), '--rate', '1000', '--duration', '0.2'], { timeoutMs: 20_000 });
    expect(sent.exitCode, sent.stderr).toBe(0);
    close();
    const r = await receiving;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(performance.now() - started).toBeLessThan(15_000);
    const got = JSON.parse(r.stdout) as ReceiverReport;
    expect(got.seqs.length).toBe((JSON.parse(sent.stdout) as SenderReport).sent[0]);
  }, 30_000);
});

describe('trafgen refuses bad arguments: exit 2, a message on stderr, nothing on stdout', () => {
  it.each([
    ['a rate above the limit', ['send', '--dst', LOOPBACK, '--port', '9', '--rate', String(RATE_LIMIT_PPS + 1), '--duration', '0.1'], /--rate must be between 1 and 20000/],
    ['a rate of zero', ['send', '--dst', LOOPBACK, '--port', '9', '--rate', '0', '--duration', '0.1'], /--rate must be between/],
    ['a rate that is not a number', ['send', '--dst', LOOPBACK, '--port', '9', '--rate', 'fast', '--duration', '0.1'], /--rate must be between/],
    ['a missing --dst', ['send', '--port', '9', '--duration', '0.1'], /--dst must be an IPv4 or IPv6 address/],
    ['an IPv6 --src to an IPv4 --dst', ['send', '--dst', LOOPBACK, '--src', '::1', '--port', '9', '--duration', '0.1'], /--src must be an IPv4 address, as --dst is/],
    ['an IPv4 --src to an IPv6 --dst', ['send', '--dst', '::1', '--src', LOOPBACK, '--port', '9', '--duration', '0.1'], /--src must be an IPv6 address, as --dst is/],
    ['a receiver family that is neither 4 nor 6', ['recv', '--port', '9', '--duration', '1', '--family', '5'], /--family must be 4 or 6 \(got 5\)/],
    ['a start time that is not a number', ['send', '--dst', LOOPBACK, '--port', '9', '--start-ns', 'soon', '--duration', '0.1'], /--start-ns must be a CLOCK_MONOTONIC time/],
    ['a host name as --src', ['send', '--dst', LOOPBACK, '--src', 'localhost', '--port', '9', '--duration', '0.1'], /--src must be an IPv4 address/],
    ['a host name as --dst', ['send', '--dst', 'localhost', '--port', '9', '--duration', '0.1'], /--dst must be an IPv4 or IPv6 address/],
    ['a missing --port', ['send', '--dst', LOOPBACK, '--duration', '0.1'], /--port must be between 1 and 65535/],
    ['a duration above the limit', ['recv', '--port', '9', '--duration', '121'], /--duration must be between/],
    ['a source port base that leaves no room for the flows', ['send', '--dst', LOOPBACK, '--port', '9', '--flows', '4', '--src-port-base', '65533', '--duration', '0.1'], /--src-port-base must be between 1024 and 65531/],
    ['an unknown subcommand', ['blast', '--dst', LOOPBACK], /usage: trafgen send/],
    ['no subcommand', [], /usage: trafgen send/],
    ['an unknown option', ['send', '--dst', LOOPBACK, '--port', '9', '--pps', '100'], /Unknown option '--pps'/],
    ['an option without its value', ['send', '--port', '9', '--dst'], /--dst.*missing/],
  ])('%s', async (_, args, message) => {
    const r = await trafgen(args);
    expect(r.code, describeExit(r)).toBe(2);
    expect(r.stderr).toMatch(/^trafgen: /);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
