import { describe, expect, it } from 'vitest';
import type { FailoverMeasurement, StreamMeasurement } from '../probes/failover.ts';
import { failoverStreamCulprit } from './failover.ts';

const budget = { ms: 1400, source: 'declared BFD 3 × 300 ms + 500 ms margin' };
const m: Pick<FailoverMeasurement, 'detection' | 'faultUncertaintyMs' | 'endedEarly'> = {
  detection: [
    { node: 'leaf1', peerAddress: '10.1.0.17', bfd: true, ms: 950 },
    { node: 'host1', peerAddress: '10.1.0.16', bfd: true, ms: 1010 },
  ],
  faultUncertaintyMs: 40,
  endedEarly: true,
};
const where = 'grey failure of leaf1:eth3 – host1:eth1: forward stream leaf1 → host1 (10.255.2.1) leaving by leaf1:eth3';

function stream(o: { crossed?: number; received?: number; lossWindowMs?: number; preFaultLossMs?: number; recovered?: boolean; withdrawalMs?: number; reroutedMs?: number }): StreamMeasurement {
  return {
    stream: { role: 'forward', label: 'leaf1 → host1', flow: { src: 'leaf1', dst: 'host1', srcIp: '10.255.1.1', dstIp: '10.255.2.1', port: 5002, srcPortBase: 42000 }, gateway: '10.1.0.17', steerFrom: 42000, arrives: { node: 'host1', iface: 'eth1' }, restored: { width: 1, usesGatewayAgain: true } },
    flow: { report: { received: o.received ?? 1500, lost: 900, flows: [], longestLossMs: o.lossWindowMs ?? 900 } } as unknown as StreamMeasurement['flow'],
    lossWindowMs: o.lossWindowMs ?? 900,
    preFaultLossMs: o.preFaultLossMs ?? 0,
    ...(o.withdrawalMs !== undefined ? { withdrawalMs: o.withdrawalMs } : {}),
    // Rerouted when withdrawn unless told otherwise: the sender had another next hop at once.
    ...(o.reroutedMs !== undefined ? { reroutedMs: o.reroutedMs } : o.withdrawalMs !== undefined ? { reroutedMs: o.withdrawalMs } : {}),
    crossed: o.crossed ?? 300,
    recovered: o.recovered ?? true,
    buckets: [],
  };
}

describe('failoverStreamCulprit', () => {
  it('passes a stream that crossed the link, lost less than its budget and came back', () => {
    expect(failoverStreamCulprit(where, stream({ withdrawalMs: 960 }), m, budget)).toBeUndefined();
  });

  it('names a stream that never crossed the link: it measured nothing', () => {
    expect(failoverStreamCulprit(where, stream({ crossed: 0 }), m, budget)).toBe(`${where}: none of its packets crossed the link, though leaf1's kernel chose that path for it — the measurement shows nothing`);
  });

  it('names a stream that delivered nothing', () => {
    expect(failoverStreamCulprit(where, stream({ received: 0 }), m, budget)).toBe(`${where}: delivered nothing at all`);
  });

  it('names a loss over budget with both ends’ detection, the withdrawal and how well the moment of the fault is known', () => {
    expect(failoverStreamCulprit(where, stream({ lossWindowMs: 2666, withdrawalMs: 2600 }), m, budget)).toBe(
      `${where}: lost 2666 ms of traffic, budget 1400 ms (declared BFD 3 × 300 ms + 500 ms margin); BFD at leaf1 down after 950 ms, BFD at host1 down after 1010 ms; leaf1 stopped using 10.1.0.17 after 2600 ms (times from the fault's effect, known to within 40 ms)`,
    );
  });

  it('says what a stream over budget lost before the fault was issued, apart from the fault’s loss', () => {
    expect(failoverStreamCulprit(where, stream({ lossWindowMs: 1500, preFaultLossMs: 700, withdrawalMs: 1400 }), m, budget)).toMatch(/: lost 1500 ms of traffic, budget 1400 ms .*known to within 40 ms\); it also lost 700 ms before the fault was issued, not counted$/);
    expect(failoverStreamCulprit(where, stream({ lossWindowMs: 900, preFaultLossMs: 700 }), m, budget)).toBeUndefined();
  });

  it('names a stream that lost more than its budget before the fault was even issued', () => {
    expect(failoverStreamCulprit(where, stream({ lossWindowMs: 300, preFaultLossMs: 2500 }), m, budget)).toBe(
      `${where}: lost 2500 ms of traffic before the fault was issued, more than the 1400 ms budget (declared BFD 3 × 300 ms + 500 ms margin): its path or its sender failed before the fault did anything`,
    );
  });

  it('says "at least" and "never" for a loss over budget that never recovered nor withdrew', () => {
    expect(failoverStreamCulprit(where, stream({ lossWindowMs: 2000, recovered: false }), { ...m, detection: [{ node: 'leaf1', peerAddress: '10.1.0.17', bfd: false }] }, budget)).toBe(
      `${where}: lost at least 2000 ms of traffic (not recovered when the stream ended), budget 1400 ms (declared BFD 3 × 300 ms + 500 ms margin); leaf1 runs no BFD session with 10.1.0.17; leaf1 never stopped using 10.1.0.17 (times from the fault's effect, known to within 40 ms)`,
    );
  });

  it('fails a stream within budget whose traffic had not come back when the streams ended', () => {
    expect(failoverStreamCulprit(where, stream({ lossWindowMs: 1250, recovered: false, withdrawalMs: 950 }), m, budget)).toBe(
      `${where}: traffic to 10.255.2.1 had not come back 300 ms after the last sender was rerouted (leaf1 stopped using 10.1.0.17 after 950 ms); lost at least 1250 ms by then`,
    );
  });

  it('says when a sender that lost its route outright had another next hop, or that it never had', () => {
    expect(failoverStreamCulprit(where, stream({ lossWindowMs: 1250, recovered: false, withdrawalMs: 800, reroutedMs: 1130 }), m, budget)).toBe(
      `${where}: traffic to 10.255.2.1 had not come back 300 ms after the last sender was rerouted (leaf1 stopped using 10.1.0.17 after 800 ms and had another next hop after 1130 ms); lost at least 1250 ms by then`,
    );
    expect(failoverStreamCulprit(where, { ...stream({ lossWindowMs: 2000, recovered: false, withdrawalMs: 800 }), reroutedMs: undefined }, m, budget)).toMatch(
      /; leaf1 stopped using 10\.1\.0\.17 after 800 ms and never had another next hop \(times from the fault's effect/,
    );
  });

  it('says where the rerouted sender sends the traffic that did not come back: the neighbor that lost it', () => {
    const rerouted = { ...stream({ lossWindowMs: 1172, recovered: false, withdrawalMs: 868 }), viaNow: 'eth2 → spine2' };
    expect(failoverStreamCulprit(where, rerouted, m, budget)).toBe(
      `${where}: traffic to 10.255.2.1 had not come back 300 ms after the last sender was rerouted (leaf1 stopped using 10.1.0.17 after 868 ms, then sending it via eth2 → spine2); lost at least 1172 ms by then`,
    );
    expect(failoverStreamCulprit(where, { ...rerouted, reroutedMs: 1130 }, m, budget)).toContain('and had another next hop after 1130 ms, then sending it via eth2 → spine2)');
  });

  it('says the stream ran its whole duration where streams are not ended early (Docker)', () => {
    expect(failoverStreamCulprit(where, stream({ lossWindowMs: 98, recovered: false, withdrawalMs: 4842 }), { ...m, endedEarly: false }, budget)).toBe(
      `${where}: traffic to 10.255.2.1 had not come back when the stream ended (leaf1 stopped using 10.1.0.17 after 4842 ms); lost at least 98 ms by then`,
    );
  });
});
