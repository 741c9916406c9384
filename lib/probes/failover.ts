// Measure one failover: a probe flow at 1000 packets/s runs across a link, the link fails,
// and we time BFD's detection (`show bfd peers json`), the FIB withdrawal (kernel route of the
// hasher loses the next hop) and the data-plane loss window (from the receiver's view of the
// senders' timestamps); then the fault is undone and re-convergence is timed.
import type { StartedLab } from '../lab/started-lab.ts';
import type { ExpectedNexthop } from '../plan/expected-routing.ts';
import { waitFor } from '../wait-for.ts';
import type { Fault } from '../faults/faults.ts';
import { fibNexthops, ribRoute, vtyshJson } from './frr.ts';
import { runFlows, timeline, type FlowResult } from './flows.ts';
import type { Hasher } from './ecmp.ts';

export interface BfdPeer {
  peer: string;
  interface?: string;
  status: string;
  'detect-multiplier': number;
  'receive-interval': number;
  'remote-transmit-interval': number;
  'remote-detect-multiplier': number;
}

/** The hasher's BFD session with the neighbor at `peerAddress`, if there is one. */
export async function bfdPeer(lab: StartedLab, node: string, peerAddress: string): Promise<BfdPeer | undefined> {
  const peers = await vtyshJson<BfdPeer[]>(lab.node(node), 'show bfd peers json');
  return peers.find((p) => p.peer === peerAddress);
}

/** How long the hasher can take to notice a silent neighbor: the remote's multiplier × the agreed interval. */
export function bfdDetectionBudgetMs(p: BfdPeer): number {
  return p['remote-detect-multiplier'] * Math.max(p['receive-interval'], p['remote-transmit-interval']);
}

export async function holdTimeMs(lab: StartedLab, node: string, peerAddress: string): Promise<number> {
  const json = await vtyshJson<Record<string, { bgpTimerHoldTimeMsecs?: number }>>(lab.node(node), `show bgp neighbors ${peerAddress} json`);
  return json[peerAddress]?.bgpTimerHoldTimeMsecs ?? 9000;
}

export interface FailoverMeasurement {
  flow: FlowResult;
  /** From the fault to BFD reporting the session down; undefined if it never did (or has no BFD). */
  detectionMs?: number;
  /** From the fault to the hasher's kernel route no longer using the failed link. */
  withdrawalMs?: number;
  lossWindowMs: number;
  /** From restoring the link to the route using it again (and BFD up, if configured). */
  reconvergenceMs?: number;
  /** When it did not re-converge: what the kernel, zebra and BFD showed last. */
  reconvergenceFailure?: string;
  /** Relative to the flow's start (send clock), for the timeline: when the fault command was issued. */
  faultAtMs: number;
  /** How long the fault command took: the fault took effect within this window after faultAtMs, so detection and withdrawal are overstated by at most this much. */
  faultUncertaintyMs: number;
  restoreAtMs: number;
  buckets: number[];
}

export const TIMELINE_BUCKET_MS = 10;

export interface FailoverOptions {
  flow: { src: string; dst: string; dstIp: string; port: number; srcPortBase: number };
  ratePps: number;
  hasher: Hasher;
  nexthop: ExpectedNexthop;
  peerAddress: string;
  preFaultMs: number;
  /** How long the flow keeps running after the fault. */
  observeMs: number;
  hasBfd: boolean;
  inject: () => Promise<Fault>;
  reconvergenceTimeoutMs: number;
}

async function usesNexthop(lab: StartedLab, node: string, dstIp: string, iface: string): Promise<{ uses: boolean; width: number }> {
  const r = await lab.node(node).exec(['ip', '-j', '-4', 'route', 'show', 'exact', `${dstIp}/32`]);
  const route = (JSON.parse(r.stdout || '[]') as { dev?: string; nexthops?: { dev?: string }[] }[])[0];
  const hops = route ? (route.nexthops ?? [{ dev: route.dev }]) : [];
  return { uses: hops.some((h) => h.dev === iface), width: hops.length };
}

export async function measureFailover(lab: StartedLab, o: FailoverOptions): Promise<FailoverMeasurement> {
  const durationS = (o.preFaultMs + o.observeMs) / 1000;
  let fault: Fault | undefined;
  let faultStartNs: bigint | undefined;
  let detectionMs: number | undefined;
  let withdrawalMs: number | undefined;
  const ms = (ns: bigint) => Number(ns) / 1e6;
  const flow = await runFlows(lab, { ...o.flow, flows: 1, ratePps: o.ratePps, durationS }, async () => {
    // Sender and this process share CLOCK_MONOTONIC, so the fault is placed on the flow's clock.
    await new Promise((r) => setTimeout(r, o.preFaultMs));
    // The fault takes effect somewhere between these two instants: times are counted from the
    // first (an upper bound), and the gap is reported as their uncertainty.
    faultStartNs = process.hrtime.bigint();
    fault = await o.inject();
    const since = () => ms(process.hrtime.bigint() - faultStartNs!);
    const deadlineMs = o.observeMs - 200;
    await Promise.all([
      o.hasBfd
        ? waitFor(async () => ((await bfdPeer(lab, o.hasher.node, o.peerAddress))?.status === 'up' ? { ok: false, reason: 'BFD still up' } : { ok: true, value: since() }), {
            timeoutMs: deadlineMs,
            intervalsMs: [10],
            description: 'BFD to report the session down',
          }).then((r) => (detectionMs = r.value), () => undefined)
        : undefined,
      waitFor(async () => ((await usesNexthop(lab, o.hasher.node, o.flow.dstIp, o.nexthop.iface)).uses ? { ok: false, reason: 'route still uses the failed link' } : { ok: true, value: since() }), {
        timeoutMs: deadlineMs,
        intervalsMs: [10],
        description: 'the route to drop the failed next hop',
      }).then((r) => (withdrawalMs = r.value), () => undefined),
    ]);
  });
  const restoreNs = process.hrtime.bigint();
  await fault!.restore();
  let reconvergenceMs: number | undefined;
  let reconvergenceFailure: string | undefined;
  try {
    await waitFor(
      async () => {
        const { uses, width } = await usesNexthop(lab, o.hasher.node, o.flow.dstIp, o.nexthop.iface);
        const bfdUp = !o.hasBfd || (await bfdPeer(lab, o.hasher.node, o.peerAddress))?.status === 'up';
        return uses && width === o.hasher.route.width && bfdUp ? { ok: true, value: true } : { ok: false, reason: `route width ${width}, uses the link: ${uses}, BFD up: ${bfdUp}` };
      },
      { timeoutMs: o.reconvergenceTimeoutMs, intervalsMs: [50, 100], description: `${o.hasher.node} to use ${o.nexthop.iface} again` },
    );
    reconvergenceMs = ms(process.hrtime.bigint() - restoreNs);
  } catch {
    // Say where the state disagrees: zebra may believe a next hop is installed that the kernel lost.
    const { width } = await usesNexthop(lab, o.hasher.node, o.flow.dstIp, o.nexthop.iface);
    const rib = await ribRoute(lab.node(o.hasher.node), `${o.flow.dstIp}/32`).catch(() => undefined);
    const zebraFib = fibNexthops(rib).map((n) => n.interfaceName ?? '?');
    const bfdStatus = o.hasBfd ? (await bfdPeer(lab, o.hasher.node, o.peerAddress))?.status : 'none';
    reconvergenceFailure = `kernel route to ${o.flow.dstIp} has ${width} next hop(s), none via ${o.nexthop.iface}; zebra shows ${zebraFib.length} installed (${zebraFib.join(', ') || 'none'}); BFD ${bfdStatus}`;
  }
  return {
    flow,
    detectionMs,
    withdrawalMs,
    lossWindowMs: flow.report.longestLossMs,
    reconvergenceMs,
    reconvergenceFailure,
    faultAtMs: ms(faultStartNs! - flow.startNs),
    faultUncertaintyMs: ms(fault!.appliedAtNs - faultStartNs!),
    restoreAtMs: ms(restoreNs - flow.startNs),
    buckets: timeline(flow.packets, flow.startNs, TIMELINE_BUCKET_MS),
  };
}
