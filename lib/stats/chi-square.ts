// Is traffic spread evenly over equal-cost paths? Pearson's chi-square goodness-of-fit test of
// observed flow counts per path against a uniform split. Flows, not packets, are the unit:
// ECMP hashes whole flows, so packets of one flow are not independent trials. Pure.
import cdf from '@stdlib/stats-base-dists-chisquare-cdf';
import quantile from '@stdlib/stats-base-dists-chisquare-quantile';

/** Significance used by the ECMP suite: a healthy hash fails it one run in a thousand. */
export const ECMP_ALPHA = 0.001;

export interface UniformityTest {
  statistic: number;
  dof: number;
  alpha: number;
  /** The statistic above which uniformity is rejected at `alpha`. */
  critical: number;
  pValue: number;
  pass: boolean;
}

export function chiSquareUniform(counts: readonly number[], alpha = ECMP_ALPHA): UniformityTest {
  if (counts.length < 2) throw new Error('a uniformity test needs at least two paths');
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error('no flows were counted on any path');
  const expected = total / counts.length;
  const statistic = counts.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
  const dof = counts.length - 1;
  const critical = quantile(1 - alpha, dof);
  const pValue = 1 - cdf(statistic, dof);
  return { statistic, dof, alpha, critical, pValue, pass: statistic <= critical };
}
