import { describe, expect, it } from 'vitest';
import { DF_CEILING_BYTES, DF_FLOOR_BYTES, largestPassing, searchCeiling } from './df-search.ts';

/** A path that carries DF packets up to `mtu` bytes. */
const pathOf = (mtu: number) => async (bytes: number) => bytes <= mtu;

describe('searchCeiling', () => {
  it('is the smallest MTU that could be read on the path', () => {
    expect(searchCeiling([1500, 9000, undefined, 9000, 1500])).toBe(1500);
    expect(searchCeiling([9000, 1400, 9000])).toBe(1400);
  });

  it('is 9000 when no MTU on the path could be read', () => {
    expect(searchCeiling([undefined, undefined])).toBe(DF_CEILING_BYTES);
    expect(searchCeiling([])).toBe(DF_CEILING_BYTES);
  });
});

describe('largestPassing', () => {
  it('settles a healthy path with one probe at the ceiling', async () => {
    const s = await largestPassing(DF_FLOOR_BYTES, 1500, pathOf(1500));
    expect(s).toEqual({ largest: 1500, floor: 576, ceiling: 1500, probes: [{ bytes: 1500, passed: true }] });
  });

  it('finds the exact largest size below the ceiling in at most 2 + log2(ceiling − floor) probes', async () => {
    for (const mtu of [577, 1342, 1400, 1441, 1499]) {
      const s = await largestPassing(DF_FLOOR_BYTES, 1500, pathOf(mtu));
      expect(s.largest).toBe(mtu);
      expect(s.probes.length).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(1500 - 576)));
    }
    const jumbo = await largestPassing(DF_FLOOR_BYTES, 9000, pathOf(8950));
    expect(jumbo.largest).toBe(8950);
    expect(jumbo.probes.length).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(9000 - 576)));
  });

  it('is 0 when not even the floor arrives (the path does not forward)', async () => {
    const s = await largestPassing(DF_FLOOR_BYTES, 1500, async () => false);
    expect(s.largest).toBe(0);
    expect(s.probes.map((p) => p.bytes)).toEqual([1500, 576]);
  });

  it('tries only the ceiling when it is at or below the floor', async () => {
    expect((await largestPassing(DF_FLOOR_BYTES, 500, pathOf(500))).largest).toBe(500);
    const s = await largestPassing(DF_FLOOR_BYTES, 500, pathOf(400));
    expect(s.largest).toBe(0);
    expect(s.probes).toEqual([{ bytes: 500, passed: false }]);
  });
});
