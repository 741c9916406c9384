// Gateway failover: the router's gateway port is active on its highest-priority gateway
// chassis, with BFD up on the tunnels between the gateway chassis; then the active chassis fails
// while two north–south streams run through it (the outside world to a VM's floating IP, and
// that VM to the outside world), two ways: a grey failure (its GENEVE tunnels dropped on every
// uplink, carrier and BGP up: only the tunnel BFD can notice) and its ovn-controller and
// ovs-vswitchd stopped. Measured against the budget the declared tunnel BFD implies: the
// standby's BFD detection, the moment the southbound DB binds the port to the standby, and
// each stream's loss window; restored, the port must return to the preferred chassis (OVN
// preempts). A timeline image per stream is attached.
import { attachment, parameter } from 'allure-js-commons';
import { describe, expect, expectNoCulprits, skipWithoutOverlay, test } from '../lib/testkit/index.ts';
import { checkTimeoutMs } from '../lib/testkit/deadline.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import type { Overlay } from '../lib/model/overlay.ts';
import { planOverlayNodes } from '../lib/plan/chassis.ts';
import { planGatewayFailovers, type GatewayFailoverPlan } from '../lib/plan/gateway-failover.ts';
import { gatewayBindingDifferences, gatewayChassisDifferences } from '../lib/expect/nats.ts';
import { armTunnelDrop, combineFaults, stopDaemon, type Fault } from '../lib/faults/faults.ts';
import { runFlowSet, timeline, type FlowSpec } from '../lib/probes/flows.ts';
import { readBfdSession, readTunnels, watchGatewayFailover, type GatewayFailoverWatch } from '../lib/probes/gateway.ts';
import { tunnelBfdProblem } from '../lib/expect/gateway-bfd.ts';
import { readGatewayBindings, readNbNorthSouth } from '../lib/probes/ovn-nats.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { timelineSvg } from '../lib/report/timeline-svg.ts';
import { routerPortName } from '../lib/render/ovn.ts';
import { waitFor } from '../lib/wait-for.ts';

const RATE_PPS = 1000;
const BUCKET_MS = 10;
/** Streams flow this long before the fault, and past the budget after it: enough to see recovery, or to see a stream that never recovers fail. */
const PRE_FAULT_PACKETS = 200;
const PRE_FAULT_MS = (PRE_FAULT_PACKETS / RATE_PPS) * 1000;
const OBSERVE_AFTER_BUDGET_MS = 1500;

type FailureClass = 'grey' | 'daemons';
const CLASSES: { name: FailureClass; what: string }[] = [
  { name: 'grey', what: 'grey failure (its GENEVE tunnels dropped on every uplink, carrier and BGP up)' },
  { name: 'daemons', what: 'its ovn-controller and ovs-vswitchd stopped' },
];

/** Plans, skipping as not declared when there is nothing to fail over. */
function plansOf(lab: StartedLab, skip: (note: string) => void): { overlay: Overlay; plans: GatewayFailoverPlan[] } {
  skipWithoutOverlay(lab, skip);
  const overlay = lab.topology.overlay!;
  if (!overlay.routers.some((r) => r.gateway)) skip(`not declared: no router in ${overlay.file} has a gateway`);
  const { plans, notDeclared } = planGatewayFailovers(overlay, routerPortName);
  if (!plans.length) skip(`not declared: ${notDeclared.join('; ')}`);
  return { overlay, plans };
}

/**
 * What is not as it must be before a fault: the port away from its preferred chassis, the
 * declared chassis, and the tunnel BFD of every chassis that must notice the active one fail
 * (and the active's towards the standby), configured and running at the declared timers.
 */
async function gatewayProblems(lab: StartedLab, overlay: Overlay, plans: readonly GatewayFailoverPlan[]): Promise<string[]> {
  const tepOf = new Map(planOverlayNodes(lab.topology).chassis.map((c) => [c.node, c.tep]));
  const bindings = await readGatewayBindings(lab);
  const lines = [...gatewayChassisDifferences(overlay, (await readNbNorthSouth(lab)).gatewayChassis), ...gatewayBindingDifferences(overlay, bindings)];
  lines.push(...plans.flatMap((p) => p.cannotFailOver ?? []));
  const declared = overlay.tunnelBfd!;
  for (const p of plans) {
    for (const [from, to] of [...p.watchers.map((w) => [w, p.active] as const), [p.active, p.standby] as const]) {
      const toTep = tepOf.get(to)!;
      const tunnel = (await readTunnels(lab, from)).find((t) => t.remoteIp === toTep);
      const check = { from, to, toTep, tunnel, declared };
      const problem = tunnelBfdProblem(check) ?? (tunnel && tunnelBfdProblem({ ...check, session: await readBfdSession(lab, from, tunnel.name) }));
      if (problem) lines.push(problem);
    }
  }
  return lines;
}

/**
 * gatewayProblems, polled to the deadline until there are none: right after bring-up, and after
 * another class's failover, BFD on the restored chassis' tunnels is still coming up (down → init → up).
 */
async function settledGatewayProblems(lab: StartedLab, overlay: Overlay, plans: readonly GatewayFailoverPlan[]): Promise<string[]> {
  let last: string[] = [];
  await waitFor(
    async () => {
      last = await gatewayProblems(lab, overlay, plans);
      return last.length ? { ok: false, reason: last.join('\n') } : { ok: true, value: true };
    },
    { timeoutMs: checkTimeoutMs(lab), intervalsMs: [200, 500, 1000], description: 'the gateway chassis to be as declared' },
  ).catch(() => undefined);
  return last;
}

/** The ends (chassis side) of a chassis' uplinks: where its tunnels leave it. */
function uplinkEnds(lab: StartedLab, chassis: string): string[] {
  return planOverlayNodes(lab.topology).chassis.find((c) => c.node === chassis)!.uplinks.map((u) => `${chassis}:${u.iface}`);
}

/** Fail the active chassis the given way; the fault's restore undoes it (daemons started again in bring-up order). */
async function failActive(lab: StartedLab, p: GatewayFailoverPlan, cls: FailureClass): Promise<{ fire: () => Promise<Fault>; disarm: () => Promise<void> }> {
  if (cls === 'grey') return armTunnelDrop(lab, p.active, uplinkEnds(lab, p.active));
  return {
    fire: async () => {
      const [vswitchd, controller] = await Promise.all([stopDaemon(lab, p.active, 'ovs-vswitchd'), stopDaemon(lab, p.active, 'ovn-controller')]);
      // ovs-vswitchd first: ovn-controller connects to it when it starts.
      return combineFaults(`${p.active}: ovs-vswitchd and ovn-controller stopped`, [vswitchd, controller]);
    },
    disarm: async () => {},
  };
}

interface Measured {
  watch: GatewayFailoverWatch;
  faultAtNs: bigint;
  faultUncertaintyMs: number;
  streams: { label: string; spec: FlowSpec; lossMs: number; buckets: number[]; startNs: bigint }[];
  failbackMs?: number;
  failbackProblem?: string;
}

async function measure(lab: StartedLab, p: GatewayFailoverPlan, cls: FailureClass, tepOfActive: string): Promise<Measured> {
  const durationS = Math.ceil(PRE_FAULT_MS + p.budgetMs + OBSERVE_AFTER_BUDGET_MS + 1000) / 1000;
  const specs: FlowSpec[] = [
    { src: p.outside.node, dst: p.vm, dstIp: p.vmIp, sendTo: p.floatingIp, port: p.udpPort, flows: 1, ratePps: RATE_PPS, durationS, tellAfter: PRE_FAULT_PACKETS },
    { src: p.vm, dst: p.outside.node, dstIp: p.outside.ip, port: p.udpPort, flows: 1, ratePps: RATE_PPS, durationS, tellAfter: PRE_FAULT_PACKETS },
  ];
  const labels = [`${p.outside.node} → ${p.floatingIp} (${p.vm}'s floating IP)`, `${p.vm} → ${p.outside.node} ${p.outside.ip}`];
  const armed = await failActive(lab, p, cls);
  let fault: Fault | undefined;
  let issuedNs = 0n;
  let returnedNs = 0n;
  let watch: GatewayFailoverWatch = {};
  try {
    const results = await runFlowSet(lab, specs, async (control) => {
      await Promise.all(control.flowing);
      issuedNs = process.hrtime.bigint();
      fault = await armed.fire();
      returnedNs = process.hrtime.bigint();
      watch = await watchGatewayFailover(lab, { standby: p.standby, failedTep: tepOfActive, redirectPort: p.redirectPort, untilMs: p.budgetMs * 3 });
    });
    const faultAtNs = issuedNs;
    const streams = results.map((r, i) => ({
      label: labels[i]!,
      spec: r.spec,
      lossMs: r.report.longestLossMs,
      buckets: timeline(r.packets, faultAtNs - BigInt(PRE_FAULT_MS * 1e6), BUCKET_MS),
      startNs: faultAtNs - BigInt(PRE_FAULT_MS * 1e6),
    }));
    const m: Measured = { watch, faultAtNs, faultUncertaintyMs: Number(returnedNs - issuedNs) / 1e6, streams };
    await fault?.restore();
    fault = undefined;
    // OVN preempts: once the preferred chassis is back (and, after a daemon stop, its underlay re-converged), it claims the port again.
    const restoredAt = Date.now();
    await waitFor(
      async () => {
        const bound = (await readGatewayBindings(lab)).get(p.redirectPort);
        return bound === p.active ? { ok: true, value: true } : { ok: false, reason: `${p.redirectPort} bound to ${bound ?? 'no chassis'}` };
      },
      { timeoutMs: checkTimeoutMs(lab), intervalsMs: [50, 100, 250], description: `gateway port ${p.port} to return to ${p.active}` },
    ).then(
      () => (m.failbackMs = Date.now() - restoredAt),
      (e: unknown) => (m.failbackProblem = (e as Error).message.replace(/\n/g, '; ')),
    );
    return m;
  } finally {
    await fault?.restore();
    await armed.disarm();
  }
}

describe('gateway failover', () => {
  test('before any fault: each gateway port is active on its highest-priority chassis, with BFD up as declared on the tunnels between its chassis', async ({ lab, readyOverlay, skip }) => {
    const { overlay, plans } = plansOf(lab, skip);
    await readyOverlay();
    expectNoCulprits(await settledGatewayProblems(lab, overlay, plans), 'gateway chassis are not ready to fail over as the intent declares');
  });

  for (const cls of CLASSES) {
    test(`the active gateway chassis fails (${cls.what}): the standby takes the port and both north–south streams lose no more than the budget; restored, the port returns`, async ({ lab, readyOverlay, task, skip }) => {
      const { overlay, plans } = plansOf(lab, skip);
      await readyOverlay();
      const before = await settledGatewayProblems(lab, overlay, plans);
      if (before.length) expect.fail(`precondition failed: the gateway chassis are not as declared before the fault (see the first test):\n${before.join('\n')}`);
      const tepOf = new Map(planOverlayNodes(lab.topology).chassis.map((c) => [c.node, c.tep]));
      const culprits: string[] = [];
      await parameter('failure class', cls.name);
      await parameter('gateway chassis', plans.map((p) => `${p.redirectPort}: ${p.active} → ${p.standby}`).join(', '));
      for (const p of plans) {
        const m = await measure(lab, p, cls.name, tepOf.get(p.active)!);
        const at = (ns: bigint | undefined) => (ns === undefined ? undefined : Number(ns - m.faultAtNs) / 1e6);
        const detectedMs = at(m.watch.detectedAtNs);
        const claimedMs = at(m.watch.claimedAtNs);
        const key = `${cls.name}.${p.router}`;
        if (detectedMs !== undefined) recordFigure({ task }, `gateway_bfd_detection_ms.${key}`, { value: detectedMs, unit: 'ms', budget: p.budgetMs, description: `${p.standby}'s tunnel BFD to ${p.active} left up, from the fault (±${m.faultUncertaintyMs.toFixed(0)} ms)` });
        if (claimedMs !== undefined) recordFigure({ task }, `gateway_claim_ms.${key}`, { value: claimedMs, unit: 'ms', budget: p.budgetMs, description: `the southbound DB binds ${p.redirectPort} to ${p.standby}, from the fault` });
        if (m.failbackMs !== undefined) recordFigure({ task }, `gateway_failback_ms.${key}`, { value: m.failbackMs, unit: 'ms', description: `${p.redirectPort} back on ${p.active}, from the restore` });
        const where = `${cls.name} failure of ${p.active} (gateway ${p.port})`;
        if (detectedMs === undefined) culprits.push(`${where}: ${p.standby}'s BFD on its tunnel to ${p.active} never left up within ${(p.budgetMs * 3) / 1000} s (last seen: ${m.watch.lastBfd})`);
        if (claimedMs === undefined) culprits.push(`${where}: ${p.standby} never claimed ${p.redirectPort} within ${(p.budgetMs * 3) / 1000} s (last bound to ${m.watch.lastBinding})`);
        else if (claimedMs > p.budgetMs) culprits.push(`${where}: ${p.standby} claimed ${p.redirectPort} after ${claimedMs.toFixed(0)} ms, over the budget of ${p.budgetMs} ms (${p.budgetText})`);
        for (const [i, s] of m.streams.entries()) {
          const dir = i === 0 ? 'inbound' : 'outbound';
          recordFigure({ task }, `gateway_failover_loss_ms.${key}.${dir}`, { value: s.lossMs, unit: 'ms', budget: p.budgetMs, description: `longest loss of ${s.label} at ${RATE_PPS} packets/s` });
          if (s.lossMs > p.budgetMs) culprits.push(`${where}: ${dir} stream ${s.label} lost ${s.lossMs.toFixed(0)} ms of traffic, over the budget of ${p.budgetMs} ms (${p.budgetText})`);
          const marks = [
            { atMs: PRE_FAULT_MS, label: 'fault', color: '#c00' },
            ...(detectedMs !== undefined ? [{ atMs: PRE_FAULT_MS + detectedMs, label: 'BFD down', color: '#a50' }] : []),
            ...(claimedMs !== undefined ? [{ atMs: PRE_FAULT_MS + claimedMs, label: `${p.standby} claimed`, color: '#05a' }] : []),
          ];
          await attachment(`gateway-failover-${cls.name}-${p.router}-${dir}.svg`, timelineSvg({ title: `${where}: ${s.label}, longest loss ${s.lossMs.toFixed(1)} ms`, bucketMs: BUCKET_MS, buckets: s.buckets, expectedPerBucket: (RATE_PPS * BUCKET_MS) / 1000, marks }), 'image/svg+xml');
        }
        if (m.failbackProblem) culprits.push(`${where}: restored, but the port did not return to ${p.active} (OVN preempts to the highest priority): ${m.failbackProblem}`);
        await attachment(`gateway-failover-${cls.name}-${p.router}.json`, JSON.stringify({ plan: p, detectedMs, claimedMs, faultUncertaintyMs: m.faultUncertaintyMs, failbackMs: m.failbackMs, streams: m.streams.map((s) => ({ label: s.label, lossMs: s.lossMs })) }, null, 2), 'application/json');
      }
      expectNoCulprits(culprits, 'gateway failover is not within the declared budget');
    });
  }
});
