// What changed between two snapshots of a lab, and whether it is worse: the engine behind
// `netproof change` and `run --baseline`. Pure. Everything but figures is compared exactly (a
// snapshot holds only what a healthy lab reproduces); figures move between healthy runs, so a
// figure counts only beyond the tolerance. A user can accept a difference as intended by its
// kind and subject, which are stable between runs.
import { InvalidInputError, type Problem } from '../errors.ts';
import { DEFAULT_FIGURE_TOLERANCE, detectionTimeMs, type FigureTolerance } from '../model/intent.ts';
import type { BfdState, RouteState, RouterState, Snapshot } from './snapshot.ts';

export const DIFFERENCE_KINDS = ['session', 'route', 'nexthop', 'bfd', 'asn', 'hash', 'hash6', 'mtu', 'reachability', 'acl', 'packet-size', 'figure', 'check'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];
export type Verdict = 'regression' | 'improvement' | 'neutral';
/** null = absent on that side. */
export type Value = string | number | string[] | null;

export interface Difference {
  kind: DifferenceKind;
  /** What differs, stable between runs so a user can accept it: e.g. `leaf3 10.255.2.3/32`, `vm1 → vm2 tcp/5432`, `loss_window_ms.grey`, `leaf1 → spine1` (session/bfd: `ROUTER → PEERKEY`). */
  subject: string;
  before: Value;
  after: Value;
  verdict: Verdict;
  /** One line for people: `leaf3: 10.255.2.3/32 lost (was 2 next hops via spine1, spine2)`, `vm1 → vm2 tcp/5432: allow → deny`, `loss_window_ms.grey: 870 → 6100 ms`. */
  message: string;
  /** Set by applyAccepted: the user said this difference is intended. */
  intended?: boolean;
}

/** Below these, a figure's move is noise whatever the tolerance says: on a shared 2-core CI machine timings wander by this much between healthy runs. */
export const FIGURE_NOISE_FLOOR: Record<string, number> = { ms: 200, s: 2 };
/** Figures that count things that worked: more is better. */
const HIGHER_IS_BETTER = ['passed', 'reachable', 'complete', 'paths_used', 'nexthops_installed', 'largest_inner_packet'];

export function diffSnapshots(before: Snapshot, after: Snapshot, tolerance: FigureTolerance = DEFAULT_FIGURE_TOLERANCE): Difference[] {
  const out: Difference[] = [];
  for (const name of union(before.routers, after.routers)) {
    const b = before.routers[name];
    const a = after.routers[name];
    if (!a) {
      const n = Object.keys(b!.sessions).length;
      out.push({ kind: 'session', subject: name, before: sortedKeys(b!.sessions), after: null, verdict: 'regression', message: `${name}: gone (it had ${plural(n, 'session')})` });
    } else if (!b) {
      out.push({ kind: 'session', subject: name, before: null, after: sortedKeys(a.sessions), verdict: 'neutral', message: `${name}: new router` });
    } else {
      out.push(...diffRouter(name, b, a));
    }
  }
  out.push(...diffMtu(before.mtu, after.mtu));
  // A cell one side did not probe (its check was not run, or a VM is new or gone) is no evidence either way.
  out.push(...diffProbed('reachability', before.reachability, after.reachability, (b, a) => (b === null || a === null ? 'neutral' : b === 'reply' ? 'regression' : 'improvement')));
  // Closing a port breaks clients, opening one is a hole: either needs the user's word.
  out.push(...diffProbed('acl', before.acl, after.acl, (b, a) => (b === null || a === null ? 'neutral' : 'regression')));
  out.push(...diffPacketSize(before.largestPacket, after.largestPacket));
  out.push(...diffFigures(before.figures, after.figures, tolerance));
  out.push(...diffChecks(before.checks, after.checks));
  return sortDifferences(out);
}

export function sortDifferences(ds: Difference[]): Difference[] {
  const rank = (k: DifferenceKind) => DIFFERENCE_KINDS.indexOf(k);
  return [...ds].sort((x, y) => rank(x.kind) - rank(y.kind) || compareNames(x.subject, y.subject));
}

// ---------------------------------------------------------------- routers

function diffRouter(router: string, b: RouterState, a: RouterState): Difference[] {
  const out: Difference[] = [];
  for (const key of union(b.sessions, a.sessions)) {
    const subject = `${router} → ${key}`;
    const was = b.sessions[key]?.state ?? null;
    const now = a.sessions[key]?.state ?? null;
    if (was === now) continue; // prefix counts alone: the routes show what matters
    if (now === null) out.push({ kind: 'session', subject, before: was, after: null, verdict: 'regression', message: `${subject}: session gone (was ${was})` });
    else if (was === null) out.push({ kind: 'session', subject, before: null, after: now, verdict: 'neutral', message: `${subject}: new session (${now})` });
    else {
      const verdict = was === 'Established' ? 'regression' : now === 'Established' ? 'improvement' : 'neutral';
      out.push({ kind: 'session', subject, before: was, after: now, verdict, message: `${subject}: ${was} → ${now}` });
    }
  }

  const rib = diffRoutes(router, b.rib, a.rib, `${router} `, '');
  const ribByPrefix = new Map(rib.map((d) => [d.prefix, d.diff]));
  out.push(...rib.map((d) => d.diff));
  for (const { prefix, diff } of diffRoutes(router, b.fib, a.fib, `${router} fib `, ' in the kernel FIB')) {
    // The kernel following zebra is the normal case: say it once, by the RIB.
    const same = ribByPrefix.get(prefix);
    if (same && same.kind === diff.kind && sameValue(same.before, diff.before) && sameValue(same.after, diff.after)) continue;
    out.push(diff);
  }

  for (const key of union(b.bfd, a.bfd)) {
    const d = diffBfd(`${router} → ${key}`, b.bfd[key], a.bfd[key]);
    if (d) out.push(d);
  }

  if (b.asn !== a.asn) {
    out.push({ kind: 'asn', subject: router, before: b.asn ?? null, after: a.asn ?? null, verdict: 'neutral', message: `${router}: ASN ${show(b.asn)} → ${show(a.asn)}` });
  }
  if (b.multipathHash !== a.multipathHash) {
    // l3 puts every flow between two hosts on one path; l4 spreads them.
    const verdict = b.multipathHash === 'l4' ? 'regression' : a.multipathHash === 'l4' ? 'improvement' : 'neutral';
    out.push({ kind: 'hash', subject: router, before: b.multipathHash ?? null, after: a.multipathHash ?? null, verdict, message: `${router}: multipath hash ${show(b.multipathHash)} → ${show(a.multipathHash)}` });
  }
  // IPv6 hashes by a sysctl of its own (a dual-stack or IPv6-only lab's snapshots hold it).
  if (b.multipathHash6 !== a.multipathHash6) {
    const verdict = b.multipathHash6 === 'l4' ? 'regression' : a.multipathHash6 === 'l4' ? 'improvement' : 'neutral';
    out.push({ kind: 'hash6', subject: router, before: b.multipathHash6 ?? null, after: a.multipathHash6 ?? null, verdict, message: `${router}: IPv6 multipath hash ${show(b.multipathHash6)} → ${show(a.multipathHash6)}` });
  }
  return out;
}

function diffRoutes(router: string, before: Record<string, RouteState>, after: Record<string, RouteState>, subjectPrefix: string, where: string): { prefix: string; diff: Difference }[] {
  const out: { prefix: string; diff: Difference }[] = [];
  for (const prefix of union(before, after)) {
    const subject = `${subjectPrefix}${prefix}`;
    const at = `${router}: ${prefix}${where}`;
    const b = before[prefix];
    const a = after[prefix];
    const bh = b ? routeValue(b) : null;
    const ah = a ? routeValue(a) : null;
    let diff: Difference | undefined;
    if (!a) {
      diff = { kind: 'route', subject, before: bh, after: null, verdict: 'regression', message: `${at} lost (was ${viaText(b!)})` };
    } else if (!b) {
      diff = { kind: 'route', subject, before: null, after: ah, verdict: 'neutral', message: `${at} added (${viaText(a)})` };
    } else if (b.protocol !== a.protocol) {
      const verdict = b.protocol === 'bgp' ? 'regression' : 'neutral';
      diff = { kind: 'route', subject, before: b.protocol, after: a.protocol, verdict, message: `${at} now ${a.protocol} (was ${b.protocol})` };
    } else if (!sameValue(bh, ah)) {
      const lost = b.nexthops.filter((h) => !a.nexthops.includes(h));
      const gained = a.nexthops.filter((h) => !b.nexthops.includes(h));
      const [bc, ac] = [used(b), used(a)];
      const verdict = ac < bc ? 'regression' : ac > bc ? 'improvement' : 'neutral';
      const reweighted = !lost.length && !gained.length && weightText(b) !== weightText(a) ? `${weightText(b)} → ${weightText(a)}` : '';
      const what = [lost.length ? `lost ${sorted(lost).join(', ')}` : '', gained.length ? `gained ${sorted(gained).join(', ')}` : '', b.uses !== a.uses ? `${choice(b)} → ${choice(a)}` : '', reweighted].filter(Boolean).join(', ');
      diff = { kind: 'nexthop', subject, before: bh, after: ah, verdict, message: `${at} next hops ${bc} → ${ac} (${what})` };
    }
    if (diff) out.push({ prefix, diff });
  }
  return out;
}

/** How many next hops the route uses. */
const used = (r: RouteState) => r.uses ?? r.nexthops.length;
const choice = (r: RouteState) => (r.uses === undefined ? `all ${r.nexthops.length} used` : `${r.uses} of ${r.nexthops.length} used`);

/** A route as a diff value: its next hops (with their weights, on a weighted route), and when BGP installs only some of them, how many. */
export function routeValue(r: RouteState): string[] {
  const hops = sorted(r.nexthops).map((h) => (r.weights?.[h] !== undefined ? `${h} (weight ${r.weights[h]})` : h));
  return r.uses === undefined ? hops : [...hops, `(${r.uses} used)`];
}

/** `weights 75/25` in next-hop order, or `equal weights`. */
const weightText = (r: RouteState) => (r.weights ? `weights ${sorted(r.nexthops).map((h) => r.weights![h] ?? 1).join('/')}` : 'equal weights');

/** `2 next hops via spine1, spine2`: the neighbours of `eth1 → spine1` labels; a connected route's `eth1` as is. */
function viaText(r: RouteState): string {
  const neighbours = [...new Set(sorted(r.nexthops).map((h) => (h.includes(' → ') ? h.slice(h.indexOf(' → ') + 3) : h)))];
  const count = r.uses === undefined ? plural(r.nexthops.length, 'next hop') : `${plural(r.uses, 'next hop')} of ${r.nexthops.length}`;
  return `${count}${neighbours.length ? ` via ${neighbours.join(', ')}` : ''}`;
}

function diffBfd(subject: string, b: BfdState | undefined, a: BfdState | undefined): Difference | undefined {
  if (!b && !a) return undefined;
  if (!a) return { kind: 'bfd', subject, before: bfdValue(b!), after: null, verdict: 'regression', message: `${subject}: BFD session gone` };
  if (!b) return { kind: 'bfd', subject, before: null, after: bfdValue(a), verdict: 'neutral', message: `${subject}: new BFD session (${bfdValue(a)})` };
  if (bfdValue(b) === bfdValue(a)) return undefined;
  const verdicts: Verdict[] = [];
  const parts: string[] = [];
  if (b.status !== a.status) {
    verdicts.push(b.status === 'up' ? 'regression' : a.status === 'up' ? 'improvement' : 'neutral');
    parts.push(`${b.status} → ${a.status}`);
  }
  if (bfdTimers(b) !== bfdTimers(a)) {
    const was = detectionTimeMs(b);
    const now = detectionTimeMs(a);
    verdicts.push(now > was ? 'regression' : now < was ? 'improvement' : 'neutral');
    parts.push(`${bfdTimers(b)} → ${bfdTimers(a)} (detection ${was} → ${now} ms)`);
  }
  // A session that goes down is not made good by faster timers.
  const verdict = verdicts.includes('regression') ? 'regression' : verdicts.includes('improvement') ? 'improvement' : 'neutral';
  return { kind: 'bfd', subject, before: bfdValue(b), after: bfdValue(a), verdict, message: `${subject}: BFD ${parts.join(', ')}` };
}

/** `up 3×300/300 ms`: status, multiplier × transmit/receive interval. */
export function bfdValue(s: BfdState): string {
  return `${s.status} ${s.detectMultiplier}×${s.transmitIntervalMs}/${s.receiveIntervalMs} ms`;
}

/** `3 × 300 ms`, or `3 × 300/1000 ms` when the intervals differ. */
function bfdTimers(s: BfdState): string {
  const iv = s.transmitIntervalMs === s.receiveIntervalMs ? `${s.transmitIntervalMs}` : `${s.transmitIntervalMs}/${s.receiveIntervalMs}`;
  return `${s.detectMultiplier} × ${iv} ms`;
}

// ---------------------------------------------------------------- lab-wide records

function diffMtu(before: Record<string, number>, after: Record<string, number>): Difference[] {
  const out: Difference[] = [];
  for (const key of union(before, after)) {
    const b = before[key] ?? null;
    const a = after[key] ?? null;
    // A smaller MTU that matters shows up as a smaller largest packet.
    if (b !== a) out.push({ kind: 'mtu', subject: key, before: b, after: a, verdict: 'neutral', message: `${key}: MTU ${show(b)} → ${show(a)}` });
  }
  return out;
}

/** Reachability and ACL cells: absent means the pair was not probed. */
function diffProbed(kind: 'reachability' | 'acl', before: Record<string, string>, after: Record<string, string>, judge: (b: string | null, a: string | null) => Verdict): Difference[] {
  const out: Difference[] = [];
  const text = (v: string | null) => v ?? 'not probed';
  for (const key of union(before, after)) {
    const b = before[key] ?? null;
    const a = after[key] ?? null;
    if (b !== a) out.push({ kind, subject: key, before: b, after: a, verdict: judge(b, a), message: `${key}: ${text(b)} → ${text(a)}` });
  }
  return out;
}

function diffPacketSize(before: Record<string, number>, after: Record<string, number>): Difference[] {
  const out: Difference[] = [];
  const text = (v: number | null) => (v === null ? 'not measured' : `${v} B`);
  for (const key of union(before, after)) {
    const b = before[key] ?? null;
    const a = after[key] ?? null;
    if (b === a) continue;
    const verdict = b === null || a === null ? 'neutral' : a < b ? 'regression' : 'improvement';
    const message = b !== null && a !== null ? `${key}: largest DF packet ${b} → ${a} B` : `${key}: largest DF packet ${text(b)} → ${text(a)}`;
    out.push({ kind: 'packet-size', subject: key, before: b, after: a, verdict, message });
  }
  return out;
}

function diffFigures(before: Snapshot['figures'], after: Snapshot['figures'], tolerance: FigureTolerance): Difference[] {
  const out: Difference[] = [];
  for (const name of union(before, after)) {
    const b = before[name];
    const a = after[name];
    if (!b || !a) continue; // a figure measured once says nothing about a change
    if (b.unit !== a.unit) {
      out.push({ kind: 'figure', subject: name, before: b.value, after: a.value, verdict: 'neutral', message: `${name}: ${b.value} ${b.unit} → ${a.value} ${a.unit}` });
      continue;
    }
    // Relative to the smaller side, so a tolerance means the same both ways (100 %: doubled or halved).
    const delta = Math.abs(a.value - b.value);
    if (delta <= tolerance.relative * Math.min(Math.abs(b.value), Math.abs(a.value)) || delta <= (FIGURE_NOISE_FLOOR[b.unit] ?? 0)) continue;
    const better = figureDirection(name, b.unit);
    const verdict = better === 'neutral' ? 'neutral' : (a.value < b.value) === (better === 'lower') ? 'improvement' : 'regression';
    out.push({ kind: 'figure', subject: name, before: b.value, after: a.value, verdict, message: `${name}: ${b.value} → ${a.value}${b.unit ? ` ${b.unit}` : ''}` });
  }
  return out;
}

function figureDirection(name: string, unit: string): 'lower' | 'higher' | 'neutral' {
  if (unit === 'ms' || unit === 's') return 'lower';
  if (HIGHER_IS_BETTER.some((w) => name.includes(w))) return 'higher';
  return 'neutral';
}

function diffChecks(before: Snapshot['checks'], after: Snapshot['checks']): Difference[] {
  const out: Difference[] = [];
  for (const name of union(before, after)) {
    const b = before[name];
    const a = after[name];
    if (!b || !a || b === a) continue; // a test added or removed is the suite's change, not the lab's
    const verdict = b === 'passed' && a === 'failed' ? 'regression' : b === 'failed' && a === 'passed' ? 'improvement' : 'neutral';
    out.push({ kind: 'check', subject: name, before: b, after: a, verdict, message: `${name}: ${b} → ${a}` });
  }
  return out;
}

// ---------------------------------------------------------------- accepting intended differences

/** An entry of an --accept file: the shape of a diff.json difference; only kind and subject are required, before/after are matched when given. */
export interface Accepted {
  kind: DifferenceKind;
  subject: string;
  before?: Value;
  after?: Value;
  /** Kept from a copied diff.json entry: a neutral or improvement entry that does not recur is not a failure. */
  verdict?: Verdict;
}

export interface Unmet {
  accepted: Accepted;
  /** e.g. `expected vm1 → vm2 tcp/22 deny → allow, but it stayed deny` */
  message: string;
}

export function applyAccepted(diffs: Difference[], accepted: Accepted[], after: Snapshot): { differences: Difference[]; unmet: Unmet[] } {
  const used = new Set<Accepted>();
  const differences = diffs.map((d) => {
    const by = accepted.filter((a) => matches(d, a));
    by.forEach((a) => used.add(a));
    return by.length ? { ...d, intended: true } : d;
  });
  // An entry copied from a diff.json with a neutral or improvement verdict may not recur (a figure
  // wanders, a choice is arbitrary): only a regression, or an entry written by hand, must happen.
  const mustHappen = (a: Accepted) => a.verdict === undefined || a.verdict === 'regression';
  const unmet = accepted.filter((a) => !used.has(a) && mustHappen(a)).map((a) => ({ accepted: a, message: unmetMessage(a, diffs, after) }));
  return { differences, unmet };
}

function matches(d: Difference, a: Accepted): boolean {
  return d.kind === a.kind && d.subject === a.subject && (a.before === undefined || sameValue(a.before, d.before)) && (a.after === undefined || sameValue(a.after, d.after));
}

function unmetMessage(a: Accepted, diffs: Difference[], after: Snapshot): string {
  if (a.before === undefined && a.after === undefined) return `expected a change of ${a.subject} (${a.kind}), but there was none`;
  const expected =
    a.before === undefined ? `to become ${formatValue(a.after!)}` : a.after === undefined ? `to change from ${formatValue(a.before)}` : `${formatValue(a.before)} → ${formatValue(a.after)}`;
  // It did change, just not as expected: say how.
  const other = diffs.find((d) => d.kind === a.kind && d.subject === a.subject);
  if (other) return `expected ${a.subject} ${expected}, but it changed ${formatValue(other.before)} → ${formatValue(other.after)}`;
  // A route's protocol change is accepted by protocol, any other route difference by next hops.
  const byProtocol = a.kind === 'route' && (typeof a.before === 'string' || typeof a.after === 'string');
  const current = byProtocol ? (routeOf(after, a.subject)?.protocol ?? null) : valueOf(after, a.kind, a.subject);
  return `expected ${a.subject} ${expected}, but it stayed ${formatValue(current)}`;
}

/** The value a difference of this kind and subject would show for this snapshot; null when absent. */
export function valueOf(s: Snapshot, kind: DifferenceKind, subject: string): Value {
  switch (kind) {
    case 'session': {
      const i = subject.indexOf(' → ');
      if (i < 0) return s.routers[subject] ? sortedKeys(s.routers[subject].sessions) : null;
      return s.routers[subject.slice(0, i)]?.sessions[subject.slice(i + 3)]?.state ?? null;
    }
    case 'route':
    case 'nexthop': {
      const r = routeOf(s, subject);
      return r ? routeValue(r) : null;
    }
    case 'bfd': {
      const i = subject.indexOf(' → ');
      const b = i < 0 ? undefined : s.routers[subject.slice(0, i)]?.bfd[subject.slice(i + 3)];
      return b ? bfdValue(b) : null;
    }
    case 'asn':
      return s.routers[subject]?.asn ?? null;
    case 'hash':
      return s.routers[subject]?.multipathHash ?? null;
    case 'hash6':
      return s.routers[subject]?.multipathHash6 ?? null;
    case 'mtu':
      return s.mtu[subject] ?? null;
    case 'reachability':
      return s.reachability[subject] ?? null;
    case 'acl':
      return s.acl[subject] ?? null;
    case 'packet-size':
      return s.largestPacket[subject] ?? null;
    case 'figure':
      return s.figures[subject]?.value ?? null;
    case 'check':
      return s.checks[subject] ?? null;
  }
}

/** `leaf3 10.255.2.3/32` (RIB) or `leaf3 fib 10.255.2.3/32` (kernel). */
function routeOf(s: Snapshot, subject: string): RouteState | undefined {
  const [router, second, ...rest] = subject.split(' ');
  const r = s.routers[router!];
  if (!r || second === undefined) return undefined;
  return second === 'fib' && rest.length ? r.fib[rest.join(' ')] : r.rib[[second, ...rest].join(' ')];
}

/** For people: absent for null, `[a, b]` for lists. */
export function formatValue(v: Value): string {
  if (v === null) return 'absent';
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return String(v);
}

/** Accepted differences from an --accept file: a whole diff.json, or a bare array of entries. Throws InvalidInputError listing every malformed entry. */
export function parseAccepted(json: unknown, file: string): Accepted[] {
  const problem = (field: string, message: string, fix: string): Problem => ({ file, line: 1, column: 1, field, message, fix });
  let entries: unknown[];
  let base: string;
  if (Array.isArray(json)) {
    entries = json;
    base = '';
  } else if (isObject(json) && Array.isArray(json.differences)) {
    entries = json.differences;
    base = 'differences';
  } else {
    throw new InvalidInputError([problem('(file)', 'is neither a diff.json (an object with a differences array) nor an array of differences', 'pass the diff.json that `netproof change` wrote, or a JSON array of { kind, subject } entries')]);
  }

  const problems: Problem[] = [];
  const kinds = DIFFERENCE_KINDS.join(', ');
  const out: Accepted[] = [];
  entries.forEach((e, i) => {
    const at = `${base}[${i}]`;
    if (!isObject(e)) {
      problems.push(problem(at, 'is not an object', 'write each entry as { "kind": …, "subject": … }'));
      return;
    }
    const before = problems.length;
    if (e.kind === undefined) problems.push(problem(`${at}.kind`, 'is missing', `set kind to one of ${kinds}`));
    else if (typeof e.kind !== 'string' || !(DIFFERENCE_KINDS as readonly string[]).includes(e.kind)) problems.push(problem(`${at}.kind`, `is ${JSON.stringify(e.kind)}, not a kind of difference`, `use one of ${kinds}`));
    if (e.subject === undefined) problems.push(problem(`${at}.subject`, 'is missing', 'copy the subject of the difference from diff.json, e.g. "leaf3 10.255.2.3/32"'));
    else if (typeof e.subject !== 'string' || e.subject === '') problems.push(problem(`${at}.subject`, `is ${JSON.stringify(e.subject)}, not a subject`, 'copy the subject of the difference from diff.json, e.g. "leaf3 10.255.2.3/32"'));
    for (const side of ['before', 'after'] as const) {
      if (e[side] !== undefined && !isValue(e[side])) problems.push(problem(`${at}.${side}`, `is ${JSON.stringify(e[side])}, not a value`, 'use a string, a number, a list of strings or null (absent), or leave it out to accept any'));
    }
    if (problems.length > before) return;
    const entry: Accepted = { kind: e.kind as DifferenceKind, subject: e.subject as string };
    if (e.before !== undefined) entry.before = e.before as Value;
    if (e.after !== undefined) entry.after = e.after as Value;
    if (e.verdict === 'regression' || e.verdict === 'improvement' || e.verdict === 'neutral') entry.verdict = e.verdict;
    out.push(entry);
  });
  if (problems.length) throw new InvalidInputError(problems);
  return out;
}

// ---------------------------------------------------------------- helpers

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isValue(v: unknown): v is Value {
  return v === null || typeof v === 'string' || typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

/** Deep equality of values; lists compared as sorted lists. */
function sameValue(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const x = sorted(a);
    const y = sorted(b);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return a === b;
}

function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

const sorted = (xs: string[]) => [...xs].sort(compareNames);
const sortedKeys = (r: Record<string, unknown>) => sorted(Object.keys(r));
const union = (a: Record<string, unknown>, b: Record<string, unknown>) => sorted([...new Set([...Object.keys(a), ...Object.keys(b)])]);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const show = (v: string | number | null | undefined) => (v === null || v === undefined ? 'absent' : String(v));
