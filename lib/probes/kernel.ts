// Read the node's kernel state with `ip -j` (JSON) and `sysctl`, through the runtime's exec,
// or through a NodeReader's `ip -batch` when the caller reads many times (a whole-lab snapshot).
import { parseJson } from '../exec.ts';
import type { NodeHandle, NodeReader } from '../lab/started-lab.ts';

export interface KernelNexthop {
  gateway?: string;
  dev?: string;
}

export interface KernelRoute {
  dst: string;
  /** unicast when `ip` prints none; blackhole, unreachable, prohibit… otherwise. */
  type?: string;
  protocol?: string;
  nexthops: KernelNexthop[];
}

/** `ip -j <argv>` (IPv4 is ip's default family for route and addr: no option needed). */
async function ipJson<T>(node: NodeHandle, argv: string[], reader?: NodeReader): Promise<T> {
  if (reader) {
    const text = await reader.ipJson(argv);
    try {
      return JSON.parse(text || '[]') as T;
    } catch (e) {
      throw new Error(`${node.name}: ip -j ${argv.join(' ')} did not print JSON (${(e as Error).message}): ${text.slice(0, 300)}`);
    }
  }
  const r = await node.exec(['ip', '-j', ...argv]);
  if (r.exitCode !== 0) throw new Error(`${node.name}: ip -j ${argv.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return parseJson<T>(r);
}

/** IPv4 routes of the main table, next hops flattened, destinations as CIDR (`ip` prints host routes bare). */
export async function kernelRoutes(node: NodeHandle, reader?: NodeReader): Promise<KernelRoute[]> {
  const routes = await ipJson<{ dst: string; type?: string; protocol?: string; gateway?: string; dev?: string; nexthops?: KernelNexthop[] }[]>(node, ['route', 'show', 'table', 'main'], reader);
  return routes.map((r) => ({
    dst: r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`,
    ...(r.type ? { type: r.type } : {}),
    protocol: r.protocol,
    nexthops: r.nexthops ?? [{ gateway: r.gateway, dev: r.dev }],
  }));
}

export interface InterfaceAddress {
  iface: string;
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
}

export async function addresses(node: NodeHandle, reader?: NodeReader): Promise<InterfaceAddress[]> {
  const links = await ipJson<{ ifname: string; addr_info?: { family: string; local: string; prefixlen: number; scope: string }[] }[]>(node, ['addr', 'show'], reader);
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
export async function interfaceMtus(node: NodeHandle, reader?: NodeReader): Promise<Map<string, number>> {
  if (reader) return new Map((await ipJson<{ ifname: string; mtu: number }[]>(node, ['link', 'show'], reader)).map((l) => [l.ifname, l.mtu]));
  const r = await node.exec(['ip', '-j', 'link', 'show']);
  const links = r.stdout.trim() ? parseJson<{ ifname: string; mtu: number }[]>(r) : [];
  return new Map(links.map((l) => [l.ifname, l.mtu]));
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
