import { describe, expect, it } from 'vitest';
import { CAPABILITIES, hostMissingCapabilities, missingFromBoundingSet } from './capabilities.ts';

describe('missingFromBoundingSet', () => {
  it('finds CAP_SYS_RESOURCE (bit 24) missing from this sandbox-shaped mask', () => {
    expect(missingFromBoundingSet('000001fffeffffff')).toEqual(['SYS_RESOURCE']);
  });

  it('a full 41-bit mask lacks nothing', () => {
    expect(missingFromBoundingSet('000001ffffffffff')).toEqual([]);
  });

  it('an older kernel without PERFMON, BPF and CHECKPOINT_RESTORE lacks those three', () => {
    expect(missingFromBoundingSet('0000003fffffffff')).toEqual(['PERFMON', 'BPF', 'CHECKPOINT_RESTORE']);
  });

  it('names every bit it knows once', () => {
    expect(new Set(CAPABILITIES).size).toBe(41);
    expect(missingFromBoundingSet('0')).toEqual([...CAPABILITIES]);
  });
});

describe('hostMissingCapabilities', () => {
  it('reads the CapBnd line of a status file', () => {
    expect(hostMissingCapabilities('Name:\tnode\nCapBnd:\t000001fffeffefff\n')).toEqual(['NET_ADMIN', 'SYS_RESOURCE']);
  });

  it('a status without CapBnd is an error, not "nothing missing"', () => {
    expect(() => hostMissingCapabilities('Name:\tnode\n')).toThrow(/CapBnd/);
  });
});
