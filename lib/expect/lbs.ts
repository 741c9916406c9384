// Load balancers: the spread of a client's connections over a VIP's backends (every backend
// used, and a chi-square test of uniformity, as for ECMP), and OVN's northbound Load_Balancer
// rows against what the intent renders, so a failure names the object to fix, e.g. `load
// balancer web: VIP 172.24.4.50:80 → 10.20.1.11:80,10.20.1.13:81, declared …`. Pure.
import type { LoadBalancer, Overlay } from '../model/overlay.ts';
import type { NbLoadBalancer } from '../probes/ovn-lbs.ts';
import type { Attempt } from '../probes/traffic.ts';
import { vipKey } from '../render/ovn.ts';
import { chiSquareUniform, ECMP_ALPHA, type UniformityTest } from '../stats/chi-square.ts';
import { lbLabel } from '../plan/lb-plan.ts';

export interface Spread {
  /** Backend VM → connections it answered, every backend listed. */
  counts: Record<string, number>;
  failed: Attempt[];
  /** Answers from something that is not a backend (a wrong VIP, a NAT rule in the way). */
  strangers: string[];
  chiSquare?: UniformityTest;
}

/**
 * Tally one client's attempts to a VIP by the backend that answered. `alpha` is this spread's
 * share of the suite's: a suite testing k spreads passes its α / k (Bonferroni, as the ECMP
 * suite does per router), so a healthy run fails at the suite's rate, not k times as often.
 */
export function tallySpread(lb: Pick<LoadBalancer, 'backends'>, attempts: readonly Attempt[], alpha = ECMP_ALPHA): Spread {
  const counts = Object.fromEntries(lb.backends.map((b) => [b, 0]));
  const failed: Attempt[] = [];
  const strangers: string[] = [];
  for (const a of attempts) {
    if (!a.ok) failed.push(a);
    else if (a.by !== undefined && Object.hasOwn(counts, a.by)) counts[a.by]! += 1;
    else strangers.push(a.by ?? 'something without a source echo');
  }
  const spread: Spread = { counts, failed, strangers };
  const answered = Object.values(counts);
  if (answered.length >= 2 && answered.some((n) => n > 0)) spread.chiSquare = chiSquareUniform(answered, alpha);
  return spread;
}

/** What is wrong with one client's spread over a VIP, one line each; empty when every connection was answered by a backend and the split passes. */
export function spreadProblems(overlay: Overlay, lb: LoadBalancer, client: string, s: Spread): string[] {
  const total = Object.values(s.counts).reduce((a, b) => a + b, 0) + s.failed.length + s.strangers.length;
  const at = `${lbLabel(lb)} from ${client}`;
  const ip = (vm: string) => overlay.vms.find((v) => v.name === vm)?.ip ?? '?';
  const lines: string[] = [];
  if (s.failed.length) {
    const why = [...new Set(s.failed.map((f) => f.detail))].join('; ');
    lines.push(`${at}: ${s.failed.length} of ${total} connections failed (${why})`);
  }
  for (const [b, n] of Object.entries(s.counts)) if (n === 0) lines.push(`${at}: backend ${b} (${ip(b)}:${lb.backendPort}) answered none of ${total} connections`);
  if (s.strangers.length) lines.push(`${at}: ${s.strangers.length} connections answered by ${[...new Set(s.strangers)].join(', ')}, not a backend (${lb.backends.join(', ')})`);
  const t = s.chiSquare;
  if (t && !t.pass && lines.length === 0) {
    const split = Object.entries(s.counts).map(([b, n]) => `${b} ${n}`).join(', ');
    lines.push(`${at}: connections are not spread evenly (${split}): chi-square ${t.statistic.toFixed(1)} > ${t.critical.toFixed(1)} (${t.dof} dof, α = ${t.alpha}, p = ${t.pValue.toExponential(1)})`);
  }
  return lines;
}

/** The backends a load balancer's VIP maps to as ovn-nbctl writes them: `10.20.1.11:80,10.20.1.13:80`. */
export function declaredBackends(overlay: Overlay, lb: LoadBalancer): string {
  return lb.backends.map((b) => `${overlay.vms.find((v) => v.name === b)!.ip}:${lb.backendPort}`).join(',');
}

const sortedList = (s: string) => s.split(',').filter(Boolean).sort().join(',');

/** One line per northbound load balancer that differs from the intent; empty when they match. */
export function lbDifferences(overlay: Overlay, listed: readonly NbLoadBalancer[]): string[] {
  const lines: string[] = [];
  for (const lb of overlay.loadBalancers) {
    const where = `load-balancers.${lb.name}`;
    const nb = listed.find((l) => l.name === lb.name);
    if (!nb) {
      lines.push(`load balancer ${lb.name}: declared (${where}) but missing from the northbound DB`);
      continue;
    }
    const key = vipKey(lb);
    const want = declaredBackends(overlay, lb);
    if (!Object.hasOwn(nb.vips, key)) lines.push(`load balancer ${lb.name}: no VIP ${key} (it has ${Object.keys(nb.vips).join(', ') || 'none'}), declared in ${where}`);
    else if (sortedList(nb.vips[key]!) !== sortedList(want)) lines.push(`load balancer ${lb.name}: VIP ${key} → ${nb.vips[key] || '(no backends)'}, declared ${want} (${where})`);
    for (const other of Object.keys(nb.vips)) if (other !== key) lines.push(`load balancer ${lb.name}: VIP ${other} → ${nb.vips[other]}, which the intent does not declare`);
    const rejects = nb.options.reject === 'true';
    if (rejects !== (lb.noBackend === 'reject')) lines.push(`load balancer ${lb.name}: options:reject=${nb.options.reject ?? 'unset'}, the intent declares no-backend: ${lb.noBackend} (${where})`);
    const hc = lb.healthCheck;
    if (hc && !nb.healthChecks.length) lines.push(`load balancer ${lb.name}: no health check, declared every ${hc.intervalS} s (${where}.health-check)`);
    if (!hc && nb.healthChecks.length) lines.push(`load balancer ${lb.name}: has a health check, the intent declares none`);
    if (hc) {
      for (const c of nb.healthChecks) {
        const want = { interval: hc.intervalS, timeout: hc.timeoutS, success_count: hc.successCount, failure_count: hc.failureCount };
        const diffs = Object.entries(want).filter(([k, v]) => c.options[k] !== String(v)).map(([k, v]) => `${k} ${c.options[k] ?? 'unset'}, declared ${v}`);
        if (c.vip !== key) diffs.unshift(`vip ${c.vip}, declared ${key}`);
        if (diffs.length) lines.push(`load balancer ${lb.name}: health check ${diffs.join('; ')} (${where}.health-check)`);
      }
    }
  }
  for (const nb of listed) if (!overlay.loadBalancers.some((lb) => lb.name === nb.name)) lines.push(`load balancer ${nb.name}: in the northbound DB, but the intent declares no such load balancer`);
  return lines;
}
