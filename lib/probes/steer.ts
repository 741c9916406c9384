// Which way a router's kernel sends one UDP flow, and a source port that sends it over a chosen
// link: `ip route get` with the flow's ports computes the same multipath hash as the packets.
// No traffic is sent.
import { hopName } from './kernel.ts';
import type { NodeHandle } from '../lab/started-lab.ts';

export interface FlowTuple {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
}

export interface Egress {
  dev?: string;
  gateway?: string;
}

/** Where `node` sends this flow now: its device and next-hop address. */
export async function egressOf(node: NodeHandle, f: FlowTuple): Promise<Egress> {
  // Through the node's kept ip (a steering search asks many times): `route get` follows the addresses' family.
  const text = await node.ipJson(['route', 'get', f.dstIp, 'from', f.srcIp, 'ipproto', 'udp', 'sport', String(f.srcPort), 'dport', String(f.dstPort)]).catch((e: unknown) => {
    throw new Error(`${node.name}: ip route get ${f.dstIp} from ${f.srcIp} failed: ${(e as Error).message}`);
  });
  const route = (JSON.parse(text || '[]') as { dev?: string; gateway?: string }[])[0];
  return { dev: route?.dev, gateway: route?.gateway };
}

/**
 * The first source port from `base` (of `tries`) whose flow `node` sends to `gateway`, the
 * neighbor's address on the chosen link (matched by next hop, not device: a chassis sends
 * over a bridge), or on an unnumbered link the interface (hopName). Undefined if none does
 * within `tries`.
 */
export async function steerToGateway(node: NodeHandle, f: Omit<FlowTuple, 'srcPort'>, gateway: string, base: number, tries: number): Promise<number | undefined> {
  for (let srcPort = base; srcPort < base + tries; srcPort++) {
    if (hopName(await egressOf(node, { ...f, srcPort })) === gateway) return srcPort;
  }
  return undefined;
}
