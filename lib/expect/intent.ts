// The running lab against its declared intent, as culprit lists: every line names the router
// (or link end), what it runs and what the intent or topology declares. Pure.
import { declaredBfd, HASH_POLICIES, hashPolicyName, hashPolicySysctl, type BfdTimers, type HashPolicy, type Intent } from '../model/intent.ts';
import type { LabLink } from '../model/topology.ts';
import { familyOf, isSessionPeer, sessionWhere, type ExpectedRoute, type ExpectedSession } from '../plan/expected-routing.ts';

/** The fields of `show bfd peers json` compared here: status and the router's own configured timers. */
export interface ConfiguredBfd {
  peer: string;
  /** The interface of a session over a link-local address (BGP unnumbered). */
  interface?: string;
  status: string;
  'transmit-interval': number;
  'receive-interval': number;
  'detect-multiplier': number;
}

const timers = (t: BfdTimers) => `${t.detectMultiplier} × ${t.transmitIntervalMs}/${t.receiveIntervalMs} ms`;

/**
 * Every router-to-router session must have a BFD session that is up; with `timersToo`, running
 * the router's declared timers. Timers are the router's own configured ones, not the negotiated
 * ones: a leaf configured slow is named, not the spines that agree to its pace.
 */
export function bfdCulprits(sessions: readonly ExpectedSession[], seen: ReadonlyMap<string, readonly ConfiguredBfd[] | undefined>, intent: Intent, o: { timersToo: boolean }): string[] {
  const out: string[] = [];
  const silent = new Set<string>();
  for (const s of sessions) {
    const declared = declaredBfd(intent, s.at);
    if (!declared) continue;
    const peers = seen.get(s.at);
    if (!peers) {
      if (!silent.has(s.at)) out.push(`${s.at}: bfdd does not answer (no "show bfd peers json"); the intent requires BFD ${timers(declared)} on its sessions`);
      silent.add(s.at);
      continue;
    }
    const where = sessionWhere(s);
    const p = peers.find((x) => isSessionPeer(s, x));
    if (!p) {
      out.push(`${where}: no BFD session; the intent requires BFD ${timers(declared)} (detect multiplier × transmit/receive interval)`);
      continue;
    }
    if (p.status !== 'up') {
      // Down because the other end runs no session for it: say so, so the fault is named at its end.
      const back = sessions.find((r) => r.at === s.neighbor && r.neighbor === s.at && r.neighborIface === s.iface);
      const theirs = seen.get(s.neighbor);
      const orphan = back && theirs && !theirs.some((x) => isSessionPeer(back, x));
      out.push(`${where}: BFD ${p.status}${orphan ? ` (${s.neighbor} runs no BFD session towards ${s.at})` : ''}`);
    }
    if (!o.timersToo) continue;
    const running: BfdTimers = { transmitIntervalMs: p['transmit-interval'], receiveIntervalMs: p['receive-interval'], detectMultiplier: p['detect-multiplier'] };
    if (timers(running) !== timers(declared)) out.push(`${where}: BFD runs ${timers(running)}, the intent declares ${timers(declared)} (detect multiplier × transmit/receive interval)`);
  }
  return out;
}

/**
 * Every router with an equal-cost route must hash as declared (policies undefined where
 * unreadable); each culprit names one such route as the evidence. `family` 6: the IPv6 policies
 * of routers with equal-cost IPv6 routes (a dual-stack fabric's), evidenced by one of those.
 */
export function hashCulprits(routes: readonly ExpectedRoute[], policies: ReadonlyMap<string, number | undefined>, declared: HashPolicy, intentFile: string, family: 4 | 6 = 4): string[] {
  const want = HASH_POLICIES[declared];
  const out: string[] = [];
  for (const [router, policy] of policies) {
    if (policy === want) continue;
    const example = routes.find((r) => r.at === router && r.width > 1 && familyOf(r.prefix) === family);
    const named = hashPolicyName(policy);
    const l3 = family === 4 ? 'every flow between two addresses takes one path' : 'addresses and flow label only';
    const name = named ? ` (${named}${named === 'l3' ? `: ${l3}` : ''})` : '';
    out.push(
      `${router}: ${hashPolicySysctl(family)}=${policy ?? '(unreadable)'}${name}; the intent declares ${declared} (=${want}) on every router with equal-cost paths (${intentFile})${example ? `, and ${router} has ${example.width} to ${example.prefix} (${example.owner})` : ''}`,
    );
  }
  return out;
}

/** Both ends of every link with a declared `mtu` must run it. */
export function mtuCulprits(links: readonly LabLink[], mtus: ReadonlyMap<string, ReadonlyMap<string, number>>, label: (l: LabLink) => string, topologyFile: string): string[] {
  const out: string[] = [];
  for (const l of links) {
    if (l.mtu === undefined) continue;
    for (const e of l.endpoints) {
      const running = mtus.get(e.node)?.get(e.iface);
      if (running !== l.mtu) out.push(`${e.node}:${e.iface}: MTU ${running ?? '(no such interface)'}, the topology declares ${l.mtu} (link ${label(l)} in ${topologyFile})`);
    }
  }
  return out;
}
