// Past a few hundred router links, the kernel's neighbour (ARP) table fills up: it is one table
// for every namespace on the machine, and its limit (net.ipv4.neigh.default.gc_thresh3, 1024)
// can only be raised in the host's root namespace, which netproof never changes. New sessions
// then stay in Connect ("neighbor table overflow" in the kernel log): at 200 routers neither
// netproof nor hand-wired FRR converged. Permanent entries do not count against that limit
// (Linux 4.19 and later), so a large lab's bring-up pins each link's peer, its address and MAC
// read from the running nodes once FRR has set the addresses. Small labs keep ordinary ARP.
// Pure, but for reading the host's threshold.
import { readFileSync } from 'node:fs';
import { Address4 } from 'ip-address';

/** One interface of a running node: `ip -j addr show`, IPv4 only. */
export interface LiveInterface {
  name: string;
  mac?: string;
  /** CIDRs, e.g. 10.1.0.1/31. */
  ipv4: string[];
}

/** `ip -j addr show` of one node. Pure. */
export function parseIpAddr(json: string): LiveInterface[] {
  const rows = JSON.parse(json) as { ifname: string; address?: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[];
  return rows.map((r) => ({
    name: r.ifname,
    ...(r.address ? { mac: r.address } : {}),
    ipv4: (r.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
  }));
}

/** The kernel's soft limit on neighbour entries (gc_thresh2): garbage collection turns aggressive above it. */
export function neighbourSoftLimit(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/neigh/default/gc_thresh2', 'utf8').trim()) || 512;
  } catch {
    return 512;
  }
}

/** The links of a topology, or of a hand-wired floor: two ends each, by node and interface. */
export type Links = readonly { endpoints: readonly { node: string; iface: string }[] }[];

/** Link ends whose peer would take a neighbour entry: every end of a two-ended link. */
export const linkEnds = (links: Links) => links.filter((l) => l.endpoints.length === 2).length * 2;

/** Whether the lab's links alone would take more than half the soft limit, leaving the rest for other labs and for the overlay. */
export const needsPinning = (links: Links, softLimit: number) => linkEnds(links) > softLimit / 2;

/**
 * Per node, `ip -batch` lines that pin each link peer sharing a subnet with this end: `neigh
 * replace 10.1.0.0 lladdr 02:… dev eth1 nud permanent`. An end without an address, or whose peer
 * has none in its subnet (a chassis uplink, addressed on its bridge), keeps ordinary ARP.
 */
export function neighbourPins(links: Links, live: ReadonlyMap<string, readonly LiveInterface[]>): Map<string, string[]> {
  const pins = new Map<string, string[]>();
  const iface = (node: string, name: string) => live.get(node)?.find((i) => i.name === name);
  for (const link of links) {
    if (link.endpoints.length !== 2) continue;
    const [a, b] = link.endpoints;
    for (const [local, peer] of [
      [a!, b!],
      [b!, a!],
    ]) {
      const mine = iface(local.node, local.iface);
      const theirs = iface(peer.node, peer.iface);
      if (!mine || !theirs?.mac) continue;
      for (const cidr of theirs.ipv4) {
        const address = cidr.split('/')[0]!;
        if (!mine.ipv4.some((m) => new Address4(address).isInSubnet(new Address4(m)) && m.split('/')[0] !== address)) continue;
        const lines = pins.get(local.node) ?? [];
        lines.push(`neigh replace ${address} lladdr ${theirs.mac} dev ${local.iface} nud permanent`);
        pins.set(local.node, lines);
      }
    }
  }
  return pins;
}
