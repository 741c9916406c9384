// Plain hosts (PCs) as the topology declares them: the addresses and routes their `exec` lines
// set (`ip addr add 192.168.11.2/24 dev eth1`, `ip route add 192.168.0.0/16 via 192.168.11.1`).
// A host is expected to reach another host when its own declared routes (or its own subnet)
// cover that host's address: the user said where its traffic goes. Pure.
import { Address4 } from 'ip-address';
import type { LabNode } from '../model/topology.ts';

export interface HostAddressing {
  node: string;
  addresses: { iface: string; cidr: string }[];
  /** Declared routes: prefix (0.0.0.0/0 for default) and gateway. */
  routes: { prefix: string; via?: string }[];
}

const IP = ['ip', '/sbin/ip', '/usr/sbin/ip', '/bin/ip', '/usr/bin/ip'];
const abbrev = (word: string | undefined, full: string, min: number) => word !== undefined && word.length >= min && full.startsWith(word);

/** What a host's exec lines give it (IPv4 only); lines that are not `ip addr add` or `ip route add|replace|append` are ignored. */
export function hostAddressing(node: Pick<LabNode, 'name' | 'exec'>): HostAddressing {
  const out: HostAddressing = { node: node.name, addresses: [], routes: [] };
  for (const argv of node.exec) {
    if (!IP.includes(argv[0] ?? '')) continue;
    const [object, verb, target, ...rest] = argv.slice(1);
    const after = (word: string) => rest[rest.indexOf(word) + 1];
    if (abbrev(object, 'address', 1) && verb === 'add' && target && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(target) && rest.includes('dev')) {
      out.addresses.push({ iface: after('dev')!, cidr: target });
    } else if (abbrev(object, 'route', 1) && ['add', 'replace', 'append'].includes(verb ?? '') && target) {
      const prefix = target === 'default' || target === '0/0' ? '0.0.0.0/0' : target.includes('/') ? target : `${target}/32`;
      if (Address4.isValid(prefix)) out.routes.push({ prefix, ...(rest.includes('via') ? { via: after('via') } : {}) });
    }
  }
  return out;
}

export interface HostPair {
  src: string;
  dst: string;
  /** The destination's address the source's routes cover. */
  dstIp: string;
  /** Why it is expected: the route or subnet that covers dstIp. */
  because: string;
}

/** Every ordered pair of hosts where the source's declared routes or own subnet cover one of the destination's addresses. */
export function expectedHostPairs(hosts: readonly HostAddressing[]): HostPair[] {
  const out: HostPair[] = [];
  for (const src of hosts) {
    if (!src.addresses.length) continue;
    for (const dst of hosts) {
      if (dst.node === src.node) continue;
      for (const { cidr } of dst.addresses) {
        const ip = cidr.split('/')[0]!;
        const a = new Address4(ip);
        const own = src.addresses.find((s) => a.isInSubnet(new Address4(s.cidr)));
        const route = src.routes.filter((r) => a.isInSubnet(new Address4(r.prefix))).sort((x, y) => Number(y.prefix.split('/')[1]) - Number(x.prefix.split('/')[1]))[0];
        const because = own ? `on ${src.node}'s own subnet ${own.cidr}` : route ? `${src.node}'s route ${route.prefix}${route.via ? ` via ${route.via}` : ''}` : undefined;
        if (because) {
          out.push({ src: src.node, dst: dst.node, dstIp: ip, because });
          break;
        }
      }
    }
  }
  return out;
}
