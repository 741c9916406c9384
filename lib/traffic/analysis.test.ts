import { describe, expect, it } from 'vitest';
import { analyze, faultEffectWindow, lossSince, timeline, type Received } from './analysis.ts';

// Probe streams built by hand: every flow sends one packet per INTERVAL_NS, flow f's packet
// `seq` leaves at ORIGIN + seq ms (the flows are interleaved, not staggered: the analysis only
// compares send times within a flow).
const INTERVAL_NS = 1_000_000n; // 1 ms
const ORIGIN_NS = 5_000_000_000n; // an arbitrary monotonic clock reading

const sentAt = (seq: number) => ORIGIN_NS + BigInt(seq) * INTERVAL_NS;
const pkt = (flow: number, seq: number, sentNs = sentAt(seq)): Received => ({ flow, seq, sentNs });
/** Packets `from`..`to` (inclusive) of `flow`, in order, except those in `drop`. */
function stream(flow: number, from: number, to: number, drop: Iterable<number> = []): Received[] {
  const dropped = new Set(drop);
  const out: Received[] = [];
  for (let s = from; s <= to; s++) if (!dropped.has(s)) out.push(pkt(flow, s));
  return out;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('analyze', () => {
  it('a complete stream: nothing lost, no gap, longest loss 0', () => {
    const r = analyze(stream(0, 0, 99), new Map([[0, 100]]), INTERVAL_NS);
    expect(r.flows).toEqual([{ flow: 0, received: 100, expected: 100, lost: 0, duplicates: 0, reordered: 0, gaps: [], longestLossMs: 0 }]);
    expect(r).toMatchObject({ received: 100, lost: 0, longestLossMs: 0 });
    expect(r.worstGap).toBeUndefined();
  });

  it('an empty capture with nothing sent is an empty report', () => {
    expect(analyze([])).toEqual({ flows: [], received: 0, lost: 0, longestLossMs: 0, worstGap: undefined });
  });

  it.each([1, 2, 7, 40])('a gap of %i packets: lost = k, window = (k+1) × interval from the send times either side', (k) => {
    // Packets 10..10+k-1 are lost: the last one before is 9, the first one after is 10+k.
    const r = analyze(stream(0, 0, 99, range(10, 10 + k - 1)));
    const [f] = r.flows;
    expect(f).toMatchObject({ received: 100 - k, expected: 100, lost: k, duplicates: 0, reordered: 0 });
    expect(f!.gaps).toEqual([{ afterSeq: 9, beforeSeq: 10 + k, lost: k, ms: k + 1, startNs: sentAt(9) }]);
    expect(f!.longestLossMs).toBe(k + 1);
    expect(r.longestLossMs).toBe(k + 1);
  });

  it('times a gap by the senders’ clock, not by the number of packets lost (a sender that stalled)', () => {
    // Packet 5 is lost and the sender stalled 30 ms before sending 6: one packet lost, 31 ms of silence.
    const packets = [...stream(0, 0, 4), { flow: 0, seq: 6, sentNs: sentAt(4) + 31n * INTERVAL_NS }];
    const [f] = analyze(packets).flows;
    expect(f!.lost).toBe(1);
    expect(f!.longestLossMs).toBe(31);
  });

  it('several gaps in one flow: each reported, the longest one wins', () => {
    const [f] = analyze(stream(0, 0, 99, [5, ...range(20, 22), ...range(50, 51)])).flows;
    expect(f!.lost).toBe(6);
    expect(f!.gaps.map((g) => [g.afterSeq, g.beforeSeq, g.lost, g.ms])).toEqual([
      [4, 6, 1, 2],
      [19, 23, 3, 4],
      [49, 52, 2, 3],
    ]);
    expect(f!.longestLossMs).toBe(4);
  });

  it('reordering is counted and is not mistaken for loss', () => {
    // 3 overtakes 2, and 7 arrives after 8 and 9.
    const order = [0, 1, 3, 2, 4, 5, 6, 8, 9, 7, 10];
    const [f] = analyze(order.map((s) => pkt(0, s)), new Map([[0, 11]]), INTERVAL_NS).flows;
    expect(f).toMatchObject({ received: 11, expected: 11, lost: 0, duplicates: 0, reordered: 2, gaps: [], longestLossMs: 0 });
  });

  it('duplicates are counted once as received, reported as duplicates and are not loss', () => {
    const packets = [...stream(0, 0, 9), pkt(0, 4), pkt(0, 4), pkt(0, 9)];
    const r = analyze(packets, new Map([[0, 10]]), INTERVAL_NS);
    expect(r.flows[0]).toMatchObject({ received: 10, expected: 10, lost: 0, duplicates: 3, reordered: 0, gaps: [], longestLossMs: 0 });
    expect(r.received).toBe(10);
  });

  it('a duplicate of an earlier packet is not also counted as reordered', () => {
    const [f] = analyze([pkt(0, 0), pkt(0, 1), pkt(0, 2), pkt(0, 1)]).flows;
    expect(f).toMatchObject({ duplicates: 1, reordered: 0, lost: 0 });
  });

  it('keeps flows apart: interleaved arrivals, loss in one flow only, flows sorted by id', () => {
    // Three flows interleaved in arrival order; flow 2 loses 40..44, flow 7 loses 10.
    const flows = { 2: stream(2, 0, 59, range(40, 44)), 0: stream(0, 0, 59), 7: stream(7, 0, 59, [10]) };
    const interleaved: Received[] = [];
    for (let i = 0; i < 60; i++) for (const f of [flows[7], flows[2], flows[0]]) if (f[i]) interleaved.push(f[i]!);
    const r = analyze(interleaved);
    expect(r.flows.map((f) => f.flow)).toEqual([0, 2, 7]);
    expect(r.flows.map((f) => [f.flow, f.received, f.lost, f.longestLossMs, f.reordered])).toEqual([
      [0, 60, 0, 0, 0],
      [2, 55, 5, 6, 0],
      [7, 59, 1, 2, 0],
    ]);
    expect(r).toMatchObject({ received: 174, lost: 6, longestLossMs: 6 });
  });

  it('worstGap names the flow of the longest window, not the flow with the most lost packets', () => {
    // Flow 1 loses 3 packets in a row (4 ms); flow 3 loses 4, but scattered (2 ms each).
    const r = analyze([...stream(1, 0, 49, range(20, 22)), ...stream(3, 0, 49, [5, 15, 25, 35])]);
    expect(r.flows.find((f) => f.flow === 3)!.lost).toBe(4);
    expect(r.worstGap).toEqual({ flow: 1, afterSeq: 19, beforeSeq: 23, lost: 3, ms: 4, startNs: sentAt(19) });
    expect(r.longestLossMs).toBe(4);
  });

  it('worstGap is the longest window in time even when another gap lost more packets', () => {
    // Flow 2 loses one packet but its sender stalled 30 ms; flow 5 loses 5 in a row (6 ms).
    const stalled = [...stream(2, 0, 9), ...stream(2, 11, 20).map((p) => ({ ...p, sentNs: p.sentNs + 29n * INTERVAL_NS }))];
    const r = analyze([...stalled, ...stream(5, 0, 20, range(10, 14))]);
    expect(r.flows.map((f) => [f.flow, f.lost, f.longestLossMs])).toEqual([
      [2, 1, 31],
      [5, 5, 6],
    ]);
    expect(r.worstGap).toMatchObject({ flow: 2, afterSeq: 9, beforeSeq: 11, lost: 1, ms: 31 });
  });

  it('worstGap follows the longest window when it is in a later flow', () => {
    const r = analyze([...stream(1, 0, 49, [10]), ...stream(4, 0, 49, range(30, 38))]);
    expect(r.worstGap).toMatchObject({ flow: 4, afterSeq: 29, beforeSeq: 39, lost: 9, ms: 10 });
  });

  describe('loss at the head and the tail of a flow', () => {
    it('without intervalNs, head loss is counted only from the sequence numbers and not timed', () => {
      const [f] = analyze(stream(0, 5, 19)).flows;
      expect(f).toMatchObject({ received: 15, expected: 20, lost: 5, gaps: [], longestLossMs: 0 });
    });

    it('with intervalNs, head loss is a gap of lost × interval before the first packet', () => {
      const r = analyze(stream(0, 5, 19), new Map([[0, 20]]), INTERVAL_NS);
      const [f] = r.flows;
      expect(f).toMatchObject({ received: 15, expected: 20, lost: 5, longestLossMs: 5 });
      expect(f!.gaps).toEqual([{ afterSeq: -1, beforeSeq: 5, lost: 5, ms: 5, startNs: sentAt(0) }]);
      expect(r.worstGap).toMatchObject({ flow: 0, afterSeq: -1, lost: 5, ms: 5 });
    });

    it('without intervalNs, a flow that never recovers counts the lost tail but times nothing', () => {
      const [f] = analyze(stream(0, 0, 59), new Map([[0, 100]])).flows;
      expect(f).toMatchObject({ received: 60, expected: 100, lost: 40, gaps: [], longestLossMs: 0 });
    });

    it('with intervalNs, a flow that never recovers does not show longest loss 0: its tail is a gap', () => {
      // Sent 100, the last 40 (60..99) never arrived.
      const r = analyze(stream(0, 0, 59), new Map([[0, 100]]), INTERVAL_NS);
      const [f] = r.flows;
      expect(f!.longestLossMs).not.toBe(0);
      expect(f).toMatchObject({ received: 60, expected: 100, lost: 40, longestLossMs: 40 });
      expect(f!.gaps).toEqual([{ afterSeq: 59, beforeSeq: 100, lost: 40, ms: 40, startNs: sentAt(59) }]);
      expect(r.longestLossMs).toBe(40);
      expect(r.worstGap).toMatchObject({ flow: 0, afterSeq: 59, beforeSeq: 100 });
    });

    it('head, middle and tail loss in one flow are three gaps, in order', () => {
      const [f] = analyze(stream(0, 3, 79, range(30, 39)), new Map([[0, 90]]), INTERVAL_NS).flows;
      expect(f!.lost).toBe(3 + 10 + 10);
      expect(f!.gaps.map((g) => [g.afterSeq, g.beforeSeq, g.lost, g.ms])).toEqual([
        [-1, 3, 3, 3],
        [29, 40, 10, 11],
        [79, 90, 10, 10],
      ]);
      expect(f!.longestLossMs).toBe(11);
    });

    it('a tail-loss flow next to healthy flows is the worst gap', () => {
      const sent = new Map([[0, 50], [1, 50], [2, 50]]);
      const r = analyze([...stream(0, 0, 49), ...stream(1, 0, 29), ...stream(2, 0, 49, [7])], sent, INTERVAL_NS);
      expect(r.flows.map((f) => f.longestLossMs)).toEqual([0, 20, 2]);
      expect(r.worstGap).toMatchObject({ flow: 1, afterSeq: 29, beforeSeq: 50, lost: 20, ms: 20 });
      expect(r.lost).toBe(21);
    });

    it('a flow whose sender sent fewer than the receiver saw is not a tail loss', () => {
      // The sender's count is authoritative only upwards: seq 59 arrived, so at least 60 were sent.
      const [f] = analyze(stream(0, 0, 59), new Map([[0, 50]]), INTERVAL_NS).flows;
      expect(f).toMatchObject({ expected: 60, lost: 0, gaps: [], longestLossMs: 0 });
    });
  });

  describe('a flow that sent packets of which none arrived', () => {
    it('is reported (from sentPerFlow) with everything lost', () => {
      const r = analyze(stream(0, 0, 29), new Map([[0, 30], [1, 30]]));
      expect(r.flows.map((f) => f.flow)).toEqual([0, 1]);
      expect(r.flows[1]).toMatchObject({ flow: 1, received: 0, expected: 30, lost: 30, duplicates: 0, reordered: 0 });
      expect(r).toMatchObject({ received: 30, lost: 30 });
    });

    it('with intervalNs, its whole run is one gap and the worst gap', () => {
      const r = analyze(stream(0, 0, 29), new Map([[0, 30], [1, 30]]), INTERVAL_NS);
      expect(r.flows[1]).toMatchObject({ received: 0, lost: 30, longestLossMs: 30 });
      expect(r.flows[1]!.gaps).toHaveLength(1);
      expect(r.flows[1]!.gaps[0]).toMatchObject({ afterSeq: -1, beforeSeq: 30, lost: 30, ms: 30 });
      expect(r.worstGap).toMatchObject({ flow: 1, lost: 30, ms: 30 });
      expect(r.longestLossMs).toBe(30);
    });

    it('a flow that sent nothing is reported empty, with no gap', () => {
      const r = analyze([], new Map([[3, 0]]), INTERVAL_NS);
      expect(r.flows).toEqual([{ flow: 3, received: 0, expected: 0, lost: 0, duplicates: 0, reordered: 0, gaps: [], longestLossMs: 0 }]);
      expect(r.worstGap).toBeUndefined();
    });
  });
});

describe('timeline', () => {
  it('counts packets per bucket by send time relative to the origin', () => {
    // 1 ms grid from ORIGIN: packets 0..49, 10 ms buckets → 5 buckets of 10.
    expect(timeline(stream(0, 0, 49), ORIGIN_NS, 10)).toEqual([10, 10, 10, 10, 10]);
  });

  it('sums every flow into the same buckets', () => {
    expect(timeline([...stream(0, 0, 19), ...stream(1, 0, 19)], ORIGIN_NS, 10)).toEqual([20, 20]);
  });

  it('shows a loss window as empty buckets, and the partial buckets at its edges', () => {
    // 23..46 lost: bucket 2 keeps 20..22, 3 is empty, 4 keeps 47..49.
    expect(timeline(stream(0, 0, 49, range(23, 46)), ORIGIN_NS, 10)).toEqual([10, 10, 3, 0, 3]);
  });

  it('buckets by send time, not by arrival order', () => {
    const shuffled = [pkt(0, 25), pkt(0, 3), pkt(0, 14), pkt(0, 1), pkt(0, 29)];
    expect(timeline(shuffled, ORIGIN_NS, 10)).toEqual([2, 1, 2]);
  });

  it('measures from the origin, not from the first packet', () => {
    // First packet sent 30 ms after the origin: three empty buckets before it.
    expect(timeline(stream(0, 30, 39), ORIGIN_NS, 10)).toEqual([0, 0, 0, 10]);
    // The same packets with the origin moved to their start.
    expect(timeline(stream(0, 30, 39), sentAt(30), 10)).toEqual([10]);
  });

  it('ignores packets sent before the origin, even by less than a bucket', () => {
    const packets = [pkt(0, 0, ORIGIN_NS - 5n * INTERVAL_NS), pkt(0, 1, ORIGIN_NS - 1n), ...stream(0, 2, 11)];
    expect(timeline(packets, ORIGIN_NS, 10)).toEqual([8, 2]);
    expect(timeline(packets.slice(0, 2), ORIGIN_NS, 10)).toEqual([]);
  });

  it('puts a packet exactly on a bucket boundary in the later bucket', () => {
    expect(timeline([pkt(0, 0, ORIGIN_NS + 10n * INTERVAL_NS - 1n), pkt(0, 1, ORIGIN_NS + 10n * INTERVAL_NS)], ORIGIN_NS, 10)).toEqual([1, 1]);
  });

  it('an empty capture is an empty timeline', () => {
    expect(timeline([], ORIGIN_NS, 10)).toEqual([]);
  });
});

describe('faultEffectWindow', () => {
  const ms = (n: number) => BigInt(Math.round(n * 1e6));
  const bracket = { issuedNs: ms(1000), returnedNs: ms(1700) };
  const window = (gaps: number[]) => faultEffectWindow(bracket, gaps.map((g) => ({ startNs: ms(g) })), ms(1), ms(5));

  it("narrows a 700 ms fault command to the streams' last packet before their gap and the first lost one's arrival", () => {
    // Last delivered packets sent at 1400.2 and 1402.6 (a queue later): the fault came after 1402.6,
    // and before 1400.2 + 1 ms interval + 5 ms transit.
    expect(window([1400.2, 1402.6])).toEqual({ fromNs: ms(1402.6), toNs: ms(1406.2), fromDataPlane: true });
  });

  it('ignores gaps outside the command bracket: they are some other loss', () => {
    expect(window([500, 2500])).toEqual({ fromNs: ms(1000), toNs: ms(1700), fromDataPlane: false });
  });

  it('keeps the command bracket when no stream lost anything (the kernel rerouted at once)', () => {
    expect(window([])).toEqual({ fromNs: ms(1000), toNs: ms(1700), fromDataPlane: false });
  });

  it('keeps the command bracket when the gaps disagree by more than a packet could take to reach the link', () => {
    expect(window([1100, 1600])).toEqual({ fromNs: ms(1000), toNs: ms(1700), fromDataPlane: false });
  });
});

describe('lossSince', () => {
  // The fault can first cost a packet sent at seq 1000 (ORIGIN + 1000 ms).
  const FROM_NS = sentAt(1000);

  it('charges a gap that began after the cut in full, and names it', () => {
    const r = lossSince(analyze(stream(0, 0, 2999, range(1200, 1799)), undefined, INTERVAL_NS), FROM_NS);
    expect(r).toMatchObject({ windowMs: 601, beforeMs: 0, gap: { flow: 0, afterSeq: 1199, beforeSeq: 1800 } });
  });

  it('cuts a gap already open at the cut there: the loss before is not the fault’s and is reported apart', () => {
    // Starved from seq 300 (700 ms before the cut), then the fault's loss, one gap until seq 1800.
    const r = lossSince(analyze(stream(0, 0, 2999, range(300, 1799)), undefined, INTERVAL_NS), FROM_NS);
    expect(r).toEqual({ windowMs: 800, beforeMs: 701 });
    // A cut gap says nothing of when the fault took effect: it is not offered to narrow it.
    expect(r.gap).toBeUndefined();
  });

  it('does not charge a gap that ended before the cut, and reports it as loss before', () => {
    const r = lossSince(analyze(stream(0, 0, 2999, [...range(100, 399), ...range(1100, 1299)]), undefined, INTERVAL_NS), FROM_NS);
    expect(r).toMatchObject({ windowMs: 201, beforeMs: 301, gap: { afterSeq: 1099 } });
  });

  it('a stream that lost nothing after the cut has no fault gap', () => {
    const r = lossSince(analyze(stream(0, 0, 2999, range(100, 399)), undefined, INTERVAL_NS), FROM_NS);
    expect(r).toEqual({ windowMs: 0, beforeMs: 301 });
  });

  it('a tail that never recovered is charged from its start when that is after the cut', () => {
    const r = lossSince(analyze(stream(0, 0, 1499), new Map([[0, 3000]]), INTERVAL_NS), FROM_NS);
    expect(r).toMatchObject({ windowMs: 1500, beforeMs: 0, gap: { afterSeq: 1499, beforeSeq: 3000 } });
  });

  it('a flow that delivered nothing is charged its whole run: it has no send times to cut', () => {
    const r = lossSince(analyze([], new Map([[0, 3000]]), INTERVAL_NS), FROM_NS);
    expect(r).toMatchObject({ windowMs: 3000, beforeMs: 0 });
  });
});
