// What a receiver makes of a probe stream: per flow, how many packets arrived, which were
// lost, duplicated or reordered, and the longest loss window. Loss windows are measured with
// the senders' timestamps of the packets either side of a gap (not by counting lost packets,
// which under-counts when the sender itself stalls): resolution = the send interval. Pure.

export interface Received {
  flow: number;
  seq: number;
  /** Sender's clock at send, in ns (CLOCK_MONOTONIC of the machine). */
  sentNs: bigint;
}

export interface Gap {
  /** Last sequence number received before the gap, first after. */
  afterSeq: number;
  beforeSeq: number;
  lost: number;
  /** Send-time distance between the packets either side, in ms. */
  ms: number;
  /** Send time of the last packet before the gap, ns. */
  startNs: bigint;
}

export interface FlowReport {
  flow: number;
  received: number;
  /** Highest sequence number seen + 1: what the sender had sent by its last packet that arrived. */
  expected: number;
  lost: number;
  duplicates: number;
  /** Packets that arrived after a higher sequence number of the same flow. */
  reordered: number;
  gaps: Gap[];
  longestLossMs: number;
}

export interface StreamReport {
  flows: FlowReport[];
  received: number;
  lost: number;
  longestLossMs: number;
  /** The gap of the longest loss window, if any. */
  worstGap?: Gap & { flow: number };
}

/**
 * `sent` (per flow: how many the sender sent, and its send interval) also times loss at the
 * head and the tail of a flow, which has a packet on one side only: its window is the number of
 * packets lost × the send interval. Without it, a flow that never recovered would show no gap.
 */
export function analyze(packets: readonly Received[], sentPerFlow?: ReadonlyMap<number, number>, intervalNs?: bigint): StreamReport {
  const byFlow = new Map<number, Received[]>();
  for (const p of packets) (byFlow.get(p.flow) ?? byFlow.set(p.flow, []).get(p.flow)!).push(p);
  for (const flow of sentPerFlow?.keys() ?? []) if (!byFlow.has(flow)) byFlow.set(flow, []);
  const flows: FlowReport[] = [];
  for (const [flow, arrivals] of [...byFlow].sort((a, b) => a[0] - b[0])) {
    let maxSeq = -1;
    let reordered = 0;
    const seen = new Map<number, Received>();
    let duplicates = 0;
    for (const p of arrivals) {
      if (seen.has(p.seq)) {
        duplicates++;
        continue;
      }
      if (p.seq < maxSeq) reordered++;
      maxSeq = Math.max(maxSeq, p.seq);
      seen.set(p.seq, p);
    }
    const ordered = [...seen.values()].sort((a, b) => a.seq - b.seq);
    const gaps: Gap[] = [];
    for (let i = 1; i < ordered.length; i++) {
      const [prev, next] = [ordered[i - 1]!, ordered[i]!];
      if (next.seq - prev.seq > 1) gaps.push({ afterSeq: prev.seq, beforeSeq: next.seq, lost: next.seq - prev.seq - 1, ms: Number(next.sentNs - prev.sentNs) / 1e6, startNs: prev.sentNs });
    }
    const sent = sentPerFlow?.get(flow);
    const expected = Math.max(maxSeq + 1, sent ?? 0);
    if (intervalNs !== undefined && ordered.length) {
      const [first, last] = [ordered[0]!, ordered.at(-1)!];
      if (first.seq > 0) gaps.unshift({ afterSeq: -1, beforeSeq: first.seq, lost: first.seq, ms: Number(BigInt(first.seq) * intervalNs) / 1e6, startNs: first.sentNs - BigInt(first.seq) * intervalNs });
      if (expected - 1 > last.seq) gaps.push({ afterSeq: last.seq, beforeSeq: expected, lost: expected - 1 - last.seq, ms: Number(BigInt(expected - 1 - last.seq) * intervalNs) / 1e6, startNs: last.sentNs });
    } else if (intervalNs !== undefined && expected > 0) {
      gaps.push({ afterSeq: -1, beforeSeq: expected, lost: expected, ms: Number(BigInt(expected) * intervalNs) / 1e6, startNs: 0n });
    }
    flows.push({ flow, received: seen.size, expected, lost: expected - seen.size, duplicates, reordered, gaps, longestLossMs: Math.max(0, ...gaps.map((g) => g.ms)) });
  }
  let worstGap: StreamReport['worstGap'];
  for (const f of flows) for (const g of f.gaps) if (!worstGap || g.ms > worstGap.ms) worstGap = { ...g, flow: f.flow };
  return {
    flows,
    received: flows.reduce((n, f) => n + f.received, 0),
    lost: flows.reduce((n, f) => n + f.lost, 0),
    longestLossMs: worstGap?.ms ?? 0,
    worstGap,
  };
}

/** Packets received per time bucket (by send time, relative to `originNs`): the failover timeline. */
export function timeline(packets: readonly Received[], originNs: bigint, bucketMs: number): number[] {
  const buckets: number[] = [];
  for (const p of packets) {
    const i = Math.floor(Number(p.sentNs - originNs) / 1e6 / bucketMs);
    if (i < 0) continue;
    while (buckets.length <= i) buckets.push(0);
    buckets[i]!++;
  }
  return buckets;
}

/**
 * When a fault took effect, from the fault command's bracket [issuedNs, returnedNs] narrowed by
 * the data plane. A stream that crosses the failed link and loses its packets from the fault on
 * delivered its last packet before the gap (sent at gap.startNs: the fault was not in effect
 * when it was sent) and lost the next one, sent one interval later, which reached the link
 * within `transitNs` of being sent (streams from several routers reach the link after different
 * queues). Gaps that start outside the bracket are some other loss. Without such a gap (a
 * carrier loss the kernel reroutes around at once) the bracket is all that is known.
 */
export function faultEffectWindow(bracket: { issuedNs: bigint; returnedNs: bigint }, gaps: readonly Pick<Gap, 'startNs'>[], intervalNs: bigint, transitNs: bigint): { fromNs: bigint; toNs: bigint; fromDataPlane: boolean } {
  const own = gaps.filter((g) => g.startNs + intervalNs + transitNs >= bracket.issuedNs && g.startNs <= bracket.returnedNs);
  if (!own.length) return { fromNs: bracket.issuedNs, toNs: bracket.returnedNs, fromDataPlane: false };
  const max = (xs: bigint[]) => xs.reduce((a, b) => (b > a ? b : a));
  const min = (xs: bigint[]) => xs.reduce((a, b) => (b < a ? b : a));
  const fromNs = max([bracket.issuedNs, ...own.map((g) => g.startNs)]);
  const toNs = min([bracket.returnedNs, ...own.map((g) => g.startNs + intervalNs + transitNs)]);
  // Streams that disagree beyond that (one gap is not the fault's after all): keep the bracket.
  return toNs >= fromNs ? { fromNs, toNs, fromDataPlane: true } : { fromNs: bracket.issuedNs, toNs: bracket.returnedNs, fromDataPlane: false };
}

/** How much of a stream's loss a fault can account for, and what it lost before then. */
export interface FaultLoss {
  /** The longest loss window after `fromNs` (a gap already open then is cut there), in ms. */
  windowMs: number;
  /** That window's gap when it began after `fromNs`: its start then narrows the fault's moment (faultEffectWindow); a cut one says nothing of it. */
  gap?: Gap & { flow: number };
  /** The longest loss before `fromNs` (a packet lost then was lost to something else), in ms. */
  beforeMs: number;
}

/**
 * Splits a stream's gaps at `fromNs`, the earliest moment a fault can have cost it a packet: a
 * gap that began earlier (a sender starved on a busy machine, just before the fault) is not the
 * fault's, and must not be charged to it. A flow that delivered nothing has no timed gap to cut:
 * its whole run is charged.
 */
export function lossSince(report: StreamReport, fromNs: bigint): FaultLoss {
  let best: Omit<FaultLoss, 'beforeMs'> = { windowMs: 0 };
  let beforeMs = 0;
  for (const f of report.flows) {
    for (const g of f.gaps) {
      const endNs = g.startNs + BigInt(Math.round(g.ms * 1e6));
      const uncut = f.received === 0 || g.startNs >= fromNs;
      const windowMs = uncut ? g.ms : endNs > fromNs ? Number(endNs - fromNs) / 1e6 : 0;
      if (!uncut) beforeMs = Math.max(beforeMs, Number((endNs < fromNs ? endNs : fromNs) - g.startNs) / 1e6);
      if (windowMs > best.windowMs) best = { windowMs, ...(uncut ? { gap: { ...g, flow: f.flow } } : {}) };
    }
  }
  return { ...best, beforeMs };
}
