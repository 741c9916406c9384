// What a VM's largest don't-fragment packet towards the outside world met, against what the
// topology and the intent say it must (lib/plan/north-south-mtu.ts): a black hole is named with
// the router port whose gateway_mtu is missing or too large. Pure.
import type { NorthSouthMtuCase } from '../plan/north-south-mtu.ts';
import type { MtuOutcome } from '../probes/df-ping.ts';

/** What is wrong with one case's outcome, or undefined. */
export function northSouthMtuProblem(c: NorthSouthMtuCase, o: MtuOutcome): string | undefined {
  const e = c.expected;
  if (!e) return undefined;
  const at = `${c.vm} (MTU ${c.vmMtu}) → ${c.outside.node} ${c.outside.ip}: a ${c.vmMtu}-byte don't-fragment packet`;
  const provider = `provider network ${c.provider} carries ${c.providerMtu} (${c.providerLinks.join('; ')})`;
  if (e.kind === 'reply') return o.kind === 'reply' ? undefined : `${at} ${o.kind === 'silence' ? `got no reply (${o.detail})` : `got "fragmentation needed" (mtu ${o.mtu}) from ${o.from}`}, though it fits: ${provider}`;
  if (o.kind === 'silence') {
    const why = c.gatewayMtu === undefined ? `router port ${c.port} has no gateway_mtu (routers.${c.router}.gateway.mtu is not declared), so OVN drops it silently` : `router port ${c.port} should answer with "fragmentation needed" (gateway_mtu ${c.gatewayMtu}, routers.${c.router}.gateway.mtu)`;
    return `${at} vanished (no reply, no ICMP): a path MTU black hole; ${provider}; ${why}`;
  }
  if (o.kind === 'reply') return `${at} got a reply, though ${provider} (was the packet fragmented, or a link's MTU raised?)`;
  if (o.mtu !== e.mtu) return `${at} got "fragmentation needed" with mtu ${o.mtu} from ${o.from}, expected mtu ${e.mtu} (${c.gatewayMtu !== undefined ? `routers.${c.router}.gateway.mtu` : provider})`;
  return undefined;
}
