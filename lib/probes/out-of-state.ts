// Out-of-state TCP packets between two lab nodes, counted where they land: does a filter between
// them track connections, or let "replies" through by port? The sender sends TCP ACKs that
// belong to no connection (crafted by tcp-segment.ts, sent through a raw socket with socat); the
// receiver counts them in an nftables table of its own, at prerouting before its kernel's own
// conntrack, created for the probe and removed after it. Tools: socat, nft (both in every node).
import { randomBytes, randomInt } from 'node:crypto';
import type { NodeHandle } from '../lab/started-lab.ts';
import { waitFor } from '../wait-for.ts';
import { tcpSegment } from './tcp-segment.ts';

export interface OutOfStateOptions {
  /** The sender's and the receiver's addresses (the packets go from the first to the second). */
  srcIp: string;
  dstIp: string;
  /** The source port of every packet: the port of the service whose replies a port filter would pass. */
  srcPort: number;
  /** Where the probe packets go: a port the filter must not open to the sender. */
  probePort: number;
  /** Packets to send (default 3). */
  count?: number;
  /** How long to watch for probe packets after sending (default 1000 ms). */
  watchMs?: number;
}

export interface Counted {
  sent: number;
  arrived: number;
}

export interface OutOfStateResult {
  probe: Counted;
  /** From the first packet sent until the counters were read. */
  watchedMs: number;
}

async function ok(node: NodeHandle, argv: string[], input?: string | Uint8Array): Promise<string> {
  const r = await node.exec(argv, { input, timeoutMs: 10_000 });
  if (r.exitCode !== 0) throw new Error(`${node.name}: ${argv.join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** The nftables table that counts, at `receiver`, the packets from srcIp:srcPort to the probe port. */
export function countingRuleset(table: string, o: Pick<OutOfStateOptions, 'srcIp' | 'dstIp' | 'srcPort' | 'probePort'>): string {
  const rule = (port: number, counter: string) => `    ip saddr ${o.srcIp} ip daddr ${o.dstIp} tcp sport ${o.srcPort} tcp dport ${port} counter name "${counter}"\n`;
  return (
    `table ip ${table} {\n` +
    '  counter probe { }\n' +
    // At -300 (raw), before the receiver's own conntrack could call the packet invalid.
    '  chain prerouting {\n    type filter hook prerouting priority -300; policy accept;\n' +
    rule(o.probePort, 'probe') +
    '  }\n}\n'
  );
}

interface NftCounter {
  counter?: { name: string; packets: number };
}

/** Packets per counter name, from `nft -j list counters table …`. */
export function parseCounters(json: string): Map<string, number> {
  const doc = JSON.parse(json) as { nftables?: NftCounter[] };
  return new Map((doc.nftables ?? []).flatMap((o) => (o.counter ? [[o.counter.name, o.counter.packets] as const] : [])));
}

/**
 * Send `count` TCP ACKs, part of no connection, from `sender` (srcIp:srcPort) to `receiver`'s
 * probePort, and count at `receiver` how many arrived: watchMs after sending, an unarrived
 * packet was dropped on the way. There is no control: conntrack drops every packet of no
 * connection, so one sent to a port the filter opens would not arrive either.
 */
export async function sendOutOfStateAcks(sender: NodeHandle, receiver: NodeHandle, o: OutOfStateOptions): Promise<OutOfStateResult> {
  const count = o.count ?? 3;
  const watchMs = o.watchMs ?? 1000;
  const table = `netproof_acl_${randomBytes(4).toString('hex')}`;
  await ok(receiver, ['nft', '-f', '-'], countingRuleset(table, o));
  try {
    const read = async () => parseCounters(await ok(receiver, ['nft', '-j', 'list', 'counters', 'table', 'ip', table]));
    const send = async (dstPort: number) => {
      for (let i = 0; i < count; i++) {
        const segment = tcpSegment({ srcIp: o.srcIp, dstIp: o.dstIp, srcPort: o.srcPort, dstPort, seq: randomInt(1, 2 ** 32 - 1), ack: randomInt(1, 2 ** 32 - 1), flags: ['ack'] });
        // A raw IPv4 socket of protocol 6: the kernel adds the IP header, the segment is sent as it is.
        await ok(sender, ['socat', '-u', '-t', '0.1', 'STDIN', `IP4-SENDTO:${o.dstIp}:6`], segment);
      }
    };
    const started = performance.now();
    await send(o.probePort);
    let last = new Map<string, number>();
    await waitFor(
      async () => {
        last = await read();
        const elapsed = performance.now() - started;
        return elapsed >= watchMs ? { ok: true, value: true } : { ok: false, reason: 'still watching' };
      },
      { timeoutMs: watchMs + 5_000, intervalsMs: [100, 200, 250], description: `out-of-state packets from ${sender.name} to ${receiver.name}` },
    );
    return {
      probe: { sent: count, arrived: last.get('probe') ?? 0 },
      watchedMs: Math.round(performance.now() - started),
    };
  } finally {
    await receiver.exec(['nft', 'delete', 'table', 'ip', table]).catch(() => undefined);
  }
}
