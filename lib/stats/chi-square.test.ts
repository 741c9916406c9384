import { describe, expect, it } from 'vitest';
import { chiSquareFit, chiSquareUniform, ECMP_ALPHA } from './chi-square.ts';

/** Pearson's statistic against a uniform split, written out here independently of the module. */
function pearson(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const e = total / counts.length;
  let s = 0;
  for (const o of counts) s += ((o - e) * (o - e)) / e;
  return s;
}

describe('chiSquareUniform', () => {
  it('uses α = 0.001 unless told otherwise', () => {
    expect(ECMP_ALPHA).toBe(0.001);
    expect(chiSquareUniform([40, 24]).alpha).toBe(0.001);
  });

  it('the statistic of known counts, worked by hand', () => {
    // [40, 24]: expected 32 each; (8² + 8²) / 32 = 4.
    expect(chiSquareUniform([40, 24], 0.001).statistic).toBeCloseTo(4, 12);
    // [10, 20, 30]: expected 20; (100 + 0 + 100) / 20 = 10.
    expect(chiSquareUniform([10, 20, 30], 0.001).statistic).toBeCloseTo(10, 12);
    // [1, 2]: expected 1.5; (0.25 + 0.25) / 1.5 = 1/3 (a non-integer expectation).
    expect(chiSquareUniform([1, 2], 0.001).statistic).toBeCloseTo(1 / 3, 12);
    // A perfectly even split.
    expect(chiSquareUniform([16, 16, 16, 16], 0.001).statistic).toBe(0);
  });

  it.each([
    [[64, 0]],
    [[20, 17, 14, 13]],
    [[9, 1, 5, 3, 7, 11, 2, 26]],
  ])('matches Pearson’s formula for %j', (counts) => {
    expect(chiSquareUniform(counts, 0.001).statistic).toBeCloseTo(pearson(counts), 10);
  });

  it('has k − 1 degrees of freedom', () => {
    for (const k of [2, 3, 4, 8, 16]) expect(chiSquareUniform(Array.from({ length: k }, () => 8), 0.001).dof).toBe(k - 1);
  });

  it('uses the textbook critical values at α = 0.001: 10.83 for 1 dof, 16.27 for 3 dof', () => {
    expect(chiSquareUniform([1, 1], 0.001).critical).toBeCloseTo(10.83, 2);
    expect(chiSquareUniform([1, 1, 1, 1], 0.001).critical).toBeCloseTo(16.27, 2);
    // …and at α = 0.05, 3.84 for 1 dof.
    expect(chiSquareUniform([1, 1], 0.05).critical).toBeCloseTo(3.84, 2);
  });

  describe('pass and fail on either side of the critical value', () => {
    // Two paths, 64 flows: statistic = (a − b)² / 64; critical 10.83 ⇒ |a − b| ≤ 26 passes.
    it('2 paths: 45/19 (statistic 10.56) passes, 46/18 (12.25) fails', () => {
      const pass = chiSquareUniform([45, 19], 0.001);
      expect(pass.statistic).toBeCloseTo(676 / 64, 10);
      expect(pass.statistic).toBeLessThan(pass.critical);
      expect(pass.pass).toBe(true);
      const fail = chiSquareUniform([46, 18], 0.001);
      expect(fail.statistic).toBeCloseTo(784 / 64, 10);
      expect(fail.statistic).toBeGreaterThan(fail.critical);
      expect(fail.pass).toBe(false);
    });

    // Four paths, 64 flows, expected 16: critical 16.27.
    it('4 paths: 26/16/16/6 (statistic 12.5) passes, 28/16/16/4 (18) fails', () => {
      expect(chiSquareUniform([26, 16, 16, 6], 0.001)).toMatchObject({ statistic: 12.5, dof: 3, pass: true });
      expect(chiSquareUniform([28, 16, 16, 4], 0.001)).toMatchObject({ statistic: 18, dof: 3, pass: false });
    });

    it('the same counts pass at α = 0.001 and fail at α = 0.05 (statistic 4 lies between 3.84 and 10.83)', () => {
      expect(chiSquareUniform([40, 24], 0.001).pass).toBe(true);
      expect(chiSquareUniform([40, 24], 0.05).pass).toBe(false);
    });

    it('pass agrees with the p-value: pass ⇔ p ≥ α', () => {
      for (let a = 32; a <= 64; a++) {
        const t = chiSquareUniform([a, 64 - a], 0.001);
        expect(t.pass, `[${a}, ${64 - a}]: statistic ${t.statistic}, p ${t.pValue}`).toBe(t.pValue >= t.alpha);
      }
    });
  });

  it('an even split passes with p-value 1', () => {
    const t = chiSquareUniform([16, 16, 16, 16], 0.001);
    expect(t.pass).toBe(true);
    expect(t.pValue).toBeCloseTo(1, 12);
  });

  it('the p-value of a known statistic: χ² = 4 with 1 dof is p ≈ 0.0455', () => {
    expect(chiSquareUniform([40, 24], 0.001).pValue).toBeCloseTo(0.0455, 4);
  });

  it('the p-value stays in [0, 1] and falls as the split grows more uneven', () => {
    const pValues = [32, 34, 38, 40, 44, 50, 56, 64].map((a) => chiSquareUniform([a, 64 - a], 0.001).pValue);
    for (const p of pValues) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    for (let i = 1; i < pValues.length; i++) expect(pValues[i], `p-values ${pValues.join(', ')}`).toBeLessThan(pValues[i - 1]!);
  });

  it('every flow on one path fails', () => {
    const t = chiSquareUniform([64, 0], 0.001);
    expect(t.statistic).toBe(64);
    expect(t.pass).toBe(false);
    expect(t.pValue).toBeLessThan(1e-6);
    expect(chiSquareUniform([0, 0, 64, 0], 0.001).pass).toBe(false);
  });

  it('refuses fewer than two paths', () => {
    expect(() => chiSquareUniform([], 0.001)).toThrow(/at least two paths/);
    expect(() => chiSquareUniform([64], 0.001)).toThrow(/at least two paths/);
  });

  it('refuses a count with no flows at all', () => {
    expect(() => chiSquareUniform([0, 0], 0.001)).toThrow(/no flows/);
    expect(() => chiSquareUniform([0, 0, 0, 0], 0.001)).toThrow(/no flows/);
  });
});

describe('chiSquareFit (weighted ECMP: against the declared shares)', () => {
  it('768/256 of 1024 flows fits 75 % / 25 % exactly: statistic 0, p-value 1', () => {
    const t = chiSquareFit([768, 256], [0.75, 0.25], 0.001);
    expect(t).toMatchObject({ statistic: 0, dof: 1, alpha: 0.001, pass: true });
    expect(t.pValue).toBeCloseTo(1, 12);
  });

  it('the statistic of known counts, worked by hand', () => {
    // [750, 274] against 768/256: 18²/768 + 18²/256 = 0.421875 + 1.265625.
    expect(chiSquareFit([750, 274], [0.75, 0.25], 0.001).statistic).toBeCloseTo(1.6875, 12);
    // [512, 512] against 768/256: 256²/768 + 256²/256 = 85.33… + 256.
    expect(chiSquareFit([512, 512], [0.75, 0.25], 0.001).statistic).toBeCloseTo(1024 / 3, 10);
    // Three paths, [30, 30, 40] against 25/25/50: 5²/25 + 5²/25 + 10²/50 = 4.
    expect(chiSquareFit([30, 30, 40], [0.25, 0.25, 0.5], 0.001)).toMatchObject({ statistic: 4, dof: 2 });
  });

  it('an even split fails against 75 % / 25 %, and a 75/25 split fails against an even one', () => {
    expect(chiSquareFit([512, 512], [0.75, 0.25], 0.001).pass).toBe(false);
    expect(chiSquareFit([768, 256], [0.5, 0.5], 0.001).pass).toBe(false);
    expect(chiSquareUniform([768, 256], 0.001).pass).toBe(false);
  });

  it('a split near the declared shares passes, one far from them fails (statistic either side of 10.83)', () => {
    // 1024 flows at 75/25: statistic = d²/768 + d²/256 = d²/192; critical 10.83 ⇒ |d| ≤ 45 passes.
    expect(chiSquareFit([768 + 45, 256 - 45], [0.75, 0.25], 0.001).pass).toBe(true);
    expect(chiSquareFit([768 - 46, 256 + 46], [0.75, 0.25], 0.001).pass).toBe(false);
  });

  it('is the uniformity test when the shares are equal', () => {
    for (const counts of [[40, 24], [10, 20, 30], [26, 16, 16, 6]]) {
      expect(chiSquareFit(counts, counts.map(() => 1 / counts.length), 0.001)).toEqual(chiSquareUniform(counts, 0.001));
    }
  });

  it('uses α = 0.001 unless told otherwise', () => {
    expect(chiSquareFit([768, 256], [0.75, 0.25]).alpha).toBe(ECMP_ALPHA);
  });

  it('refuses shares that are not one positive share per path summing to 1', () => {
    expect(() => chiSquareFit([768, 256], [0.75], 0.001)).toThrow('2 paths counted but 1 shares expected');
    expect(() => chiSquareFit([768, 256], [0.5, 0.25, 0.25], 0.001)).toThrow('2 paths counted but 3 shares expected');
    expect(() => chiSquareFit([768, 256], [0.75, 0.5], 0.001)).toThrow('shares must be positive and sum to 1 (got 0.75, 0.5)');
    expect(() => chiSquareFit([768, 256], [300, 100], 0.001)).toThrow(/shares must be positive and sum to 1/);
    expect(() => chiSquareFit([768, 256], [1, 0], 0.001)).toThrow(/shares must be positive/);
    expect(() => chiSquareFit([768, 256], [1.25, -0.25], 0.001)).toThrow(/shares must be positive/);
    expect(() => chiSquareFit([768, 256], [Number.NaN, 1], 0.001)).toThrow(/shares must be positive/);
  });

  it('refuses fewer than two paths and no flows, like the uniformity test', () => {
    expect(() => chiSquareFit([64], [1], 0.001)).toThrow(/at least two paths/);
    expect(() => chiSquareFit([0, 0], [0.75, 0.25], 0.001)).toThrow(/no flows/);
  });
});
