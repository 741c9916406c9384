// `netproof intent LAB`: an intent file inferred from a lab that works, for the user to review
// and commit — like `genie learn`. Each router's ASN, loopbacks, BFD timers and maximum-paths,
// the lab's hash policy, read live; anything the lab does not do uniformly is left out and said.
import type { StartedLab } from '../lab/started-lab.ts';
import { hashPolicyName, type BfdTimers, type Intent, type RouterIntent } from '../model/intent.ts';
import { vtyshJson, bgpSummary } from '../probes/frr.ts';
import { addresses, loopbacks, multipathHashPolicy } from '../probes/kernel.ts';
import type { ConfiguredBfd } from '../expect/intent.ts';

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
  const withoutBfd = observed.flatMap((o) => o.bgpPeers.filter((p) => !o.bfd.some((b) => b.peer === p)).map((p) => `${o.name} → ${p}`));
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
    routers[o.name] = r;
  }

  const policies = new Set(observed.map((o) => o.hashPolicy));
  const named = policies.size === 1 ? hashPolicyName([...policies][0]) : undefined;
  if (!named) notes.push(`routers hash differently (net.ipv4.fib_multipath_hash_policy: ${observed.map((o) => `${o.name}=${o.hashPolicy ?? ''}`).join(', ')}): multipath.hash left undeclared`);

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

/** Read every router that runs bgpd. */
export async function observeRouters(lab: StartedLab): Promise<RouterObservation[]> {
  const routers = lab.nodes().filter((n) => n.frrDaemons.includes('bgpd'));
  return Promise.all(
    routers.map(async (n) => {
      const [summary, addrs, bfd, config, hash] = await Promise.all([
        bgpSummary(n),
        addresses(n),
        n.frrDaemons.includes('bfdd') ? vtyshJson<ConfiguredBfd[]>(n, 'show bfd peers json') : [],
        n.vtysh('show running-config bgpd'),
        multipathHashPolicy(n),
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
      };
    }),
  );
}
