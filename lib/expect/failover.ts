// What one failover measurement says is wrong with one probe stream, if anything: it never
// crossed the failed link (so it shows nothing), it delivered nothing, it lost more than its
// budget, or its traffic never came back before the stream ended.
import { RECOVERY_MARGIN_MS, type FailoverMeasurement, type StreamMeasurement } from '../probes/failover.ts';

export interface LossBudget {
  ms: number;
  /** Where the budget comes from, for the message: the intent's key, or the declared BFD timers. */
  source: string;
}

const fixed = (n: number | undefined) => (n === undefined ? 'never' : `${n.toFixed(0)} ms`);

/** How the stream's sender moved off the failed next hop: when it stopped using it, and when it had another. */
function movedOff(s: StreamMeasurement): string {
  const { src } = s.stream.flow;
  if (s.withdrawalMs === undefined) return `${src} never stopped using ${s.stream.gateway}`;
  const stopped = `${src} stopped using ${s.stream.gateway} after ${s.withdrawalMs.toFixed(0)} ms`;
  if (s.reroutedMs === undefined) return `${stopped} and never had another next hop`;
  const via = s.viaNow ? `, then sending it via ${s.viaNow}` : '';
  return s.reroutedMs.toFixed(0) === s.withdrawalMs.toFixed(0) ? `${stopped}${via}` : `${stopped} and had another next hop after ${s.reroutedMs.toFixed(0)} ms${via}`;
}

/** The culprit line for stream `s` of measurement `m` (`where` names the fault and the stream), or undefined if it behaved. */
export function failoverStreamCulprit(where: string, s: StreamMeasurement, m: Pick<FailoverMeasurement, 'detection' | 'faultUncertaintyMs' | 'endedEarly'>, budget: LossBudget): string | undefined {
  const { src, dstIp } = s.stream.flow;
  if (s.crossed === 0) return `${where}: none of its packets crossed the link, though ${src}'s kernel chose that path for it — the measurement shows nothing`;
  if (s.flow.report.received === 0) return `${where}: delivered nothing at all`;
  if (s.lossWindowMs > budget.ms) {
    const detection = m.detection.map((d) => (d.bfd ? `BFD at ${d.node} down after ${fixed(d.ms)}` : `${d.node} runs no BFD session with ${d.peerAddress}`)).join(', ') || 'no session on the link';
    const lost = s.recovered ? `lost ${s.lossWindowMs.toFixed(0)} ms of traffic` : `lost at least ${s.lossWindowMs.toFixed(0)} ms of traffic (not recovered when the stream ended)`;
    const before = s.preFaultLossMs > 0 ? `; it also lost ${s.preFaultLossMs.toFixed(0)} ms before the fault was issued, not counted` : '';
    return `${where}: ${lost}, budget ${budget.ms} ms (${budget.source}); ${detection}; ${movedOff(s)} (times from the fault's effect, known to within ${m.faultUncertaintyMs.toFixed(0)} ms)${before}`;
  }
  // Not the fault's, but no stall of a busy machine either: a stream whose path was broken, or
  // whose sender stopped, for longer than the budget before the fault was even issued.
  if (s.preFaultLossMs > budget.ms) return `${where}: lost ${s.preFaultLossMs.toFixed(0)} ms of traffic before the fault was issued, more than the ${budget.ms} ms budget (${budget.source}): its path or its sender failed before the fault did anything`;
  // Within budget so far, but lost when the stream ended: RECOVERY_MARGIN_MS after every sender
  // had a route by another path (traffic still lost then is lost beyond the sender), or at the
  // end of its whole duration.
  const ended = m.endedEarly ? `${RECOVERY_MARGIN_MS} ms after the last sender was rerouted (${movedOff(s)})` : `when the stream ended (${movedOff(s)})`;
  if (!s.recovered) return `${where}: traffic to ${dstIp} had not come back ${ended}; lost at least ${s.lossWindowMs.toFixed(0)} ms by then`;
  return undefined;
}
