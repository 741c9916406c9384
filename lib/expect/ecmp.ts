// Did a router spread its flows over every equal-cost path it was meant to? Culprits name the
// router, the per-path split, and the statistics. Pure.
import { hashPolicyName, hashPolicySysctl } from '../model/intent.ts';
import { familyOf } from '../plan/expected-routing.ts';
import type { RouterSpread } from '../probes/ecmp.ts';

/** Below this share of flows counted, the measurement itself failed (lost probes, counters not hit). */
export const MIN_COUNTED_SHARE = 0.9;

export function spreadCulprits(m: RouterSpread, width: number): string[] {
  const split = m.histogram.map((h) => `${h.flows} via ${h.path}`).join(', ');
  const towards = `${m.router} → ${m.dstIp} (${m.owner})`;
  const out: string[] = [];
  if (m.sprayed.length) out.push(`${towards}: ${m.sprayed.length} of ${m.sent} flows left by more than one path (packets sprayed per packet, not hashed per flow), e.g. source port ${m.sprayed[0]}`);
  const counted = m.sent - m.unseen;
  if (counted < m.sent * MIN_COUNTED_SHARE) out.push(`${towards}: only ${counted} of ${m.sent} probe flows were seen leaving by any of its equal-cost next hops (${split})`);
  const used = m.histogram.filter((h) => h.flows > 0).length;
  // L3-only hashing sends every flow between two addresses one way: the likeliest cause of an unused path.
  const l3 = hashPolicyName(m.hashPolicy) === 'l3' ? `; ${m.router} has ${hashPolicySysctl(familyOf(m.dstIp))}=0 (L3 only)` : '';
  if (used < width) out.push(`${towards}: ${m.sent} flows used ${used} of its ${width} equal-cost paths: ${split}${l3}`);
  else if (m.chiSquare && !m.chiSquare.pass) {
    const t = m.chiSquare;
    const how = m.expectedShares ? `not in the declared proportions (${m.expectedShares.map((s) => `${(s * 100).toFixed(0)} %`).join(' / ')}, from the declared link bandwidths)` : 'unevenly';
    out.push(`${towards}: ${m.sent} flows spread ${how}: ${split}; chi-square ${t.statistic.toFixed(1)} > ${t.critical.toFixed(2)} (α=${t.alpha.toPrecision(2)}, ${t.dof} dof)`);
  }
  return out;
}
