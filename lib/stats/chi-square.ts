// Is traffic spread evenly over equal-cost paths (or in the declared proportions, on weighted
// ones)? Pearson's chi-square goodness-of-fit test of observed flow counts per path against the
// expected split. Flows, not packets, are the unit:
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
  return chiSquareFit(counts, counts.map(() => 1 / counts.length), alpha);
}

/** The same test against `shares` (one per path, summing to 1): weighted ECMP's declared split. */
export function chiSquareFit(counts: readonly number[], shares: readonly number[], alpha = ECMP_ALPHA): UniformityTest {
  if (counts.length < 2) throw new Error('a goodness-of-fit test needs at least two paths');
  if (shares.length !== counts.length) throw new Error(`${counts.length} paths counted but ${shares.length} shares expected`);
  if (shares.some((s) => !(s > 0)) || Math.abs(shares.reduce((a, b) => a + b, 0) - 1) > 1e-9) throw new Error(`shares must be positive and sum to 1 (got ${shares.join(', ')})`);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error('no flows were counted on any path');
  const statistic = counts.reduce((s, o, i) => s + (o - total * shares[i]!) ** 2 / (total * shares[i]!), 0);
  const dof = counts.length - 1;
  const critical = quantile(1 - alpha, dof);
  const pValue = 1 - cdf(statistic, dof);
  return { statistic, dof, alpha, critical, pValue, pass: statistic <= critical };
}
