// Read the node's kernel state with `ip -j` (JSON, through the ip the node keeps open for reads)
// and `sysctl`.
import type { NodeHandle } from '../lab/started-lab.ts';

export interface KernelNexthop {
  gateway?: string;
  dev?: string;
  /** A multipath next hop's weight (1 unless weighted). */
  weight?: number;
}

export interface KernelRoute {
  dst: string;
  /** unicast when `ip` prints none; blackhole, unreachable, prohibit… otherwise. */
  type?: string;
  protocol?: string;
  nexthops: KernelNexthop[];
}

/** `ip -j <argv>` through the node's kept `ip -batch` (IPv4 is ip's default family for route and addr: no option needed). */
async function ipJson<T>(node: NodeHandle, argv: string[]): Promise<T> {
  const text = await node.ipJson(argv);
  try {
    return JSON.parse(text || '[]') as T;
  } catch (e) {
    throw new Error(`${node.name}: ip -j ${argv.join(' ')} did not print JSON (${(e as Error).message}): ${text.slice(0, 300)}`);
  }
}

/** IPv4 routes of the main table, next hops flattened, destinations as CIDR (`ip` prints host routes bare). */
export async function kernelRoutes(node: NodeHandle): Promise<KernelRoute[]> {
  const routes = await ipJson<{ dst: string; type?: string; protocol?: string; gateway?: string; dev?: string; nexthops?: KernelNexthop[] }[]>(node, ['route', 'show', 'table', 'main']);
  return routes.map((r) => ({
    dst: r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`,
    ...(r.type ? { type: r.type } : {}),
    protocol: r.protocol,
    nexthops: r.nexthops ?? [{ gateway: r.gateway, dev: r.dev }],
  }));
}

/**
 * A next hop's gateway that names no neighbor: BGP unnumbered's IPv4-over-IPv6 next hop, which
 * FRR 8.4 installs as 169.254.0.1 onlink, or an IPv6 link-local address.
 */
export const anonymousGateway = (gateway: string) => gateway === '169.254.0.1' || gateway.includes(':');

/**
 * What a kernel next hop is called where it must match a BGP session's peer: its gateway
 * address, or (unnumbered: a gateway that names no neighbor) its interface, which is how FRR
 * names an unnumbered peer. "(connected)" for a hop without either.
 */
export function hopName(h: { gateway?: string; dev?: string }): string {
  if (h.gateway && !(anonymousGateway(h.gateway) && h.dev)) return h.gateway;
  return h.dev ?? '(connected)';
}

export interface InterfaceAddress {
  iface: string;
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
}

export async function addresses(node: NodeHandle): Promise<InterfaceAddress[]> {
  const links = await ipJson<{ ifname: string; addr_info?: { family: string; local: string; prefixlen: number; scope: string }[] }[]>(node, ['addr', 'show']);
  return links.flatMap((l) =>
    (l.addr_info ?? []).map((a) => ({ iface: l.ifname, family: a.family as 'inet' | 'inet6', local: a.local, prefixlen: a.prefixlen, scope: a.scope })),
  );
}

/**
 * The node's global IPv4 /32s: its loopbacks, and a host's TEP. Usually on lo; on an OVS
 * chassis with the userspace datapath the TEP sits on br-phy (OVS only decapsulates for
 * addresses on ports it owns), so any interface counts.
 */
export function loopbacks(addrs: InterfaceAddress[]): string[] {
  return addrs.filter((a) => a.family === 'inet' && a.scope === 'global' && a.prefixlen === 32).map((a) => `${a.local}/32`);
}

/** Every interface's MTU, by name. Empty when `ip` prints nothing: callers name the ends they miss. */
export async function interfaceMtus(node: NodeHandle): Promise<Map<string, number>> {
  return new Map((await ipJson<{ ifname: string; mtu: number }[]>(node, ['link', 'show'])).map((l) => [l.ifname, l.mtu]));
}

/**
 * net.ipv4.fib_multipath_hash_policy (0 hashes addresses only, 1 the 5-tuple: hashPolicyName in
 * lib/model/intent.ts names them).
 * Undefined when the node cannot say: callers report it as unreadable rather than failing.
 */
export async function multipathHashPolicy(node: NodeHandle): Promise<number | undefined> {
  const r = await node.exec(['sysctl', '-n', 'net.ipv4.fib_multipath_hash_policy']);
  const text = r.stdout.trim();
  return r.exitCode === 0 && /^\d+$/.test(text) ? Number(text) : undefined;
}
