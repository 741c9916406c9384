import { describe, expect, it } from 'vitest';
import { chiSquareUniform, ECMP_ALPHA } from './chi-square.ts';

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
