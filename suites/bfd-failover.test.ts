// BFD failover, measured in the data plane. A 1000 packet/s probe flow crosses the fabric link
// its ECMP hash picked; that link fails, first grey (everything dropped both ways, carrier up:
// only BFD can notice) then by carrier loss. We time BFD detection, FIB withdrawal and the loss
// window (send timestamps either side of the gap: 1 ms resolution), assert the loss window is
// within the budget the intent declares (stated, or the declared BFD detect-multiplier ×
// interval + a margin: never the timers the routers run), restore the link and assert
// re-convergence.
import { attachment, step } from 'allure-js-commons';
import { describe, expectNoCulprits, sharedPrecondition, skipWithoutBgp, skipWithoutDeclaredRouting, test as kit } from '../lib/testkit/index.ts';
import { FAILURE_CLASSES, lossBudget, type FailureClass } from '../lib/model/intent.ts';
import { greyFailure, linkDown } from '../lib/faults/faults.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import type { ExpectedRoute } from '../lib/plan/expected-routing.ts';
import { chooseProbePath, countPerPath, findHasher, type Hasher, type ProbePath } from '../lib/probes/ecmp.ts';
import { linkPeerAddress, type Fabric } from '../lib/probes/fabric.ts';
import { bfdDetectionBudgetMs, bfdPeer, holdTimeMs, measureFailover, TIMELINE_BUCKET_MS } from '../lib/probes/failover.ts';
import { runFlows } from '../lib/probes/flows.ts';
import { addresses } from '../lib/probes/kernel.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { timelineSvg } from '../lib/report/timeline-svg.ts';

const RATE_PPS = 1000;
const PORT = 5002;
const SRC_PORT = 42000;
const PRE_FAULT_MS = 1000;

type ProbeSetup = { f: Fabric; routes: ExpectedRoute[]; path: ProbePath; hasher: Hasher } | undefined;

/** Both failure classes probe the same path: found once per file on a converged fabric. */
const test = kit.extend<{ probeSetup: () => Promise<ProbeSetup> }>({
  probeSetup: [
    async ({ lab, readyOverlay, convergedFabric }, use) => {
      await use(
        sharedPrecondition('a converged fabric with a probe path and the router that hashes it', async () => {
          if (lab.topology.overlay) await readyOverlay(); // the overlay's own start-up settles first
          const { f, routes } = await convergedFabric();
          const path = chooseProbePath(routes, (n) => lab.topology.nodes.find((x) => x.name === n)?.tier);
          if (!path) return undefined;
          return { f, routes, path, hasher: await findHasher(lab, routes, f.owners, path) };
        }),
      );
    },
    { scope: 'file' },
  ],
});

/** Which of the hasher's links this flow's 5-tuple hashes onto: a short burst, counted per path. */
async function linkOfFlow(lab: StartedLab, path: ProbePath, hasher: Hasher) {
  const counters = await countPerPath(lab, hasher, `ip daddr ${path.dstIp} udp dport ${PORT}`);
  try {
    await runFlows(lab, { ...path, port: PORT, flows: 1, ratePps: 500, durationS: 0.3, srcPortBase: SRC_PORT });
    const counts = await counters.read();
    const busiest = counts.reduce((a, b) => (b.packets > a.packets ? b : a));
    if (busiest.packets === 0) throw new Error(`no probe packet reached any of ${hasher.node}'s next hops towards ${path.dstIp}`);
    return busiest.nexthop;
  } finally {
    await counters.remove();
  }
}

const FAILURE_TITLES: Record<FailureClass, string> = {
  grey: 'grey failure (carrier up)',
  carrier: 'carrier loss',
  'far-end': 'far end down (this side only loses carrier)',
};

for (const failure of FAILURE_CLASSES) {
  describe('BFD failover', () => {
    test(`${FAILURE_TITLES[failure]} on the link carrying a probe flow: loss window within the declared budget, then re-convergence`, async ({ lab, probeSetup, task, skip }) => {
      skipWithoutBgp(lab, skip);
      skipWithoutDeclaredRouting(lab, skip);
      const s = await probeSetup();
      if (!s) skip('no two hosts or leaves have equal-cost paths between them: no link can fail over');
      const { path, hasher } = s!;
      const budget = lossBudget(lab.topology.intent, failure, hasher.node);
      if (!budget) skip(`not declared: a ${failure} failover budget for ${hasher.node} (declare bfd timers or failover.${failure}.loss-budget-ms in the intent file)`);
      const budgetMs = budget!.ms;
      const nexthop = await linkOfFlow(lab, path, hasher);
      const addrOf = new Map(await Promise.all(lab.nodes().filter((n) => n.spec.role === 'router').map(async (n) => [n.name, await addresses(n)] as const)));
      const peerAddress = linkPeerAddress(addrOf, { node: hasher.node, iface: nexthop.iface }, { node: nexthop.neighbor, iface: nexthop.neighborIface })!;
      const session = `${hasher.node} → ${nexthop.neighbor} (${peerAddress}) over ${nexthop.iface}`;
      // What runs: whether BFD can time the detection, and how long to watch for it.
      const bfd = await bfdPeer(lab, hasher.node, peerAddress);
      // Without BFD only the BGP hold timer notices a grey failure: watch long enough to see it.
      // Long enough to see the failover end even when the router runs slower timers than declared.
      const observeMs = bfd ? Math.max(2500, 2 * budgetMs, 2 * bfdDetectionBudgetMs(bfd)) : (await holdTimeMs(lab, hasher.node, peerAddress)) + 3000;
      const endpoint = `${hasher.node}:${nexthop.iface}`;
      const farEnd = `${nexthop.neighbor}:${nexthop.neighborIface}`;
      const m = await step(`${failure} failure of ${endpoint} <-> ${nexthop.neighbor}:${nexthop.neighborIface} under a ${RATE_PPS} pps flow ${path.src} → ${path.dst}`, () =>
        measureFailover(lab, {
          flow: { src: path.src, dst: path.dst, dstIp: path.dstIp, port: PORT, srcPortBase: SRC_PORT },
          ratePps: RATE_PPS,
          hasher,
          nexthop,
          peerAddress,
          preFaultMs: PRE_FAULT_MS,
          observeMs,
          hasBfd: Boolean(bfd),
          inject: () => (failure === 'grey' ? greyFailure(lab, endpoint) : linkDown(lab, failure === 'carrier' ? endpoint : farEnd)),
          reconvergenceTimeoutMs: 30_000,
        }),
      );
      const marks = [
        { atMs: m.faultAtMs, label: `${failure} failure`, color: '#d33' },
        ...(m.detectionMs !== undefined ? [{ atMs: m.faultAtMs + m.detectionMs, label: 'BFD down', color: '#a50' }] : []),
        ...(m.withdrawalMs !== undefined ? [{ atMs: m.faultAtMs + m.withdrawalMs, label: 'FIB withdrawn', color: '#05a' }] : []),
        { atMs: m.restoreAtMs, label: 'restored', color: '#080' },
      ];
      await attachment(`failover-${failure}.svg`, timelineSvg({ title: `${failure} failure of ${endpoint}: ${RATE_PPS} pps ${path.src} → ${path.dst}, longest loss ${m.lossWindowMs.toFixed(1)} ms`, bucketMs: TIMELINE_BUCKET_MS, buckets: m.buckets, expectedPerBucket: (RATE_PPS * TIMELINE_BUCKET_MS) / 1000, marks }), 'image/svg+xml');
      await attachment(`failover-${failure}.json`, JSON.stringify({ session, bfd, budgetMs, faultUncertaintyMs: m.faultUncertaintyMs, detectionMs: m.detectionMs, withdrawalMs: m.withdrawalMs, lossWindowMs: m.lossWindowMs, reconvergenceMs: m.reconvergenceMs, worstGap: m.flow.report.worstGap && { ...m.flow.report.worstGap, startNs: String(m.flow.report.worstGap.startNs) } }, null, 2), 'application/json');
      const fig = (name: string, value: number | undefined, description: string) => value !== undefined && recordFigure({ task }, `${name}.${failure}`, { value: Number(value.toFixed(1)), unit: 'ms', description });
      fig('bfd_detection_ms', m.detectionMs, `fault command issued to BFD session ${session} down (the command took ${m.faultUncertaintyMs.toFixed(1)} ms: the fault took effect within that window)`);
      fig('fault_uncertainty_ms', m.faultUncertaintyMs, 'how long the fault command took: detection and withdrawal are overstated by at most this much');
      fig('fib_withdrawal_ms', m.withdrawalMs, `fault to ${hasher.node}'s route to ${path.dstIp} no longer using ${nexthop.iface}`);
      fig('loss_window_ms', m.lossWindowMs, `longest gap in the ${RATE_PPS} pps probe flow, by send timestamps (resolution ${1000 / RATE_PPS} ms)`);
      fig('loss_budget_ms', budgetMs, budget!.source);
      fig('reconvergence_ms', m.reconvergenceMs, `restore to ${hasher.node} using ${nexthop.iface} again${bfd ? ' with BFD up' : ''}`);

      const culprits: string[] = [];
      const bfdText = bfd ? `BFD ${bfd['remote-detect-multiplier']} × ${Math.max(bfd['receive-interval'], bfd['remote-transmit-interval'])} ms` : 'no BFD';
      if (m.lossWindowMs > budgetMs) {
        culprits.push(
          bfd
            ? `${failure} failure of ${endpoint}: ${m.lossWindowMs.toFixed(0)} ms of traffic lost on session ${session} (running ${bfdText}), budget ${budgetMs} ms (${budget!.source}); BFD down after ${m.detectionMs?.toFixed(0) ?? 'never'} ms, FIB withdrawn after ${m.withdrawalMs?.toFixed(0) ?? 'never'} ms`
            : `${failure} failure of ${endpoint}: session ${session} has no BFD, so ${m.lossWindowMs.toFixed(0)} ms of traffic was lost (≈ the BGP hold time); budget ${budgetMs} ms (${budget!.source})`,
        );
      }
      if (m.flow.report.received === 0) culprits.push(`the probe flow ${path.src} → ${path.dst} delivered nothing at all`);
      if (m.reconvergenceMs === undefined) culprits.push(`${hasher.node} did not use ${nexthop.iface} again within 30 s of restoring ${endpoint}: ${m.reconvergenceFailure}`);
      expectNoCulprits(culprits, `failover problems (${bfdText})`);
    });
  });
}
