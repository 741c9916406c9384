// `netproof intent LAB`: an intent file inferred from a lab that works, for the user to review
// and commit — like `genie learn`. Each router's ASN, loopbacks, BFD timers, maximum-paths and
// link bandwidths (weighted ECMP), the lab's hash policy, read live; anything the lab does not do
// uniformly is left out and said.
import { Address4, Address6 } from 'ip-address';
import type { StartedLab } from '../lab/started-lab.ts';
import { hashPolicyName, hashPolicySysctl, LINK_BANDWIDTH_RANGE_MBPS, type BfdTimers, type Intent, type RouterIntent } from '../model/intent.ts';
import { vtyshJson, bgpSummary } from '../probes/frr.ts';
import { addresses, loopbacks, multipathHashPolicy, type InterfaceAddress } from '../probes/kernel.ts';
import type { ConfiguredBfd } from '../expect/intent.ts';
import { linkBandwidthMbps, type BgpPath } from '../expect/link-bandwidth.ts';
import { familyOf } from '../plan/expected-routing.ts';

/** What one router showed. */
export interface RouterObservation {
  name: string;
  asn?: number;
  loopbacks: string[];
  /** From `maximum-paths N` in its running configuration, if set. */
  maxPaths?: number;
  /** Its BGP peers' addresses, and the BFD sessions it runs with its own configured timers. */
  bgpPeers: string[];
  bfd: ConfiguredBfd[];
  /** net.ipv4.fib_multipath_hash_policy; undefined when unreadable. */
  hashPolicy: number | undefined;
  /** net.ipv6.fib_multipath_hash_policy: counted where the lab's loopbacks are IPv6 (dual stack, IPv6 only). */
  hashPolicy6?: number | undefined;
  /**
   * Every BGP path it learned to another router's loopback (IPv4, or IPv6 in an IPv6-only lab): the interface it was learned
   * over and the link bandwidth (Mbit/s) it carries, undefined without the community.
   */
  learned?: LearnedPath[];
}

export interface LearnedPath {
  iface: string;
  mbps?: number;
}

export type InferredIntent = Omit<Intent, 'file'>;

const key = (t: BfdTimers) => `${t.detectMultiplier}|${t.transmitIntervalMs}|${t.receiveIntervalMs}`;

/** Pure: the intent the observations support, and notes on what was left undeclared and why. */
export function intentFromObservations(observed: readonly RouterObservation[]): { intent: InferredIntent; notes: string[] } {
  const notes: string[] = [];
  const timersOf = (o: RouterObservation): BfdTimers | undefined => {
    const distinct = new Map(o.bfd.map((p) => {
      const t = { transmitIntervalMs: p['transmit-interval'], receiveIntervalMs: p['receive-interval'], detectMultiplier: p['detect-multiplier'] };
      return [key(t), t] as const;
    }));
    return distinct.size === 1 ? [...distinct.values()][0] : undefined;
  };
  // The lab's timers: the ones most routers run; a router running others gets its own.
  const counts = new Map<string, { t: BfdTimers; n: number }>();
  for (const o of observed) {
    const t = timersOf(o);
    if (t) counts.set(key(t), { t, n: (counts.get(key(t))?.n ?? 0) + 1 });
  }
  const labTimers = [...counts.values()].sort((a, b) => b.n - a.n)[0]?.t;
  // An unnumbered session's peer is its interface; its BFD session's peer a link-local address on it.
  const withoutBfd = observed.flatMap((o) => o.bgpPeers.filter((p) => !o.bfd.some((b) => b.peer === p || b.interface === p)).map((p) => `${o.name} → ${p}`));
  const bfdRequired = Boolean(labTimers) && withoutBfd.length === 0;
  if (!labTimers) notes.push('no router runs BFD: bfd left undeclared');
  else if (withoutBfd.length) notes.push(`BGP sessions without BFD (${withoutBfd.slice(0, 5).join(', ')}${withoutBfd.length > 5 ? ', …' : ''}): bfd left undeclared — declare it once every session should run it`);

  const routers: Record<string, RouterIntent> = {};
  for (const o of observed) {
    const r: RouterIntent = { name: o.name };
    if (o.asn !== undefined) r.asn = o.asn;
    if (o.loopbacks.length) r.loopbacks = [...o.loopbacks].sort();
    else notes.push(`${o.name}: no loopback (global /32 or /128) found: its loopbacks left undeclared`);
    if (o.maxPaths !== undefined && o.maxPaths !== 64) r.maxPaths = o.maxPaths;
    const t = timersOf(o);
    if (bfdRequired && t && key(t) !== key(labTimers!)) r.bfd = t;
    if (bfdRequired && !t && o.bfd.length) notes.push(`${o.name}: its BFD sessions run different timers: declare them by hand`);
    const bandwidths = linkBandwidths(o, notes);
    if (bandwidths) r.linkBandwidthMbps = bandwidths;
    routers[o.name] = r;
  }

  // One declaration covers both families: the policy of each family the lab's loopbacks use.
  const families = loopbackFamilies(observed);
  const read = (o: RouterObservation, family: 4 | 6) => (family === 4 ? o.hashPolicy : o.hashPolicy6);
  const policies = new Set(families.flatMap((family) => observed.map((o) => read(o, family))));
  const named = policies.size === 1 ? hashPolicyName([...policies][0]) : undefined;
  if (!named) {
    const shown = families.map((family) => `${hashPolicySysctl(family)}: ${observed.map((o) => `${o.name}=${read(o, family) ?? ''}`).join(', ')}`);
    notes.push(`routers hash differently (${shown.join('; ')}): multipath.hash left undeclared`);
  }

  return {
    intent: {
      routers,
      ...(bfdRequired ? { bfd: { required: true, timers: labTimers! } } : {}),
      failover: {},
      ...(named ? { multipathHash: named } : {}),
    },
    notes,
  };
}

/**
 * The bandwidth each interface gives the paths learned over it, where the router's paths carry
 * any: an interface whose every path carries the same whole number of Mbit/s declares it; one
 * whose paths carry none is left out (as a lab declares only its weighted uplinks). Paths of
 * one interface that disagree, or a bandwidth the intent cannot hold, leave the router's
 * link-bandwidth undeclared, said in `notes`.
 */
function linkBandwidths(o: RouterObservation, notes: string[]): Record<string, number> | undefined {
  const learned = o.learned ?? [];
  if (!learned.some((p) => p.mbps !== undefined)) return undefined;
  const byIface = new Map<string, (number | undefined)[]>();
  for (const p of learned) byIface.set(p.iface, [...(byIface.get(p.iface) ?? []), p.mbps]);
  const out: Record<string, number> = {};
  const problems: string[] = [];
  const [min, max] = LINK_BANDWIDTH_RANGE_MBPS;
  for (const [iface, values] of [...byIface].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    if (values.every((v) => v === undefined)) continue;
    // The community carries bytes per second as a 32-bit float: a few bits of rounding.
    const whole = values.map((v) => (v === undefined ? undefined : Math.round(v)));
    const shown = [...new Set(values.map((v) => (v === undefined ? 'none' : `${Number(v.toPrecision(6))} Mbit/s`)))].join(', ');
    if (whole.some((v) => v === undefined) || new Set(whole).size > 1) problems.push(`paths learned over ${iface} carry different link bandwidths (${shown})`);
    else if (values.some((v) => Math.abs(v! - whole[0]!) > Math.max(1e-3 * whole[0]!, 1e-6)) || whole[0]! < min || whole[0]! > max) problems.push(`paths learned over ${iface} carry ${shown}, not a whole number of Mbit/s from ${min} to ${max}`);
    else out[iface] = whole[0]!;
  }
  if (problems.length) {
    notes.push(`${o.name}: ${problems.join('; ')}: its link-bandwidth left undeclared — declare it by hand`);
    return undefined;
  }
  return out;
}

/** The router's interface whose subnet holds `peer` (a numbered BGP neighbor, IPv4 or IPv6). */
export function interfaceTowards(addrs: readonly InterfaceAddress[], peer: string): string | undefined {
  if (Address4.isValid(peer)) {
    const ip = new Address4(peer);
    return addrs.find((a) => a.family === 'inet' && a.prefixlen < 32 && ip.isInSubnet(new Address4(`${a.local}/${a.prefixlen}`)))?.iface;
  }
  if (!Address6.isValid(peer)) return undefined;
  const ip = new Address6(peer);
  return addrs.find((a) => a.family === 'inet6' && a.scope === 'global' && a.prefixlen < 128 && ip.isInSubnet(new Address6(`${a.local}/${a.prefixlen}`)))?.iface;
}

/**
 * The paths `node` learned to each of `prefixes` (other routers' loopbacks of one family), by
 * interface (an unnumbered peer's own, a numbered one's by subnet) and link bandwidth. One
 * prefix at a time: FRR 8.4 shows a path's communities only per prefix, and a large lab asks
 * every router about every other's loopback.
 */
async function learnedPaths(node: ReturnType<StartedLab['node']>, addrs: readonly InterfaceAddress[], prefixes: readonly string[]): Promise<LearnedPath[]> {
  const perPrefix: BgpPath[][] = [];
  for (const p of prefixes) perPrefix.push(await vtyshJson<{ paths?: BgpPath[] }>(node, `show bgp ipv${familyOf(p)} unicast ${p} json`).then((j) => j.paths ?? []));
  return perPrefix.flat().flatMap((path) => {
    const iface = path.peer?.interface ?? interfaceTowards(addrs, path.peer?.peerId ?? '');
    const mbps = linkBandwidthMbps(path);
    return iface ? [{ iface, ...(mbps !== undefined ? { mbps } : {}) }] : [];
  });
}

/** The families of the lab's loopbacks: IPv4, IPv4 and IPv6 (dual stack), or IPv6 (an IPv6-only fabric). */
function loopbackFamilies(observed: readonly { loopbacks: readonly string[] }[]): (4 | 6)[] {
  const has = (family: 4 | 6) => observed.some((o) => o.loopbacks.some((l) => familyOf(l) === family));
  return has(6) ? (has(4) ? [4, 6] : [6]) : [4];
}

/** Read every router that runs bgpd. */
export async function observeRouters(lab: StartedLab): Promise<RouterObservation[]> {
  const routers = lab.nodes().filter((n) => n.frrDaemons.includes('bgpd'));
  const observed = await Promise.all(
    routers.map(async (n) => {
      const [summary, addrs, bfd, config, hash, hash6] = await Promise.all([
        bgpSummary(n),
        addresses(n),
        n.frrDaemons.includes('bfdd') ? vtyshJson<ConfiguredBfd[]>(n, 'show bfd peers json') : [],
        n.vtysh('show running-config bgpd'),
        multipathHashPolicy(n),
        multipathHashPolicy(n, 6),
      ]);
      // FRR has no JSON for configuration: the one line needed, read from the running config.
      const maxPaths = /^\s*maximum-paths (\d+)\s*$/m.exec(config.stdout)?.[1];
      return {
        name: n.name,
        asn: summary.as,
        loopbacks: loopbacks(addrs),
        ...(maxPaths ? { maxPaths: Number(maxPaths) } : {}),
        bgpPeers: Object.keys(summary.peers),
        bfd,
        hashPolicy: hash,
        hashPolicy6: hash6,
        addrs,
      };
    }),
  );
  // Then what each learned from the others, in the probes' family (IPv6 in an IPv6-only fabric):
  // the loopbacks are known only now.
  const family = loopbackFamilies(observed)[0]!;
  return Promise.all(
    observed.map(async ({ addrs, ...o }, i) => {
      const others = observed.filter((_, j) => j !== i).flatMap((x) => x.loopbacks.filter((l) => familyOf(l) === family));
      return { ...o, learned: await learnedPaths(routers[i]!, addrs, others) };
    }),
  );
}
