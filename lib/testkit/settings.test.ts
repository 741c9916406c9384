import { describe, expect, it } from 'vitest';
import { extraAclProbes, failoverScope, FAILOVER_SCOPE_ENV } from './settings.ts';

describe('failoverScope', () => {
  it('fails one link per tier pair unless the run asked for every link', () => {
    expect(failoverScope({})).toBe('tier-pairs');
    expect(failoverScope({ [FAILOVER_SCOPE_ENV]: 'tier-pairs' })).toBe('tier-pairs');
    expect(failoverScope({ [FAILOVER_SCOPE_ENV]: 'all' })).toBe('all');
    expect(failoverScope({ [FAILOVER_SCOPE_ENV]: 'everything' })).toBe('tier-pairs');
  });
});

describe('extraAclProbes', () => {
  it('reads tcp/N and udp/N, ignoring anything else', () => {
    expect(extraAclProbes({ NETPROOF_ACL_PROBES: 'tcp/5432, udp/53,icmp,tcp/x' })).toEqual([
      { protocol: 'tcp', port: 5432 },
      { protocol: 'udp', port: 53 },
    ]);
  });
});
