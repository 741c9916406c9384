// The DF search per equal-cost path against a stand-in fabric (fixtures/fake-fabric.ts) whose
// kernels hash flows per router and whose links run MTUs: no lab is deployed.
import { describe, expect, it } from 'vitest';
import { fakeFabric, polarisedHash } from '../../fixtures/fake-fabric.ts';
import { pathKey, pathLabel, type UnderlayPath } from '../plan/ecmp-paths.ts';
import { measureTunnelPaths, parseArrivals, receiverRuleset, routeLookups, type TunnelEnds } from './path-mtu.ts';

const bothWays = (f: ReturnType<typeof fakeFabric>, a: string, b: string): TunnelEnds[] => [
  { src: a, dst: b, srcTep: f.tepOf(a), dstTep: f.tepOf(b) },
  { src: b, dst: a, srcTep: f.tepOf(b), dstTep: f.tepOf(a) },
];
const largestByPath = (ms: { paths: { path: UnderlayPath; search: { largest: number } }[] }) => Object.fromEntries(ms.paths.map((p) => [pathKey(p.path), p.search.largest]));

describe('receiverRuleset and parseArrivals', () => {
  it('records (source, source port, IP length) of each probe at prerouting before conntrack, then drops it', () => {
    expect(receiverRuleset('netproof_df_0a1b2c3d', '10.255.2.2', 33434)).toBe(
      [
        'table ip netproof_df_0a1b2c3d {',
        '  set seen { typeof ip saddr . udp sport . ip length; flags dynamic; size 65535; }',
        '  chain prerouting {',
        '    type filter hook prerouting priority -300; policy accept;',
        '    ip daddr 10.255.2.2 udp dport 33434 update @seen { ip saddr . udp sport . ip length } drop',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('reads the set as nft 1.0.6 prints it, bare or wrapped elements', () => {
    const json =
      '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"set": {"family": "ip", "name": "seen", "table": "np_df", ' +
      '"type": ["ipv4_addr", "inet_service", "integer"], "handle": 2, "size": 65535, "elem": [{"concat": ["10.255.2.1", 40000, 29]}, {"elem": {"val": {"concat": ["10.255.2.1", 40000, 1500]}, "expires": 1000}}]}}]}';
    expect([...parseArrivals(json)]).toEqual(['10.255.2.1 40000 29', '10.255.2.1 40000 1500']);
    expect(parseArrivals('{"nftables": [{"set": {"name": "seen"}}]}').size).toBe(0);
  });
});

describe('routeLookups', () => {
  it('asks for the ECMP group and every port in one ip -batch, and reads both', async () => {
    const f = fakeFabric();
    const r = await routeLookups(f.lab().node('leaf1'), { srcIp: f.tepOf('host1'), dstIp: f.tepOf('host2'), dstPort: 33434, iif: 'eth3' }, [40000, 40001, 40002]);
    expect(r.nexthops.map((n) => n.dev)).toEqual(['eth1', 'eth2']);
    expect([...r.byPort.keys()]).toEqual([40000, 40001, 40002]);
    expect(r.nexthops).toContainEqual(r.byPort.get(40000));
  });

  it('names the node and what ip said when a lookup fails', async () => {
    const f = fakeFabric();
    await expect(routeLookups(f.lab().node('leaf1'), { srcIp: f.tepOf('host1'), dstIp: '192.0.2.9', dstPort: 33434 }, [40000])).rejects.toThrow('leaf1: ip route get 192.0.2.9 from 10.255.2.1 failed: RTNETLINK answers: Network is unreachable');
  });
});

describe('measureTunnelPaths', () => {
  it('measures both ways of a host pair on each of its four paths with one probe each: the smallest MTU on the path, not the VM MTU', async () => {
    const f = fakeFabric({ hosts: 2 });
    const lab = f.lab();
    const { tunnels: [there, back], branches } = await measureTunnelPaths(lab, bothWays(f, 'host1', 'host2'));
    expect(branches).toEqual([]);
    for (const t of [there!, back!]) {
      expect(t.problems).toEqual([]);
      expect(t.paths).toHaveLength(4);
      for (const p of t.paths) expect(p.search).toMatchObject({ largest: 1500, ceiling: 1500, probes: [{ bytes: 1500, passed: true }] });
    }
    // Each probe: the packet twice, then its marker.
    expect(lab.sent).toHaveLength(8 * 3);
    expect(there!.paths[0]!.mtus['host1:br-phy']).toBe(1500);
  });

  it('finds a spine–leaf link lowered on a running lab on the paths that cross it, and only there', async () => {
    const f = fakeFabric({ hosts: 2 });
    f.mtus.set('spine2:eth3', 1400).set('leaf3:eth2', 1400);
    const { tunnels: [there, back] } = await measureTunnelPaths(f.lab(), bothWays(f, 'host1', 'host2'));
    expect(largestByPath(there!)).toEqual({ 'leaf1-spine1-leaf3': 1500, 'leaf1-spine1-leaf4': 1500, 'leaf1-spine2-leaf3': 1400, 'leaf1-spine2-leaf4': 1500 });
    // host2 sends by leaf3 (its one path), which crosses the link towards spine2 on half its paths.
    expect(largestByPath(back!)).toEqual({ 'leaf3-spine1-leaf1': 1500, 'leaf3-spine1-leaf2': 1500, 'leaf3-spine2-leaf1': 1400, 'leaf3-spine2-leaf2': 1400 });
  });

  it('binary-searches up from 9000 when no MTU can be read, deciding each size by its marker, not by waiting', async () => {
    const f = fakeFabric({ hosts: 2 });
    f.mtus.set('spine2:eth3', 1400).set('leaf3:eth2', 1400);
    for (const n of f.topology.nodes) f.mtusUnreadable.add(n.name);
    const started = performance.now();
    const { tunnels: [there] } = await measureTunnelPaths(f.lab(), bothWays(f, 'host1', 'host2').slice(0, 1));
    expect(largestByPath(there!)).toEqual({ 'leaf1-spine1-leaf3': 1500, 'leaf1-spine1-leaf4': 1500, 'leaf1-spine2-leaf3': 1400, 'leaf1-spine2-leaf4': 1500 });
    for (const p of there!.paths) {
      expect(p.search.ceiling).toBe(9000);
      expect(p.mtus).toEqual({});
      expect(p.search.probes.length).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(9000 - 576)));
    }
    // Sizes above 1500 the sender's own br-phy refuses; 1401–1500 spine2 drops while the marker behind them arrives.
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('probes the branches no flow takes (routers that hash alike) from the router that has them, and finds a link lowered there', async () => {
    const f = fakeFabric({ hosts: 2 }, polarisedHash);
    const healthy = await measureTunnelPaths(f.lab(), bothWays(f, 'host1', 'host2'));
    expect(healthy.tunnels.map((t) => Object.keys(largestByPath(t)))).toEqual([
      ['leaf1-spine1-leaf3', 'leaf1-spine2-leaf4'],
      ['leaf3-spine1-leaf1', 'leaf3-spine2-leaf2'],
    ]);
    expect(healthy.branches.map((b) => [pathLabel(b.path), b.of.join(', '), b.srcIp, b.search.largest])).toEqual([
      ['spine1 → host1 via spine1:eth2 → leaf2:eth3', 'host2 → host1', f.tepOf('spine1'), 1500],
      ['spine1 → host2 via spine1:eth4 → leaf4:eth3', 'host1 → host2', f.tepOf('spine1'), 1500],
      ['spine2 → host1 via spine2:eth1 → leaf1:eth3', 'host2 → host1', f.tepOf('spine2'), 1500],
      ['spine2 → host2 via spine2:eth3 → leaf3:eth3', 'host1 → host2', f.tepOf('spine2'), 1500],
    ]);
    // spine2 → leaf3 carries no flow from host1, but its probe from spine2 finds the lowered link.
    f.mtus.set('spine2:eth3', 1400).set('leaf3:eth2', 1400);
    const lowered = await measureTunnelPaths(f.lab(), bothWays(f, 'host1', 'host2'));
    expect(lowered.tunnels.map(largestByPath)).toEqual([
      { 'leaf1-spine1-leaf3': 1500, 'leaf1-spine2-leaf4': 1500 },
      { 'leaf3-spine1-leaf1': 1500, 'leaf3-spine2-leaf2': 1400 },
    ]);
    expect(lowered.branches.filter((b) => b.search.largest < 1500).map((b) => pathLabel(b.path))).toEqual(['spine2 → host2 via spine2:eth3 → leaf3:eth3']);
  });

  it('probes a branch once for every pair that shares it', async () => {
    const f = fakeFabric({ hosts: 4 }, polarisedHash);
    const { branches } = await measureTunnelPaths(f.lab(), [bothWays(f, 'host1', 'host2')[0]!, bothWays(f, 'host3', 'host2')[0]!]);
    expect(branches.map((b) => `${pathLabel(b.path)}: ${b.of.join(', ')}`)).toEqual(['spine1 → host2 via spine1:eth4 → leaf4:eth3: host1 → host2, host3 → host2', 'spine2 → host2 via spine2:eth3 → leaf3:eth3: host1 → host2, host3 → host2']);
  });

  it('reports a pair whose lookups fail as a problem of that pair, and measures the others', async () => {
    const f = fakeFabric({ hosts: 2 });
    const { tunnels: [broken, fine] } = await measureTunnelPaths(f.lab(), [{ src: 'host1', dst: 'host2', srcTep: f.tepOf('host1'), dstTep: '192.0.2.9' }, bothWays(f, 'host2', 'host1')[0]!]);
    expect(broken!.paths).toEqual([]);
    expect(broken!.problems).toEqual(['host1 → host2: host1: ip route get 192.0.2.9 from 10.255.2.1 failed: RTNETLINK answers: Network is unreachable']);
    expect(fine!.paths).toHaveLength(4);
  });
});
