// One don't-fragment ICMP echo of a given size from a lab node, and what came of it: a reply,
// ICMP "fragmentation needed" with the MTU a router on the way announced, or nothing at all
// (a path MTU black hole). The node's path MTU cache is flushed first, so a router's ICMP from
// an earlier probe cannot answer for this one. Parsing is pure; probing goes through node.exec.
import type { NodeHandle } from '../lab/started-lab.ts';

export type MtuOutcome = { kind: 'reply' } | { kind: 'frag-needed'; mtu: number; from: string } | { kind: 'silence'; detail: string };

/** ping's own words for one don't-fragment echo: a reply, ICMP "fragmentation needed" (`From X … Frag needed and DF set (mtu = N)`), or nothing. */
export function parsePingMtu(exitCode: number, output: string): MtuOutcome {
  if (exitCode === 0) return { kind: 'reply' };
  const m = /From (\S+) icmp_seq=\d+ Frag needed and DF set \(mtu = (\d+)\)/.exec(output);
  if (m) return { kind: 'frag-needed', mtu: Number(m[2]), from: m[1]! };
  const local = /local error: message too long, mtu=(\d+)/.exec(output);
  if (local) return { kind: 'frag-needed', mtu: Number(local[1]), from: 'its own path MTU cache' };
  return { kind: 'silence', detail: output.split('\n').find((l) => /^From |error/i.test(l))?.trim() ?? 'no reply and no ICMP error within the timeout' };
}


/** A `packetBytes`-byte (IP length) don't-fragment echo from `node` to `dst`, after flushing its path MTU cache. */
export async function dfPing(node: NodeHandle, dst: string, packetBytes: number, timeoutS = 1): Promise<MtuOutcome> {
  await node.exec(['ip', 'route', 'flush', 'cache']);
  const r = await node.exec(['ping', '-n', '-c', '1', '-W', String(timeoutS), '-M', 'do', '-s', String(packetBytes - 28), dst], { timeoutMs: (timeoutS + 5) * 1000 });
  return parsePingMtu(r.exitCode, `${r.stdout}\n${r.stderr}`);
}
