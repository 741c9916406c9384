// Probe flows between lab nodes: netproof's traffic generator receives in one node and sends
// from another (each node's trafgen agent runs the jobs, trafgen-agent.ts), and what arrived is
// analyzed. Destinations must be addresses of the lab's own nodes: nothing is ever sent anywhere else.
import type { StartedLab } from '../lab/started-lab.ts';
import { parseJson } from '../exec.ts';
import { analyze, timeline, type Received, type StreamReport } from '../traffic/analysis.ts';
import { addresses } from './kernel.ts';
import { runTrafgen, trafgenReady } from './trafgen-agent.ts';
import { familyOf } from '../plan/expected-routing.ts';

export { TRAFGEN } from './trafgen-agent.ts';

export interface FlowSpec {
  src: string;
  dst: string;
  /** Destination address: must belong to `dst`. */
  dstIp: string;
  /** Send to this address instead: a floating IP the overlay intent gives `dst`, which NAT turns into `dstIp` on the way. */
  sendTo?: string;
  /** Source address to send from (a loopback of `src`); the kernel's choice if unset. */
  srcIp?: string;
  port: number;
  flows: number;
  ratePps: number;
  durationS: number;
  sizeBytes?: number;
  /** Flow i's source port is base+i; ephemeral ports if unset. */
  srcPortBase?: number;
  /** The receiver tells when it has this many probes (FlowSetControl.flowing): the stream flows. */
  tellAfter?: number;
}

export interface FlowResult {
  spec: FlowSpec;
  sent: number[];
  sourcePorts: number[];
  startNs: bigint;
  packets: Received[];
  report: StreamReport;
}

/** Refuse any address that is not an address of the node. */
async function assertLabAddress(node: string, addressesOfNode: ReturnType<typeof addresses>, ip: string, what: string): Promise<void> {
  const own = (await addressesOfNode).some((a) => a.local === ip);
  if (!own) throw new Error(`refusing to send ${what} ${ip}: it is not an address of lab node ${node}`);
}

/**
 * From telling the senders to the common start instant: long enough for each to get its job
 * and bind its sockets (up to 512 for ECMP) in its node's agent, which already runs.
 */
const SENDER_START_MS = 200;
/** After the last sender exits, how long receivers wait for datagrams still in flight (a flow without end markers: its path is broken). */
const RECEIVER_GRACE_MS = 1000;
/** A receiver's own limit beyond its stream's duration, should it never be told the senders finished. */
const RECEIVER_BOUND_S = 30;
/** How long a receiver may take to start and bind its socket on a loaded machine. */
const LISTEN_TIMEOUT_MS = 10_000;
/** trafgen's LIMITS.durationS (importing trafgen.ts would run it: it is a program). */
const TRAFGEN_MAX_DURATION_S = 120;

/** What `during` is told: the streams' common start, and how to end them before their duration. */
export interface FlowSetControl {
  startNs: bigint;
  /** Per stream, settles when its receiver has `tellAfter` probes (at once for a stream without one). */
  flowing: Promise<void>[];
  /** End every stream now (each sender sends its end markers): `during` has seen what it needed. */
  stopStreams(): void;
}

/**
 * Run several probe streams at once, all starting at one instant of the monotonic clock the
 * senders share with this process; `during` (e.g. a fault) runs meanwhile, is told that
 * instant and may end the streams early. Resolves when every end has finished.
 */
export async function runFlowSet(lab: StartedLab, specs: readonly FlowSpec[], during?: (control: FlowSetControl) => Promise<void>): Promise<FlowResult[]> {
  const ports = specs.map((s) => `${s.dst}:${s.port}`);
  const clash = ports.find((p, i) => ports.indexOf(p) !== i);
  if (clash) throw new Error(`two probe streams would both listen on ${clash}`);
  // One look at each node's addresses, however many streams it sends or receives.
  const addressesOf = new Map<string, ReturnType<typeof addresses>>();
  const own = (node: string) => addressesOf.get(node) ?? addressesOf.set(node, addresses(lab.node(node))).get(node)!;
  await Promise.all(specs.flatMap((s) => [assertLabAddress(s.dst, own(s.dst), s.dstIp, 'to'), ...(s.srcIp ? [assertLabAddress(s.src, own(s.src), s.srcIp, 'from')] : [])]));
  for (const s of specs) {
    if (s.sendTo !== undefined && lab.topology.overlay?.vms.find((v) => v.name === s.dst)?.floatingIp !== s.sendTo) {
      throw new Error(`refusing to send to ${s.sendTo}: it is not a floating IP the overlay intent gives lab node ${s.dst}`);
    }
  }
  // Receivers stop on their senders' end markers, or when told every sender has finished
  // (stdin closed, RECEIVER_GRACE_MS later): never on a timer started before the senders were,
  // which a slow start (waiting for every receiver to listen) would turn into a lost tail.
  let sendersFinished = () => {};
  const finished = new Promise<void>((r) => (sendersFinished = r));
  const boundS = (spec: FlowSpec) => Math.min(TRAFGEN_MAX_DURATION_S, spec.durationS + SENDER_START_MS / 1000 + RECEIVER_BOUND_S);
  // Each receiver says on stderr when its socket is bound (trafgen recv): the senders start then.
  const signal = () => {
    let resolve = () => {};
    return { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
  };
  const listening = specs.map(signal);
  const flowing = specs.map(signal);
  const receiving = specs.map((spec, i) => {
    const dst = lab.node(spec.dst);
    let heard = '';
    const onStderr = (chunk: string) => {
      heard += chunk;
      if (heard.includes(`trafgen: listening on udp/${spec.port}`)) listening[i]!.resolve();
      if (!spec.tellAfter || heard.includes(`trafgen: received ${spec.tellAfter}`)) flowing[i]!.resolve();
    };
    const tell = spec.tellAfter ? ['--tell-after', String(spec.tellAfter)] : [];
    const family = familyOf(spec.dstIp) === 6 ? ['--family', '6'] : [];
    return runTrafgen(dst, ['recv', '--port', String(spec.port), '--duration', String(boundS(spec)), ...family, '--until-eof', ...tell], { timeoutMs: (boundS(spec) + 10) * 1000, closeStdinWhen: finished, onStderr });
  });
  // Meanwhile every sender's agent starts, so each sender starts as soon as it is told.
  const sendersReady = Promise.all([...new Set(specs.map((s) => s.src))].map((n) => trafgenReady(lab.node(n))));
  sendersReady.catch(() => undefined);
  // If a receiver dies before it listens, say why instead of waiting for it.
  try {
    await Promise.all(
      specs.map(async (spec, i) => {
        const died = receiving[i]!.then((r) => {
          throw new Error(`${spec.dst}: trafgen recv exited (${r.exitCode}) before listening on udp/${spec.port}: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
        });
        died.catch(() => undefined);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${spec.dst}: trafgen recv did not listen on udp/${spec.port} within ${LISTEN_TIMEOUT_MS / 1000} s`)), LISTEN_TIMEOUT_MS)));
        await Promise.race([listening[i]!.promise, died, late]).finally(() => clearTimeout(timer));
      }),
    );
    await sendersReady;
  } catch (err) {
    sendersFinished();
    await Promise.allSettled(receiving);
    throw err;
  }
  const startNs = process.hrtime.bigint() + BigInt(SENDER_START_MS * 1e6);
  // A sender stops at the end of its duration, or when its stdin closes (--until-eof) on stopStreams().
  let stopStreams = () => {};
  const stopped = new Promise<void>((r) => (stopStreams = r));
  const sending = specs.map((spec) => {
    const src = lab.node(spec.src);
    const args = ['send', '--dst', spec.sendTo ?? spec.dstIp, '--port', String(spec.port), '--flows', String(spec.flows), '--rate', String(spec.ratePps), '--duration', String(spec.durationS), '--start-ns', String(startNs)];
    if (spec.srcIp) args.push('--src', spec.srcIp);
    if (spec.sizeBytes) args.push('--size', String(spec.sizeBytes));
    if (spec.srcPortBase) args.push('--src-port-base', String(spec.srcPortBase));
    if (during) args.push('--until-eof');
    return runTrafgen(src, args, { timeoutMs: (spec.durationS + SENDER_START_MS / 1000 + 30) * 1000, ...(during ? { closeStdinWhen: stopped } : {}) });
  });
  void Promise.allSettled(sending).then(() => setTimeout(sendersFinished, RECEIVER_GRACE_MS));
  const side = during?.({ startNs, stopStreams, flowing: flowing.map((f) => f.promise) });
  // `during` failed (a gate timed out, a fault would not go in): nothing is left to measure.
  side?.catch(() => stopStreams());
  // Every end always runs to its (bounded) end, even if `during` fails: no stray flow outlives the call.
  const [sideResult, ...ends] = await Promise.allSettled([side, ...sending, ...receiving]);
  if (sideResult!.status === 'rejected') throw sideResult!.reason;
  for (const e of ends) if (e.status === 'rejected') throw e.reason;
  const done = ends.map((e) => (e as PromiseFulfilledResult<Awaited<(typeof sending)[number]>>).value);
  return specs.map((spec, i) => {
    const [sendOut, recvOut] = [done[i]!, done[specs.length + i]!];
    if (sendOut.exitCode !== 0) throw new Error(`${spec.src}: trafgen send failed (exit ${sendOut.exitCode}): ${sendOut.stderr.trim()}`);
    if (recvOut.exitCode !== 0) throw new Error(`${spec.dst}: trafgen recv failed (exit ${recvOut.exitCode}): ${recvOut.stderr.trim()}`);
    const s = parseJson<{ sent: number[]; startNs: string; sourcePorts: number[] }>(sendOut);
    const r = parseJson<{ flows: number[]; seqs: number[]; sentNs: string[] }>(recvOut);
    const packets: Received[] = r.flows.map((flow, j) => ({ flow, seq: r.seqs[j]!, sentNs: BigInt(r.sentNs[j]!) }));
    // Flows are sent round-robin at the total rate: each flow's packets are flows/rate apart.
    const intervalNs = BigInt(Math.round((1e9 * spec.flows) / spec.ratePps));
    const report = analyze(packets, new Map(s.sent.map((n, flow) => [flow, n])), intervalNs);
    return { spec, sent: s.sent, sourcePorts: s.sourcePorts, startNs: BigInt(s.startNs), packets, report };
  });
}

/** One probe stream; `during` runs while it is on (e.g. a fault). */
export async function runFlows(lab: StartedLab, spec: FlowSpec, during?: (control: FlowSetControl) => Promise<void>): Promise<FlowResult> {
  return (await runFlowSet(lab, [spec], during))[0]!;
}

export { timeline };
