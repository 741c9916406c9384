// One attempt to reach an address from a lab node, as a user's check asks for it: ICMP echo,
// TCP connect or a UDP request that must come back. Traffic stays inside the lab: the target
// must be an address of one of the lab's nodes, found from the nodes' own interfaces, and for
// TCP/UDP that node gets a listener for the attempt (unless something already listens there).
import type { BackgroundProcess, NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { addresses } from './kernel.ts';
import { pingAttempt, startListener, tcpConnectAttempt, udpEchoAttempt, type Attempt } from './traffic.ts';

export type ReachProtocol = 'icmp' | 'tcp' | 'udp';

export interface ReachTarget {
  address: string;
  protocol: ReachProtocol;
  port?: number;
}

/** What one attempt did, for the message: `ok`, and how it ended in the tool's own words. */
export type ReachAttempt = Attempt;

export const describeTarget = (t: ReachTarget) => `${t.address} ${t.protocol === 'icmp' ? 'icmp' : `${t.protocol}/${t.port}`}`;

/** The lab node that holds `address` on one of its interfaces, or undefined. */
export async function addressOwner(lab: StartedLab, address: string): Promise<NodeHandle | undefined> {
  for (const node of lab.nodes()) {
    const addrs = await addresses(node).catch(() => []);
    if (addrs.some((a) => a.local === address)) return node;
  }
  return undefined;
}

/** Listen on the target's port at `owner` for as long as the caller needs; a no-op for ICMP or a port already served. */
export async function ensureListener(owner: NodeHandle, t: ReachTarget): Promise<BackgroundProcess | undefined> {
  if (t.protocol === 'icmp') return undefined;
  const proto = t.protocol === 'tcp' ? '-t' : '-u';
  const busy = await owner.exec(['ss', '-H', '-l', '-n', proto, 'sport', '=', `:${t.port}`]);
  if (busy.exitCode === 0 && busy.stdout.trim()) return undefined;
  return startListener(owner, t.protocol, t.port!);
}

/** One bounded attempt from `src`, through the same probes the suites use (lib/probes/traffic.ts). */
export function attemptReach(src: NodeHandle, t: ReachTarget, timeoutS = 1): Promise<ReachAttempt> {
  if (t.protocol === 'icmp') return pingAttempt(src, t.address, { timeoutS });
  if (t.protocol === 'tcp') return tcpConnectAttempt(src, t.address, t.port!, timeoutS);
  return udpEchoAttempt(src, t.address, t.port!, timeoutS);
}
