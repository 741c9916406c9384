import { describe, expect, it } from 'vitest';
import { countingRuleset, parseCounters } from './out-of-state.ts';

describe('countingRuleset', () => {
  it('counts, at prerouting before conntrack, the packets from the sender’s port to the probe port', () => {
    expect(countingRuleset('netproof_acl_0a1b2c3d', { srcIp: '10.20.2.12', dstIp: '10.20.1.11', srcPort: 5432, probePort: 61000 })).toBe(
      [
        'table ip netproof_acl_0a1b2c3d {',
        '  counter probe { }',
        '  chain prerouting {',
        '    type filter hook prerouting priority -300; policy accept;',
        '    ip saddr 10.20.2.12 ip daddr 10.20.1.11 tcp sport 5432 tcp dport 61000 counter name "probe"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('parseCounters', () => {
  it('reads packets per counter from nft 1.0.6’s JSON', () => {
    const json =
      '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, ' +
      '{"counter": {"family": "ip", "name": "probe", "table": "netproof_acl_test", "handle": 2, "packets": 0, "bytes": 0}}, ' +
      '{"counter": {"family": "ip", "name": "control", "table": "netproof_acl_test", "handle": 3, "packets": 2, "bytes": 80}}]}';
    expect(parseCounters(json)).toEqual(
      new Map([
        ['probe', 0],
        ['control', 2],
      ]),
    );
    expect(parseCounters('{"nftables": []}')).toEqual(new Map());
  });
});
