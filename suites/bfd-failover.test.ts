// BFD failover, measured in the data plane the way traffic experiences it. For one link of every
// tier pair (leaf–spine, compute–leaf, …; every router-to-router link with `--failover all`),
// and for each failure class — grey (everything dropped both ways, carrier up: only BFD can
// notice), local carrier loss, and the far end going down so this side only loses carrier —
// 1000 packet/s probe streams cross the link both ways, and a third comes from a router that
// learns of the failure late (its path crosses the link where the end has no other way); on a
// dual-stack lab each has an IPv6 twin between the same routers' IPv6 loopbacks. We
// time BFD detection at both ends, each sender's FIB withdrawal and each stream's loss window
// (send timestamps either side of the gap: 1 ms resolution), hold them to the budget the
// intent declares (stated, or the declared BFD detection time + a margin: never the timers the
// routers run), restore the link and check re-convergence. Links whose failures cannot touch
// each other's streams (no shared router, no stream crossing the other link or forwarded by a
// route the other's failure changes: lib/plan/failover-plan.ts) fail at the same instant, in
// one wave. Before any fault, every fabric session must run BFD, up, with the declared timers.
import { attachment, parameter, step } from 'allure-js-commons';
import { describe, expectNoCulprits, sharedPrecondition, skipWithoutBgp, skipWithoutDeclaredRouting, test as kit } from '../lib/testkit/index.ts';
import { FAILURE_CLASSES, lossBudget, type FailureClass } from '../lib/model/intent.ts';
import { armGreyFailure, linkDown, unarmed } from '../lib/faults/faults.ts';
import type { Fabric } from '../lib/probes/fabric.ts';
import { measureFailovers, streamName, TIMELINE_BUCKET_MS, type FailoverMeasurement, type FailoverStream } from '../lib/probes/failover.ts';
import { planFailover, resteer, upstreamOf, type PlannedLink } from '../lib/probes/failover-streams.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { timelineSvg } from '../lib/report/timeline-svg.ts';
import { declaredBfdCulprits } from '../lib/testkit/bfd.ts';
import { failoverStreamCulprit } from '../lib/expect/failover.ts';
import { failoverScope } from '../lib/testkit/settings.ts';
import { waitForConvergence } from '../lib/expect/convergence.ts';
import { familyOf } from '../lib/plan/expected-routing.ts';

const RATE_PPS = 1000;
const RECONVERGENCE_TIMEOUT_MS = 30_000;
const PRE_FAULT_MS = 300;
/** After the budget: enough to see recovery, or to see a stream that never recovers fail. */
const OBSERVE_MARGIN_MS = 500;
/**
 * Once per file: BFD as declared on every session, and the converged fabric. Streams are
 * planned again before each failure class: after a restore, BGP may keep the path it fell back
 * to and ECMP groups may be rebuilt in another order, so a source port steered earlier may
 * take another path now.
 */
const test = kit.extend<{ bfdAsDeclared: () => Promise<void>; failoverReady: () => Promise<Fabric> }>({
  bfdAsDeclared: [
    async ({ lab, convergedFabric }, use) => {
      await use(
        sharedPrecondition('every fabric session runs BFD, up, with the declared timers', async () => {
          const culprits = await declaredBfdCulprits(lab, (await convergedFabric()).f.sessions);
          if (culprits.length) throw new Error(culprits.join('\n'));
        }),
      );
    },
    { scope: 'file' },
  ],
  failoverReady: [
    async ({ lab, readyOverlay, convergedFabric, bfdAsDeclared }, use) => {
      await use(
        sharedPrecondition('a converged fabric with BFD as declared', async () => {
          if (lab.topology.overlay) await readyOverlay(); // the overlay's own start-up settles first
          await bfdAsDeclared();
          return (await convergedFabric()).f;
        }),
      );
    },
    { scope: 'file' },
  ],
});

const FAILURE_TITLES: Record<FailureClass, string> = {
  grey: 'grey failure (carrier up)',
  carrier: 'carrier loss',
  'far-end': 'far end down (this side only loses carrier)',
};

describe('BFD failover', () => {
  test('before any fault: every fabric session runs BFD, up, with the declared timers', async ({ lab, bfdAsDeclared, skip }) => {
    skipWithoutBgp(lab, skip);
    if (!lab.topology.intent?.bfd?.required) skip(`not declared: BFD (declare bfd.required and its timers in ${lab.topology.intent?.file ?? 'the intent file'})`);
    await bfdAsDeclared();
  });

  for (const failure of FAILURE_CLASSES) {
    test(`${FAILURE_TITLES[failure]} on one link of every tier pair: streams both ways and from a late-learning router lose no more than the declared budget, then re-converge`, async ({ lab, failoverReady, task, skip }) => {
      skipWithoutBgp(lab, skip);
      skipWithoutDeclaredRouting(lab, skip);
      const fabric = await failoverReady();
      // Each class starts from the declared steady state everywhere, not only where the last
      // class's streams looked: a route still settling would steer this class's streams wrong.
      await step('the whole fabric converged again', () => waitForConvergence(lab, fabric, RECONVERGENCE_TIMEOUT_MS));
      // On Docker one link at a time: every probe process and read is a `docker exec`, and a
      // wave's nine streams on two cores starve their senders into bursts the receivers drop.
      const plan = await step('choose the links to fail and steer probe streams across them', () => planFailover(lab, fabric, failoverScope(), { maxLinksPerWave: lab.runtime === 'docker' ? 1 : undefined }));
      if (!plan.links.length) skip(`no link can be failed with probe streams across it: ${plan.untestable.join('; ') || 'the fabric has no router-to-router link'}`);
      // What the report's reader filters by: the failure class and the links it was applied to.
      await parameter('failure class', failure);
      await parameter('links', plan.links.map((p) => p.link.label).join(', '));
      const culprits: string[] = [...plan.untestable.map((u) => `not tested: ${u}`), ...plan.links.flatMap((p) => p.unsteered.map((u) => `not measured on ${p.link.label}: ${u}`))];
      const budgetOf = (p: PlannedLink, s: FailoverStream) => lossBudget(lab.topology.intent, failure, upstreamOf(p, s));
      const undeclared = plan.links.flatMap((p) => p.streams.filter((s) => !budgetOf(p, s)).map((s) => upstreamOf(p, s)));
      if (undeclared.length) skip(`not declared: a ${failure} failover budget for ${[...new Set(undeclared)].join(', ')} (declare bfd timers or failover.${failure}.loss-budget-ms in the intent file)`);
      /** The link's figures, attachments and culprits. */
      const report = async (p: PlannedLink, m: FailoverMeasurement) => {
        const key = `${failure}.${p.group}`;
        const fig = (name: string, value: number | undefined, description: string, budgetMs?: number) =>
          value !== undefined && recordFigure({ task }, `${name}.${key}`, { value: Number(value.toFixed(1)), unit: 'ms', description, ...(budgetMs !== undefined ? { budget: budgetMs } : {}) });
        fig('fault_uncertainty_ms', m.faultUncertaintyMs, `how precisely the moment ${p.link.label} failed is known (${m.faultSeenInDataPlane ? "the streams' last packet before their gap and the first lost: one send interval" : 'how long the fault command took'}): every time below is overstated by at most this much`);
        for (const d of m.detection.filter((x) => x.bfd)) fig(`bfd_detection_ms.${d.node}`, d.ms, `fault to ${d.node}'s BFD session with ${d.peerAddress} down`);
        fig('reconvergence_ms', m.reconvergenceMs, `restore of ${p.link.label} to every sender having its route back, with BGP and BFD up on the link`);
        for (const s of m.streams) {
          const role = streamName(s.stream);
          const budget = budgetOf(p, s.stream)!;
          fig(`loss_window_ms.${role}`, s.lossWindowMs, `longest gap in ${s.stream.label} from the moment the fault could first cost it a packet (${RATE_PPS} pps, resolution ${1000 / RATE_PPS} ms); budget ${budget.ms} ms (${budget.source})`, budget.ms);
          if (s.preFaultLossMs > 0) fig(`pre_fault_loss_ms.${role}`, s.preFaultLossMs, `longest gap in ${s.stream.label} before the fault was issued: not the fault's (a sender or router starved on a busy machine), not charged to it`);
          fig(`fib_withdrawal_ms.${role}`, s.withdrawalMs, `fault to ${s.stream.flow.src}'s route to ${s.stream.flow.dstIp} no longer via ${s.stream.gateway}`);
          fig(`fib_reroute_ms.${role}`, s.reroutedMs, `fault to ${s.stream.flow.src}'s route to ${s.stream.flow.dstIp} having another next hop than ${s.stream.gateway} (later than the withdrawal when the route was lost outright for a while)`);
          const marks = [
            { atMs: m.faultAtMs, label: `${failure} failure`, color: '#d33' },
            ...m.detection.filter((d) => d.ms !== undefined).map((d) => ({ atMs: m.faultAtMs + d.ms!, label: `BFD down at ${d.node}`, color: '#a50' })),
            ...(s.withdrawalMs !== undefined ? [{ atMs: m.faultAtMs + s.withdrawalMs, label: `${s.stream.flow.src} withdrew`, color: '#05a' }] : []),
            ...(s.reroutedMs !== undefined && s.reroutedMs - (s.withdrawalMs ?? 0) >= 1 ? [{ atMs: m.faultAtMs + s.reroutedMs, label: `${s.stream.flow.src} rerouted`, color: '#07c' }] : []),
            { atMs: m.restoreAtMs, label: 'restored', color: '#080' },
          ];
          await attachment(`failover-${failure}-${p.group}-${role}.svg`, timelineSvg({ title: `${failure} failure of ${p.link.label}: ${s.stream.label}, longest loss ${s.lossWindowMs.toFixed(1)} ms`, bucketMs: TIMELINE_BUCKET_MS, buckets: s.buckets, expectedPerBucket: (RATE_PPS * TIMELINE_BUCKET_MS) / 1000, marks }), 'image/svg+xml');
          const where = `${failure} failure of ${p.link.label}: ${role.replace('-ipv6', ' IPv6')} stream ${s.stream.label}`;
          const culprit = failoverStreamCulprit(where, s, m, budget);
          if (culprit) culprits.push(culprit);
        }
        if (m.reconvergenceMs === undefined) culprits.push(`${p.link.label} restored after a ${failure} failure, but not re-converged within ${RECONVERGENCE_TIMEOUT_MS / 1000} s: ${m.reconvergenceFailure}`);
        await attachment(
          `failover-${failure}-${p.group}.json`,
          JSON.stringify({ link: p.link.label, group: p.group, failedWith: plan.links.filter((o) => o.wave === p.wave && o.link !== p.link).map((o) => o.link.label), notMeasured: [...p.missing, ...p.unsteered], faultUncertaintyMs: m.faultUncertaintyMs, faultSeenInDataPlane: m.faultSeenInDataPlane, detection: m.detection, reconvergenceMs: m.reconvergenceMs, streams: m.streams.map((s) => ({ role: s.stream.role, family: familyOf(s.stream.flow.dstIp), stream: s.stream.label, crossed: s.crossed, lossWindowMs: s.lossWindowMs, preFaultLossMs: s.preFaultLossMs, withdrawalMs: s.withdrawalMs, reroutedMs: s.reroutedMs, viaNow: s.viaNow, budget: budgetOf(p, s.stream), received: s.flow.report.received, lost: s.flow.report.lost })) }, null, 2),
          'application/json',
        );
      };
      const waves = [...new Set(plan.links.map((p) => p.wave))].map((w) => plan.links.filter((p) => p.wave === w));
      for (const wave of waves) {
        const links = await Promise.all(wave.map((planned) => resteer(lab, planned)));
        const observeMs = Math.max(...links.flatMap((p) => p.streams.map((s) => budgetOf(p, s)!.ms))) + OBSERVE_MARGIN_MS;
        const arm = (p: PlannedLink) => {
          const [a, b] = [`${p.link.a.node}:${p.link.a.iface}`, `${p.link.b.node}:${p.link.b.iface}`];
          return async () => (failure === 'grey' ? armGreyFailure(lab, a) : unarmed(() => linkDown(lab, failure === 'carrier' ? a : b)));
        };
        const title = links.map((p) => `${p.link.label} (${p.group})`).join(', ');
        const measurements = await step(`${failure} failure of ${title} at once, under ${links.reduce((n, p) => n + p.streams.length, 0)} streams of ${RATE_PPS} pps`, () =>
          measureFailovers(lab, {
            failures: links.map((p) => ({ streams: p.streams, sessions: p.sessions, arm: arm(p) })),
            ratePps: RATE_PPS,
            preFaultMs: PRE_FAULT_MS,
            observeMs,
            reconvergenceTimeoutMs: RECONVERGENCE_TIMEOUT_MS,
          }),
        );
        for (const [i, p] of links.entries()) await report(p, measurements[i]!);
      }
      expectNoCulprits(culprits, `failover problems (${plan.links.map((p) => `${p.group}: ${p.link.label}`).join('; ')})`);
    });
  }
});
