// Measure link failures the way traffic sees them: probe streams at 1000 packets/s cross each
// link both ways (and from a router that learns of the failure late) while the links of one
// wave fail at one instant; we time BFD's detection at both ends (`show bfd peers json`), each
// sender's FIB withdrawal (its kernel route stops using the failed next hop) and each stream's
// loss window (from the receiver's view of the sender's timestamps); then the faults are undone
// and re-convergence is timed. All streams start at one instant. Each fault's moment is the
// window its command ran in, narrowed by the streams that cross its link (faultEffectWindow):
// the window's length is the stated uncertainty.
import { randomBytes } from 'node:crypto';
import type { NodeHandle, NodeReader, StartedLab } from '../lab/started-lab.ts';
import type { StreamRole } from '../plan/failover-plan.ts';
import { waitFor } from '../wait-for.ts';
import type { ArmedFault, Fault } from '../faults/faults.ts';
import { fibNexthops, ribRoute } from './frr.ts';
import { hopName } from './kernel.ts';
import { egressOf } from './steer.ts';
import { runFlowSet, timeline, type FlowResult, type FlowSetControl, type FlowSpec } from './flows.ts';
import { faultEffectWindow, lossSince } from '../traffic/analysis.ts';
import { familyOf, hostPrefix } from '../plan/expected-routing.ts';

export interface BfdPeer {
  peer: string;
  interface?: string;
  status: string;
  'detect-multiplier': number;
  'receive-interval': number;
  'remote-transmit-interval': number;
  'remote-detect-multiplier': number;
}

/**
 * What the measurement polls, read over the connections each node keeps open (NodeReader): a
 * poll every few ms of vtysh or ip started anew would take the CPU from the daemons being timed.
 */
class Readers {
  private readonly lab: StartedLab;
  constructor(lab: StartedLab) {
    this.lab = lab;
  }
  private of(node: string): NodeReader {
    return this.lab.node(node).openReader();
  }
  /** `node`'s BFD session with the neighbor at `peerAddress`, if there is one. */
  async bfdPeer(node: string, peerAddress: string): Promise<BfdPeer | undefined> {
    const peers = JSON.parse(await this.of(node).show('bfdd', 'show bfd peers json')) as BfdPeer[];
    // An unnumbered session's "address" is its interface: its BFD peer is a link-local address on it.
    return peers.find((p) => p.peer === peerAddress || p.interface === peerAddress);
  }
  async bgpState(node: string, peerAddress: string): Promise<string | undefined> {
    const text = await this.of(node).show('bgpd', `show bgp neighbors ${peerAddress} json`).catch(() => '{}');
    return (JSON.parse(text) as Record<string, { bgpState?: string }>)[peerAddress]?.bgpState;
  }
  /** The next hops of `node`'s kernel route to dstIp's host route. */
  async hopsTo(node: string, dstIp: string): Promise<{ gateway?: string; dev?: string }[]> {
    const family = familyOf(dstIp);
    const route = (JSON.parse((await this.of(node).ipJson(['route', 'show', 'exact', hostPrefix(dstIp)], { family })) || '[]') as { gateway?: string; dev?: string; nexthops?: { gateway?: string; dev?: string }[] }[])[0];
    return route ? (route.nexthops ?? [route]) : [];
  }
  /** Their names as sessions know them (hopName: "(connected)" for a next hop without gateway or device). */
  async gatewaysTo(node: string, dstIp: string): Promise<string[]> {
    return (await this.hopsTo(node, dstIp)).map(hopName);
  }
}

/** A probe stream of one flow, and the route of its sender that must stop using the failed path. */
export interface FailoverStream {
  role: StreamRole;
  /** For messages: "spine1 → host1 (10.255.2.1) leaving by spine1:eth1" (an IPv6 twin: the IPv6 loopback). */
  label: string;
  flow: Omit<FlowSpec, 'flows' | 'ratePps' | 'durationS'>;
  /** The sender's next hop towards dstIp whose path crosses the failed link. */
  gateway: string;
  /** The first source port tried when steering the stream onto `gateway` (flow.srcPortBase is the one that took it). */
  steerFrom: number;
  /** Where the stream arrives over the failed link: its packets are counted there, to prove they crossed it. */
  arrives: { node: string; iface: string };
  /** Re-converged, for the sender's route: this many next hops, `gateway` among them if `usesGatewayAgain` (not so where BGP picks one of several paths and may keep the other). */
  restored: { width: number; usesGatewayAgain: boolean };
}

/** What figures and attachments call a stream: its role, with "-ipv6" for an IPv6 one ("forward-ipv6": a dual-stack lab's twin, or any stream of an IPv6-only lab). */
export const streamName = (s: Pick<FailoverStream, 'role' | 'flow'>): string => (familyOf(s.flow.dstIp) === 6 ? `${s.role}-ipv6` : s.role);

/** A BFD session at one end of the failed link. */
export interface WatchedSession {
  node: string;
  peerAddress: string;
}

export interface StreamMeasurement {
  stream: FailoverStream;
  flow: FlowResult;
  /** The stream's longest loss window from the moment the fault can first have cost it a packet. */
  lossWindowMs: number;
  /** Its longest loss before that moment (not the fault's: a sender or router starved on a busy machine); 0 if none. */
  preFaultLossMs: number;
  /** From the fault to the sender's kernel route no longer using `gateway`; undefined if it never stopped. */
  withdrawalMs?: number;
  /**
   * From the fault to the sender's kernel route having another next hop (none of them `gateway`);
   * undefined if it never had. Later than the withdrawal where the sender first loses the route
   * outright and learns the other path afterwards (a dual-homed host's leaf, whose spines must
   * first move their own best path off it).
   */
  reroutedMs?: number;
  /** The next hop the sender's kernel chose for the stream's flow when it was rerouted, with the neighbor behind it ("eth2 → spine2"): where its traffic went instead. */
  viaNow?: string;
  /** Packets of the stream counted arriving over the failed link: 0 means it never crossed it. */
  crossed: number;
  /** False when traffic had not come back when the stream ended (RECOVERY_MARGIN_MS after the last sender was rerouted, or the observation's end): the loss window is a lower bound. */
  recovered: boolean;
  /** Packets per timeline bucket, from the common start. */
  buckets: number[];
}

export interface FailoverMeasurement {
  streams: StreamMeasurement[];
  /** Per watched session: whether it runs BFD, and from the fault to BFD reporting it down (undefined if it never did). */
  detection: (WatchedSession & { bfd: boolean; ms?: number })[];
  /** Relative to the streams' common start: when the fault command was issued. */
  faultAtMs: number;
  /**
   * How long the window is in which the fault took effect (faultAtMs is its end): the streams'
   * last packet before their gap and the first lost one when they show it, else the fault
   * command's length. Times below are overstated by at most this much.
   */
  faultUncertaintyMs: number;
  /** Whether that window came from the data plane (the streams' gaps) rather than the command's length. */
  faultSeenInDataPlane: boolean;
  restoreAtMs: number;
  /** Whether the streams ended RECOVERY_MARGIN_MS after the last sender was rerouted (netns), or ran their whole duration (Docker). */
  endedEarly: boolean;
  /** From restoring the link to every sender having its route back and the link's BGP and BFD sessions up. */
  reconvergenceMs?: number;
  /** When it did not re-converge: what was still wrong. */
  reconvergenceFailure?: string;
}

export const TIMELINE_BUCKET_MS = 10;
/** How long a probe may take from its sender to the failed link, queues included: it widens the fault's moment as the data plane shows it. */
const LINK_TRANSIT_NS = 5_000_000n;
/** Traffic every stream's receiver must have before the faults go in: a baseline (that it crossed the link is counted there, afterwards). */
const MIN_BASELINE_MS = 100;
/** How long the streams keep running after the last sender has its route via another next hop: the proof traffic came back. */
export const RECOVERY_MARGIN_MS = 300;
/**
 * How much later than planned the streams may start flowing before the faults go in. On Docker
 * every sender start is a `docker exec`, which a loaded machine delays by a second or more.
 */
const startAllowanceMs = (lab: StartedLab) => (lab.runtime === 'docker' ? 4000 : 1500);
/**
 * Whether the streams end RECOVERY_MARGIN_MS after the last withdrawal, or run their whole
 * duration. On Docker, withdrawal is seen coarsely and late (a poll is a `docker exec`), and a
 * starved sender catches up in bursts the receiver may not keep: an early end would turn such a
 * burst into "never came back". There the streams run on, and a loss only fails over budget.
 */
const endsEarly = (lab: StartedLab) => lab.runtime !== 'docker';
/**
 * How often detection and withdrawal are polled: their resolution. Loss windows come from the
 * data plane (1 ms). A poll is a read over a connection kept open (a daemon's vty socket, one
 * `ip -batch` per node): well under a millisecond of CPU on namespaces. On Docker each `ip`
 * read still passes through dockerd, and the streams' own start and end are `docker exec`s.
 */
const pollMs = (lab: StartedLab) => (lab.runtime === 'docker' ? 100 : 20);

/** One link's failure within a measurement: its streams, the BFD sessions at its ends, and the fault. */
export interface LinkFailure {
  streams: FailoverStream[];
  sessions: WatchedSession[];
  /** Sets the fault up before the streams start (faults.ts ArmedFault); firing it is what is timed. */
  arm: () => Promise<ArmedFault>;
}

export interface FailoverOptions {
  /**
   * Links failed at one instant, under one set of streams. They must not share a router, and no
   * stream of one may cross the other's link or a route the other's failure changes (the plan's
   * waves, lib/plan/failover-plan.ts): each stream then shows its own link's failure only.
   */
  failures: LinkFailure[];
  ratePps: number;
  preFaultMs: number;
  /** How long the streams keep running after the fault. */
  observeMs: number;
  reconvergenceTimeoutMs: number;
}

/** nftables counters, one per stream, at the ingress of the link end each stream arrives on (before any fault's drop). */
async function countArrivals(lab: StartedLab, streams: readonly FailoverStream[]): Promise<{ read(): Promise<number[]>; remove(): Promise<void> }> {
  const table = `netproof_cross_${randomBytes(4).toString('hex')}`;
  const nft = async (node: NodeHandle, argv: string[], input?: string) => {
    const r = await node.exec(['nft', ...argv], { input });
    if (r.exitCode !== 0) throw new Error(`${node.name}: nft ${argv.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const match = (s: FailoverStream) => `${familyOf(s.flow.dstIp) === 6 ? 'ip6' : 'ip'} daddr ${s.flow.dstIp} udp sport ${s.flow.srcPortBase} udp dport ${s.flow.port}`;
  const ends = [...new Map(streams.map((s) => [`${s.arrives.node}:${s.arrives.iface}`, s.arrives])).values()];
  const installed: NodeHandle[] = [];
  const remove = async () => {
    for (const node of installed) await nft(node, ['delete', 'table', 'netdev', table]).catch(() => undefined);
  };
  try {
    for (const node of [...new Set(ends.map((e) => e.node))]) {
      const chains = ends
        .filter((e) => e.node === node)
        .map((e, i) => {
          const rules = streams.flatMap((s, j) => (s.arrives === e || (s.arrives.node === e.node && s.arrives.iface === e.iface) ? [`    ${match(s)} counter comment "s${j}"`] : []));
          return `  chain in${i} {\n    type filter hook ingress device "${e.iface}" priority -1000; policy accept;\n${rules.join('\n')}\n  }`;
        });
      await nft(lab.node(node), ['-f', '-'], `table netdev ${table} {\n${chains.join('\n')}\n}\n`);
      installed.push(lab.node(node));
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    read: async () => {
      const counts = new Array<number>(streams.length).fill(0);
      for (const node of installed) {
        const json = JSON.parse(await nft(node, ['-j', 'list', 'table', 'netdev', table])) as { nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[] };
        for (const x of json.nftables) {
          const j = /^s(\d+)$/.exec(x.rule?.comment ?? '')?.[1];
          if (j !== undefined) counts[Number(j)] = x.rule!.expr.find((e) => e.counter)?.counter?.packets ?? 0;
        }
      }
      return counts;
    },
    remove,
  };
}

/**
 * A next hop of `node` named with the neighbor behind it, from the lab's links: "eth2 → spine2"
 * (the device is a link of the node's), else its gateway or device (a chassis sends over a bridge).
 */
function neighbourHop(lab: StartedLab, node: string, hop: { gateway?: string; dev?: string }): string {
  const link = lab.topology.links.find((l) => l.endpoints.some((e) => e.node === node && e.iface === hop.dev));
  const far = link?.endpoints.find((e) => !(e.node === node && e.iface === hop.dev));
  return far ? `${hop.dev} → ${far.node}` : hopName(hop);
}

/** What still differs from the stream's sender having its route back (empty when it has). */
async function notRestored(lab: StartedLab, readers: Readers, s: FailoverStream): Promise<string[]> {
  const gateways = await readers.gatewaysTo(s.flow.src, s.flow.dstIp);
  const ok = gateways.length === s.restored.width && (!s.restored.usesGatewayAgain || gateways.includes(s.gateway));
  if (ok) return [];
  // Say where the state disagrees: zebra may believe a next hop is installed that the kernel lost.
  const zebra = fibNexthops(await ribRoute(lab.node(s.flow.src), hostPrefix(s.flow.dstIp)).catch(() => undefined)).map((n) => n.ip ?? n.interfaceName ?? '?');
  return [`${s.flow.src}'s kernel route to ${s.flow.dstIp} has next hops ${gateways.join(', ') || 'none'}; expected ${s.restored.width}${s.restored.usesGatewayAgain ? `, ${s.gateway} among them` : ''}; zebra shows ${zebra.length} installed (${zebra.join(', ') || 'none'})`];
}

/** Fail every link of `o.failures` at once under their probe streams; one measurement per failure, in order. */
export async function measureFailovers(lab: StartedLab, o: FailoverOptions): Promise<FailoverMeasurement[]> {
  return measure(lab, new Readers(lab), o);
}

/** The state of one failure while it is measured. */
interface Watch {
  failure: LinkFailure;
  armed?: ArmedFault;
  /** Sessions that run BFD: only they can be timed (and must come back up). */
  bfdSessions: WatchedSession[];
  hasBfd: Map<WatchedSession, boolean>;
  fault?: Fault;
  startNs?: bigint;
  /** When each watched thing was seen (process.hrtime.bigint()): made relative to the fault's effect at the end. */
  detectedNs: Map<WatchedSession, bigint>;
  withdrawnNs: Map<FailoverStream, bigint>;
  reroutedNs: Map<FailoverStream, bigint>;
  viaNow: Map<FailoverStream, string>;
  restoreNs?: bigint;
  reconvergenceMs?: number;
  reconvergenceFailure?: string;
}

async function measure(lab: StartedLab, readers: Readers, o: FailoverOptions): Promise<FailoverMeasurement[]> {
  // The streams run long enough for the faults to wait for every one of them to be seen crossing.
  const durationS = (o.preFaultMs + startAllowanceMs(lab) + o.observeMs) / 1000;
  const ms = (ns: bigint) => Number(ns) / 1e6;
  const streams = o.failures.flatMap((f) => f.streams);
  const specs: FlowSpec[] = streams.map((s) => ({ ...s.flow, flows: 1, ratePps: o.ratePps, durationS, tellAfter: Math.ceil((MIN_BASELINE_MS * o.ratePps) / 1000) }));
  const watches: Watch[] = await Promise.all(
    o.failures.map(async (failure) => {
      const hasBfd = new Map(await Promise.all(failure.sessions.map(async (s) => [s, (await readers.bfdPeer(s.node, s.peerAddress)) !== undefined] as const)));
      return { failure, hasBfd, bfdSessions: failure.sessions.filter((s) => hasBfd.get(s)), detectedNs: new Map(), withdrawnNs: new Map(), reroutedNs: new Map(), viaNow: new Map() };
    }),
  );
  let originNs = 0n;
  // The faults go in when the streams have run preFaultMs; then detection and withdrawal are polled.
  const injectAndWatch = async ({ startNs, stopStreams, flowing }: FlowSetControl) => {
    originNs = startNs;
    // Senders and this process share CLOCK_MONOTONIC: the faults are placed on the streams' clock.
    const faultDueNs = startNs + BigInt(o.preFaultMs * 1e6);
    // No fault before every stream flows (its receiver has MIN_BASELINE_MS of probes): a sender
    // slow to start (a loaded machine) would otherwise begin after the repair and show nothing.
    // That its packets crossed the failed link is checked on the link's counters afterwards.
    const flows = flowing.map(() => false);
    flowing.forEach((f, i) => void f.then(() => (flows[i] = true)));
    let timer: NodeJS.Timeout | undefined;
    const allowance = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), o.preFaultMs + startAllowanceMs(lab))));
    const started = await Promise.race([Promise.all(flowing).then(() => 'flowing' as const), allowance]);
    clearTimeout(timer);
    if (started === 'late') {
      const counts = await arrivals.read();
      const slow = streams.filter((_, i) => !flows[i]);
      throw new Error(`every probe stream to deliver ${MIN_BASELINE_MS} ms of probes before the fault: not within ${(o.preFaultMs + startAllowanceMs(lab)) / 1000} s of their start; ${slow.map((s) => `${s.label}: ${counts[streams.indexOf(s)]} packets counted at ${s.arrives.node}:${s.arrives.iface}`).join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, ms(faultDueNs - process.hrtime.bigint()))));
    const poll = { timeoutMs: o.observeMs - 200, intervalsMs: [pollMs(lab)] };
    // Every fault goes in before any watch starts: polls would take CPU from the fault commands
    // still running and stretch their brackets.
    await Promise.all(
      watches.map(async (w) => {
        w.startNs = process.hrtime.bigint();
        w.fault = await w.armed!.fire();
      }),
    );
    await Promise.all(
      watches.map(async (w) => {
        const now = () => process.hrtime.bigint();
        const bfdDown = (s: WatchedSession) =>
          waitFor(async () => ((await readers.bfdPeer(s.node, s.peerAddress))?.status === 'up' ? { ok: false, reason: 'BFD still up' } : { ok: true, value: now() }), { ...poll, description: `${s.node}'s BFD session with ${s.peerAddress} to go down` });
        // The sender first stops using the failed next hop (withdrawal), then has another one
        // (reroute): the same poll, or later, when it lost the route outright for a while.
        const rerouted = (s: FailoverStream) =>
          waitFor(
            async () => {
              const hops = await readers.hopsTo(s.flow.src, s.flow.dstIp);
              if (hops.map(hopName).includes(s.gateway)) return { ok: false, reason: 'still uses the failed path' };
              if (!w.withdrawnNs.has(s)) w.withdrawnNs.set(s, now());
              if (!hops.length) return { ok: false, reason: 'has no route yet' };
              const at = now();
              // Which of them this stream's flow hashes onto: where its traffic goes from now on.
              const { srcIp, dstIp, srcPortBase, port } = s.flow;
              const egress = await egressOf(lab.node(s.flow.src), { srcIp: srcIp!, dstIp, srcPort: srcPortBase!, dstPort: port }).catch(() => undefined);
              if (egress?.dev) w.viaNow.set(s, neighbourHop(lab, s.flow.src, egress));
              return { ok: true, value: at };
            },
            { ...poll, description: `${s.flow.src} to send to ${s.flow.dstIp} via another next hop than ${s.gateway}` },
          );
        // A time never reached stays undefined: the caller reports "never".
        await Promise.all([
          ...w.bfdSessions.map((s) => bfdDown(s).then((r) => w.detectedNs.set(s, r.value), () => undefined)),
          ...w.failure.streams.map((s) => rerouted(s).then((r) => w.reroutedNs.set(s, r.value), () => undefined)),
        ]);
      }),
    );
    // Every sender sends by another path (or the watch gave up): traffic that has not come back
    // RECOVERY_MARGIN_MS later is reported as never recovered, so the streams can end.
    if (!endsEarly(lab)) return;
    await new Promise((r) => setTimeout(r, RECOVERY_MARGIN_MS));
    stopStreams();
  };
  const restoreAll = () =>
    Promise.all(
      watches.map(async (w) => {
        if (!w.fault || w.restoreNs !== undefined) return;
        w.restoreNs = process.hrtime.bigint();
        await w.fault.restore();
      }),
    );
  const arrivals = await countArrivals(lab, streams);
  let crossed: number[];
  let results: FlowResult[];
  try {
    for (const w of watches) w.armed = await w.failure.arm();
    results = await runFlowSet(lab, specs, injectAndWatch);
    crossed = await arrivals.read();
  } catch (err) {
    await restoreAll();
    throw err;
  } finally {
    await arrivals.remove();
    await Promise.all(watches.map((w) => (w.fault ? undefined : w.armed?.disarm())));
  }
  await restoreAll();
  await Promise.all(watches.map((w) => reconverge(lab, readers, w, o.reconvergenceTimeoutMs)));
  let next = 0;
  const intervalNs = BigInt(Math.round(1e9 / o.ratePps));
  return watches.map((w) => {
    const first = next;
    next += w.failure.streams.length;
    const mine = results.slice(first, next);
    // The fault can cost a stream only packets sent from one transit time before its command
    // was issued (less one interval: a gap starts at the last packet that arrived). Each stream's
    // longest gap from then on is the fault's, if the fault cost it anything; what it lost before
    // is reported apart (a sender starved by a busy machine), not charged to the fault.
    const losses = mine.map((r) => lossSince(r.report, w.startNs! - LINK_TRANSIT_NS - intervalNs));
    const effect = faultEffectWindow({ issuedNs: w.startNs!, returnedNs: w.fault!.appliedAtNs }, losses.flatMap((l) => (l.gap ? [l.gap] : [])), intervalNs, LINK_TRANSIT_NS);
    const after = (ns: bigint | undefined) => (ns === undefined ? undefined : Math.max(0, ms(ns - effect.toNs)));
    return {
      streams: w.failure.streams.map((stream, j) => {
        const i = first + j;
        const withdrawalMs = after(w.withdrawnNs.get(stream));
        const reroutedMs = after(w.reroutedNs.get(stream));
        return {
          stream,
          flow: results[i]!,
          lossWindowMs: losses[j]!.windowMs,
          preFaultLossMs: losses[j]!.beforeMs,
          ...(withdrawalMs !== undefined ? { withdrawalMs } : {}),
          ...(reroutedMs !== undefined ? { reroutedMs, viaNow: w.viaNow.get(stream) } : {}),
          crossed: crossed[i]!,
          recovered: !results[i]!.report.flows.some((f) => f.gaps.at(-1)?.beforeSeq === f.expected),
          buckets: timeline(results[i]!.packets, originNs, TIMELINE_BUCKET_MS),
        };
      }),
      detection: w.failure.sessions.map((s) => {
        const detected = after(w.detectedNs.get(s));
        return { ...s, bfd: w.hasBfd.get(s)!, ...(detected !== undefined ? { ms: detected } : {}) };
      }),
      faultAtMs: ms(effect.toNs - originNs),
      faultUncertaintyMs: ms(effect.toNs - effect.fromNs),
      faultSeenInDataPlane: effect.fromDataPlane,
      restoreAtMs: ms(w.restoreNs! - originNs),
      endedEarly: endsEarly(lab),
      ...(w.reconvergenceMs !== undefined ? { reconvergenceMs: w.reconvergenceMs } : {}),
      ...(w.reconvergenceFailure ? { reconvergenceFailure: w.reconvergenceFailure } : {}),
    };
  });
}

/** From the restore to every sender having its route back and the link's BGP and BFD sessions up. */
async function reconverge(lab: StartedLab, readers: Readers, w: Watch, timeoutMs: number): Promise<void> {
  const stillWrong = async () => {
    const wrong = await Promise.all([
      ...w.failure.streams.map((s) => notRestored(lab, readers, s)),
      ...w.bfdSessions.map(async (s) => {
        const status = (await readers.bfdPeer(s.node, s.peerAddress))?.status;
        return status === 'up' ? [] : [`${s.node}'s BFD session with ${s.peerAddress} is ${status ?? 'gone'}`];
      }),
      // Routes can look right while a session is still down at one end (no BFD: the other end
      // has not noticed yet); it resets when that end comes back, and moves routes again.
      ...w.failure.sessions.map(async (s) => {
        const state = await readers.bgpState(s.node, s.peerAddress);
        return state === 'Established' ? [] : [`${s.node}'s BGP session with ${s.peerAddress} is ${state ?? 'gone'}`];
      }),
    ]);
    return wrong.flat();
  };
  try {
    await waitFor(async () => {
      const wrong = await stillWrong();
      return wrong.length ? { ok: false, reason: wrong.join('; ') } : { ok: true, value: true };
    }, { timeoutMs, intervalsMs: [pollMs(lab), 2 * pollMs(lab)], description: 'every sender to have its route back, with BGP and BFD up on the link' });
    w.reconvergenceMs = Number(process.hrtime.bigint() - w.restoreNs!) / 1e6;
  } catch {
    w.reconvergenceFailure = (await stillWrong()).join('; ') || 'converged only after the deadline';
  }
}
