// The flows that show whether the security groups filter by connection state, derived from the
// intent alone. Pure. For every TCP flow the intent allows one way and denies the other (A → B
// on port P allowed, B → A on P denied), the ACL suite checks three things:
//   - a new connection A → B:P succeeds: its SYN-ACK gets back only through connection tracking;
//   - a new connection B → A:P fails, although A listens on P;
//   - an out-of-state packet does not pass: B sends a TCP ACK from port P, part of no connection,
//     to A. A filter that lets "replies" through by port (tcp.src == P, allow-stateless) passes
//     it; one that tracks connections (allow-related) drops it. A second such packet, to a port
//     the intent lets B open on A, must arrive: it proves the probe's packets reach A at all.
import type { Overlay, VmPort } from '../model/overlay.ts';
import { expectedCell, expectedMatrix } from './acl-matrix.ts';

/** Linux's default ephemeral port range (net.ipv4.ip_local_port_range): the source ports of A's own connections. */
export const EPHEMERAL_PORTS = { min: 32768, max: 60999 } as const;

export interface StatefulFlow {
  /** The VM allowed to open connections (A) and the one it connects to (B). */
  client: string;
  server: string;
  /** P: the TCP port A may connect to on B. */
  port: number;
  /** Why A → B:P is allowed. */
  allowedBecause: string;
  /** Why B → A:P is denied. */
  reverseDeniedBecause: string;
  /**
   * Where B's out-of-state ACK from P goes on A: a port the intent denies from B, outside the
   * ephemeral range, so that it can never be the reply of a connection A really opened to B:P.
   * Undefined when the intent denies B no such port on A (nothing then tells state from port).
   */
  outOfState?: { port: number; deniedBecause: string };
}

/** `vm1 → vm2 tcp/5432`: the cell of the allowed direction, as the ACL matrix names it. */
export function flowLabel(f: Pick<StatefulFlow, 'client' | 'server' | 'port'>): string {
  return `${f.client} → ${f.server} tcp/${f.port}`;
}

function firstDenied(overlay: Overlay, from: VmPort, to: VmPort, ports: Iterable<number>): StatefulFlow['outOfState'] {
  for (const port of ports) {
    const c = expectedCell(overlay, from, to, { protocol: 'tcp', port });
    if (c.expected === 'deny') return { port, deniedBecause: c.because };
  }
  return undefined;
}

function* range(min: number, max: number): Generator<number> {
  for (let p = min; p <= max; p++) yield p;
}

/** Every TCP flow of the matrix allowed one way and denied the other, in matrix order, with its out-of-state port. */
export function statefulFlows(overlay: Overlay): StatefulFlow[] {
  const cells = expectedMatrix(overlay).filter((c) => c.probe.protocol === 'tcp');
  const key = (src: string, dst: string, port: number) => `${src}|${dst}|${port}`;
  const byKey = new Map(cells.map((c) => [key(c.src, c.dst, c.probe.port!), c]));
  const vm = (name: string) => overlay.vms.find((v) => v.name === name)!;
  const flows: StatefulFlow[] = [];
  for (const c of cells) {
    const reverse = byKey.get(key(c.dst, c.src, c.probe.port!));
    if (c.expected !== 'allow' || reverse?.expected !== 'deny') continue;
    const [a, b] = [vm(c.src), vm(c.dst)];
    // Above the ephemeral range first, then below it (never a well-known port).
    const outOfState = firstDenied(overlay, b, a, range(EPHEMERAL_PORTS.max + 1, 65535)) ?? firstDenied(overlay, b, a, range(1024, EPHEMERAL_PORTS.min - 1));
    flows.push({
      client: c.src,
      server: c.dst,
      port: c.probe.port!,
      allowedBecause: c.because,
      reverseDeniedBecause: reverse.because,
      ...(outOfState ? { outOfState } : {}),
    });
  }
  return flows;
}
