// Read the node's kernel state with `ip -j` (JSON, through the ip the node keeps open for reads)
// and `sysctl`.
import type { NodeHandle } from '../lab/started-lab.ts';
import { hashPolicySysctl } from '../model/intent.ts';

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

/** `ip -j <argv>` through the node's kept `ip -batch` (IPv4 is ip's default family for route; addr lists both; the kept `ip -6` for family 6). */
async function ipJson<T>(node: NodeHandle, argv: string[], family: 4 | 6 = 4): Promise<T> {
  return parseIpJson<T>(node, `ip${family === 6 ? ' -6' : ''} -j ${argv.join(' ')}`, await node.ipJson(argv, family === 6 ? { family } : undefined));
}

function parseIpJson<T>(node: NodeHandle, command: string, text: string): T {
  try {
    return JSON.parse(text || '[]') as T;
  } catch (e) {
    throw new Error(`${node.name}: ${command} did not print JSON (${(e as Error).message}): ${text.slice(0, 300)}`);
  }
}

type IpRoute = { dst: string; type?: string; protocol?: string; gateway?: string; dev?: string; nexthops?: KernelNexthop[] };

/** Routes of the main table (IPv4, or IPv6 with `family` 6), next hops flattened, destinations as CIDR (`ip` prints host routes bare). */
export async function kernelRoutes(node: NodeHandle, family: 4 | 6 = 4): Promise<KernelRoute[]> {
  const routes = await ipJson<IpRoute[]>(node, ['route', 'show', 'table', 'main'], family);
  const host = family === 4 ? 32 : 128;
  return routes.map((r) => ({
    dst: r.dst === 'default' ? (family === 4 ? '0.0.0.0/0' : '::/0') : r.dst.includes('/') ? r.dst : `${r.dst}/${host}`,
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
 * The node's global IPv4 /32s (its loopbacks, and a host's TEP), then its global IPv6 /128s (a
 * dual-stack router's IPv6 loopback). Usually on lo; on an OVS chassis with the userspace
 * datapath the TEP sits on br-phy (OVS only decapsulates for addresses on ports it owns), so
 * any interface counts.
 */
export function loopbacks(addrs: InterfaceAddress[]): string[] {
  const of = (family: 'inet' | 'inet6', length: number) => addrs.filter((a) => a.family === family && a.scope === 'global' && a.prefixlen === length).map((a) => `${a.local}/${length}`);
  return [...of('inet', 32), ...of('inet6', 128)];
}

/** Every interface's MTU, by name. Empty when `ip` prints nothing: callers name the ends they miss. */
export async function interfaceMtus(node: NodeHandle): Promise<Map<string, number>> {
  return new Map((await ipJson<{ ifname: string; mtu: number }[]>(node, ['link', 'show'])).map((l) => [l.ifname, l.mtu]));
}

/**
 * net.ipv4.fib_multipath_hash_policy, or net.ipv6's with `family` 6 (0 hashes addresses only, 1
 * the 5-tuple: hashPolicyName in lib/model/intent.ts names them).
 * Undefined when the node cannot say: callers report it as unreadable rather than failing.
 */
export async function multipathHashPolicy(node: NodeHandle, family: 4 | 6 = 4): Promise<number | undefined> {
  const r = await node.exec(['sysctl', '-n', hashPolicySysctl(family)]);
  const text = r.stdout.trim();
  return r.exitCode === 0 && /^\d+$/.test(text) ? Number(text) : undefined;
}
