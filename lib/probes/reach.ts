// One attempt to reach an address from a lab node, as a user's check asks for it: ICMP echo,
// TCP connect or a UDP request that must come back. Traffic stays inside the lab: the target
// must be an address of one of the lab's nodes, found from the nodes' own interfaces, and for
// TCP/UDP that node gets a listener for the attempt (unless something already listens there).
import type { BackgroundProcess, NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { addresses } from './kernel.ts';
import { startListener } from './traffic.ts';

export type ReachProtocol = 'icmp' | 'tcp' | 'udp';

export interface ReachTarget {
  address: string;
  protocol: ReachProtocol;
  port?: number;
}

/** What one attempt did, for the message: `ok`, and how it ended in the tool's own words. */
export interface ReachAttempt {
  ok: boolean;
  detail: string;
}

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

const UDP_TOKEN = 'netproof-reach-probe';

/** One bounded attempt from `src`. */
export async function attemptReach(src: NodeHandle, t: ReachTarget, timeoutS = 1): Promise<ReachAttempt> {
  const bound = { timeoutMs: (timeoutS + 5) * 1000 };
  if (t.protocol === 'icmp') {
    const r = await src.exec(['ping', '-n', '-q', '-c', '1', '-W', String(timeoutS), t.address], bound);
    return { ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'echo reply' : `ping: no reply within ${timeoutS} s` };
  }
  if (t.protocol === 'tcp') {
    const r = await src.exec(['ncat', '-z', '-v', '-w', String(timeoutS), t.address, String(t.port)], bound);
    const said = (r.stderr || r.stdout).split('\n').map((l) => l.replace(/^Ncat: /, '').trim()).filter((l) => l && !/^Version|^Connected to|bytes sent/.test(l));
    return { ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'connected' : `ncat: ${said.at(-1) ?? `exit ${r.exitCode}`}` };
  }
  const r = await src.exec(['socat', '-T', String(timeoutS), '-', `UDP:${t.address}:${t.port}`], { ...bound, input: `${UDP_TOKEN}\n` });
  const ok = r.stdout.includes(UDP_TOKEN);
  return { ok, detail: ok ? 'reply received' : `no UDP reply within ${timeoutS} s${r.stderr.trim() ? ` (${r.stderr.trim().split('\n').at(-1)})` : ''}` };
}
