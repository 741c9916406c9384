// netproof's matchers, registered on vitest's `expect`: `toReach`, `toHaveRoute`,
// `toHaveEstablishedSessions`. Each returns { pass, message, actual, expected } so the runner
// (and JUnit, Allure) shows what was expected and what was last seen; eventual truths poll to
// the lab's deadline, never vitest's 1 s default. `.not` means what it says.
import { expect } from 'vitest';
import { sessionCulprits } from '../expect/bgp.ts';
import { waitFor } from '../wait-for.ts';
import type { NodeHandle } from '../lab/started-lab.ts';
import { discoverFabric, observeSummaries } from '../probes/fabric.ts';
import { ribRoute, type RibEntry } from '../probes/frr.ts';
import { kernelRoutes, type KernelRoute } from '../probes/kernel.ts';
import { familyOf } from '../plan/expected-routing.ts';
import { addressOwner, attemptReach, describeTarget, ensureListener, type ReachAttempt, type ReachProtocol, type ReachTarget } from '../probes/reach.ts';
import { checkTimeoutMs } from './deadline.ts';
import { labOf } from './registry.ts';

export interface ReachOptions {
  /** Default icmp. */
  protocol?: ReachProtocol;
  /** Required for tcp and udp. */
  port?: number;
}

export interface RouteOptions {
  /** How many next hops the selected route must have in the RIB and in the kernel FIB. */
  nexthops?: number;
}

/** The matchers netproof adds to `expect(node)`; each is async: `await` it. */
export interface NetproofMatchers {
  /** The node reaches `address` (an address of a lab node) with ICMP, or a TCP connect / UDP request to `port`. Polls to the lab's deadline; `.not` makes three attempts that must all fail. */
  toReach(address: string, options?: ReachOptions): Promise<void>;
  /** The node's selected, installed route to `prefix` (RIB and kernel FIB), with `nexthops` next hops when given. Polls to the lab's deadline. */
  toHaveRoute(prefix: string, options?: RouteOptions): Promise<void>;
  /** Every BGP session the topology gives the node (one per link to another BGP router), and every session it has configured, is Established. Polls to the lab's deadline. */
  toHaveEstablishedSessions(): Promise<void>;
  /** A list of culprits (node, cell, numbers, one per line) is empty; the message lists them under `what`, e.g. "cells do not behave as the security groups say". */
  toHaveNoCulprits(what: string): void;
}

declare module 'vitest' {
  // vitest's own declaration: R is what a matcher returns, T the received value.
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends NetproofMatchers {}
}

interface MatcherContext {
  isNot: boolean;
}

type MatcherResult = { pass: boolean; message: () => string; actual?: unknown; expected?: unknown };

function asNode(received: unknown, matcher: string): NodeHandle {
  const n = received as NodeHandle | undefined;
  if (!n || typeof n !== 'object' || typeof n.exec !== 'function' || typeof n.name !== 'string') {
    throw new TypeError(`${matcher}: expect() a lab node, e.g. expect(lab.node('leaf1')).${matcher}(…); got ${typeof received}`);
  }
  return n;
}

/** Poll `look` until it says what the assertion wants (`pass`, or not when negated) or the deadline passes; the last look decides. */
async function pollUntil<T extends { pass: boolean }>(isNot: boolean, timeoutMs: number, look: () => Promise<T>): Promise<T & { elapsedMs: number }> {
  const t0 = performance.now();
  let last: T | undefined;
  await waitFor(
    async () => {
      last = await look();
      return last.pass !== isNot ? { ok: true, value: true } : { ok: false, reason: 'not yet' };
    },
    { timeoutMs, intervalsMs: [100, 250, 500, 1000], description: 'the assertion' },
  ).catch(() => undefined);
  return { ...last!, elapsedMs: performance.now() - t0 };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function toReach(this: MatcherContext, received: unknown, address: string, options: ReachOptions = {}): Promise<MatcherResult> {
  const src = asNode(received, 'toReach');
  const lab = labOf(src);
  const protocol = options.protocol ?? 'icmp';
  if (protocol !== 'icmp' && !(Number.isInteger(options.port) && options.port! > 0 && options.port! < 65536)) {
    throw new TypeError(`toReach: ${protocol} needs a port (1–65535), e.g. toReach('${address}', { protocol: '${protocol}', port: 5432 })`);
  }
  const target: ReachTarget = { address, protocol, ...(protocol === 'icmp' ? {} : { port: options.port }) };
  const owner = await addressOwner(lab, address);
  if (!owner) {
    throw new Error(`toReach: ${address} is not an address of any node of lab ${lab.name}: netproof sends traffic only between the lab's own nodes (see their addresses: netproof exec ${lab.name} NODE -- ip -br addr)`);
  }
  const what = `${src.name} → ${describeTarget(target)} (${owner.name})`;
  const listener = await ensureListener(owner, target);
  try {
    const attempts: ReachAttempt[] = [];
    if (this.isNot) {
      // A denial counts only after three failed attempts: the first packet of a flow can be slow (OVS upcall, conntrack).
      for (let i = 0; i < 3; i++) {
        const a = await attemptReach(src, target);
        attempts.push(a);
        if (a.ok) break;
      }
      const reached = attempts.some((a) => a.ok);
      return {
        pass: reached,
        message: () => `expected ${what} to be refused or to time out, but attempt ${attempts.length} of 3 succeeded (${attempts.at(-1)!.detail})`,
        actual: { reached, attempts },
        expected: { reached: false },
      };
    }
    const last = await pollUntil(false, checkTimeoutMs(lab), async () => {
      const a = await attemptReach(src, target);
      attempts.push(a);
      return { pass: a.ok, attempt: a };
    });
    return {
      pass: last.pass,
      message: () => `expected ${what} to succeed, but ${attempts.length} attempts over ${seconds(last.elapsedMs)} failed; last: ${last.attempt.detail}`,
      actual: { reached: last.pass, attempts: attempts.length, last: last.attempt.detail },
      expected: { reached: true },
    };
  } finally {
    await listener?.stop();
  }
}

const ribHops = (e: RibEntry | undefined) => e?.nexthops.filter((n) => n.fib).map((n) => (n.blackhole ? 'blackhole' : [n.interfaceName, n.ip].filter(Boolean).join(' via '))) ?? [];
const kernelHops = (k: KernelRoute | undefined) => k?.nexthops.map((n) => [n.dev, n.gateway].filter(Boolean).join(' via ') || (k.type ?? '?')) ?? [];

async function toHaveRoute(this: MatcherContext, received: unknown, prefix: string, options: RouteOptions = {}): Promise<MatcherResult> {
  const node = asNode(received, 'toHaveRoute');
  const lab = labOf(node);
  const want = options.nexthops;
  const last = await pollUntil(this.isNot, checkTimeoutMs(lab), async () => {
    const [rib, kernel] = await Promise.all([ribRoute(node, prefix), kernelRoutes(node, familyOf(prefix)).then((ks) => ks.find((k) => k.dst === prefix))]);
    const seen = { rib: rib ? { protocol: rib.protocol, installed: rib.installed ?? false, nexthops: ribHops(rib) } : null, kernel: kernel ? { type: kernel.type ?? 'unicast', protocol: kernel.protocol, nexthops: kernelHops(kernel) } : null };
    const present = Boolean(rib?.installed && kernel && (kernel.type ?? 'unicast') === 'unicast');
    const width = (n: number) => want === undefined || n === want;
    return { pass: present && width(seen.rib!.nexthops.length) && width(seen.kernel!.nexthops.length), seen };
  });
  const expected = this.isNot ? `no installed route to ${prefix}${want === undefined ? '' : ` with ${want} next hops`}` : `a selected, installed route to ${prefix}${want === undefined ? '' : ` with ${want} next hops`} in the RIB and the kernel FIB`;
  const seen = last.seen;
  const shown = `RIB: ${seen.rib ? `${seen.rib.protocol}${seen.rib.installed ? '' : ' (not installed)'} via ${seen.rib.nexthops.join(', ') || 'nothing'}` : 'no route'}; kernel: ${seen.kernel ? `${seen.kernel.type} (${seen.kernel.protocol ?? '?'}) via ${seen.kernel.nexthops.join(', ') || 'nothing'}` : 'no route'}`;
  return {
    pass: last.pass,
    message: () => `${node.name}: expected ${expected}; last seen after ${seconds(last.elapsedMs)}: ${shown}`,
    actual: seen,
    expected: this.isNot ? { route: null } : { route: prefix, nexthops: want ?? 'any' },
  };
}

async function toHaveEstablishedSessions(this: MatcherContext, received: unknown): Promise<MatcherResult> {
  const node = asNode(received, 'toHaveEstablishedSessions');
  const lab = labOf(node);
  if (!node.frrDaemons.includes('bgpd')) throw new Error(`toHaveEstablishedSessions: ${node.name} runs no bgpd (daemons: ${node.frrDaemons.join(', ') || 'none'})`);
  const last = await pollUntil(this.isNot, checkTimeoutMs(lab), async () => {
    const fabric = await discoverFabric(lab);
    const expected = fabric.sessions.filter((s) => s.at === node.name);
    const summaries = await observeSummaries(lab, [node.name]);
    const culprits = sessionCulprits(expected, summaries);
    const peers = Object.fromEntries(Object.entries(summaries.get(node.name)?.peers ?? {}).map(([k, p]) => [k, p.state]));
    return { pass: culprits.length === 0 && expected.length > 0, culprits, expected: expected.map((s) => `${s.neighbor} (${s.peerAddress}) over ${s.iface}`), peers };
  }).catch((e: unknown) => ({ pass: false, culprits: [(e as Error).message], expected: [] as string[], peers: {}, elapsedMs: 0 }));
  return {
    pass: last.pass,
    message: () =>
      this.isNot
        ? `${node.name}: expected a session that is not Established, but all ${last.expected.length} are`
        : `${node.name}: expected every BGP session Established (${last.expected.join(', ') || 'none expected: no link to another BGP router'}); after ${seconds(last.elapsedMs)}:\n${last.culprits.join('\n') || 'no sessions to check'}`,
    actual: last.peers,
    expected: Object.fromEntries(last.expected.map((s) => [s, 'Established'])),
  };
}

function toHaveNoCulprits(this: MatcherContext, received: unknown, what: string): MatcherResult {
  if (!Array.isArray(received) || received.some((c) => typeof c !== 'string')) throw new TypeError(`toHaveNoCulprits: expect() a list of culprit strings; got ${typeof received}`);
  const culprits = received as string[];
  return {
    pass: culprits.length === 0,
    message: () => (this.isNot ? `expected ${what}, found none` : `${culprits.length} ${what}:\n${culprits.join('\n')}`),
    actual: culprits,
    expected: [],
  };
}

expect.extend({ toReach, toHaveRoute, toHaveEstablishedSessions, toHaveNoCulprits });
