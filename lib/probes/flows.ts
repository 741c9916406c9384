// Probe flows between lab nodes: start netproof's traffic generator as a receiver in one node
// and a sender in another, through the runtime, and analyze what arrived. Destinations must be
// addresses of the lab's own nodes: nothing is ever sent anywhere else.
import type { StartedLab, NodeHandle } from '../lab/started-lab.ts';
import { parseJson } from '../exec.ts';
import { ownFile } from '../paths.ts';
import { analyze, timeline, type Received, type StreamReport } from '../traffic/analysis.ts';
import { addresses } from './kernel.ts';
import { waitListening } from './traffic.ts';

/** Run inside nodes by the Node running netproof, which every runtime makes visible there (toolArgv). */
export const TRAFGEN = ownFile('lib/traffic/trafgen.ts');

export interface FlowSpec {
  src: string;
  dst: string;
  /** Destination address: must belong to `dst`. */
  dstIp: string;
  port: number;
  flows: number;
  ratePps: number;
  durationS: number;
  sizeBytes?: number;
  /** Flow i's source port is base+i; ephemeral ports if unset. */
  srcPortBase?: number;
}

export interface FlowResult {
  spec: FlowSpec;
  sent: number[];
  sourcePorts: number[];
  startNs: bigint;
  packets: Received[];
  report: StreamReport;
}

/** Refuse any destination that is not an address of the destination node. */
async function assertLabAddress(node: NodeHandle, ip: string): Promise<void> {
  const own = (await addresses(node)).some((a) => a.local === ip);
  if (!own) throw new Error(`refusing to send to ${ip}: it is not an address of lab node ${node.name}`);
}

/** Runs `during` while the flow is on (e.g. a fault); resolves when both ends have finished. */
export async function runFlows(lab: StartedLab, spec: FlowSpec, during?: (started: { startNs: bigint }) => Promise<void>): Promise<FlowResult> {
  const src = lab.node(spec.src);
  const dst = lab.node(spec.dst);
  await assertLabAddress(dst, spec.dstIp);
  const slackS = 2;
  const receiving = dst.exec(dst.toolArgv(TRAFGEN, ['recv', '--port', String(spec.port), '--duration', String(spec.durationS + slackS)]), { timeoutMs: (spec.durationS + slackS + 30) * 1000 });
  // If the receiver dies before it listens, say why instead of waiting for the socket.
  const died = receiving.then((r) => {
    throw new Error(`${spec.dst}: trafgen recv exited (${r.exitCode}) before listening on udp/${spec.port}: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  });
  await Promise.race([waitListening(dst, 'udp', spec.port), died]);
  died.catch(() => undefined);
  const sendArgs = ['send', '--dst', spec.dstIp, '--port', String(spec.port), '--flows', String(spec.flows), '--rate', String(spec.ratePps), '--duration', String(spec.durationS)];
  if (spec.sizeBytes) sendArgs.push('--size', String(spec.sizeBytes));
  if (spec.srcPortBase) sendArgs.push('--src-port-base', String(spec.srcPortBase));
  const sending = src.exec(src.toolArgv(TRAFGEN, sendArgs), { timeoutMs: (spec.durationS + 30) * 1000 });
  const startNs = process.hrtime.bigint();
  const side = during?.({ startNs });
  // Both ends always run to their (bounded) end, even if `during` fails: no stray flow outlives the call.
  const [sent, received, sideResult] = await Promise.allSettled([sending, receiving, side]);
  if (sideResult.status === 'rejected') throw sideResult.reason;
  if (sent.status === 'rejected') throw sent.reason;
  if (received.status === 'rejected') throw received.reason;
  const [sendOut, recvOut] = [sent.value, received.value];
  if (sendOut.exitCode !== 0) throw new Error(`${spec.src}: trafgen send failed (exit ${sendOut.exitCode}): ${sendOut.stderr.trim()}`);
  if (recvOut.exitCode !== 0) throw new Error(`${spec.dst}: trafgen recv failed (exit ${recvOut.exitCode}): ${recvOut.stderr.trim()}`);
  const s = parseJson<{ sent: number[]; startNs: string; sourcePorts: number[] }>(sendOut);
  const r = parseJson<{ flows: number[]; seqs: number[]; sentNs: string[] }>(recvOut);
  const packets: Received[] = r.flows.map((flow, i) => ({ flow, seq: r.seqs[i]!, sentNs: BigInt(r.sentNs[i]!) }));
  // Flows are sent round-robin at the total rate: each flow's packets are flows/rate apart.
  const intervalNs = BigInt(Math.round((1e9 * spec.flows) / spec.ratePps));
  const report = analyze(packets, new Map(s.sent.map((n, flow) => [flow, n])), intervalNs);
  return { spec, sent: s.sent, sourcePorts: s.sourcePorts, startNs: BigInt(s.startNs), packets, report };
}

export { timeline };
