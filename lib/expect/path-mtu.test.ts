import { describe, expect, it } from 'vitest';
import { fakeFabric, polarisedHash, type Hash } from '../../fixtures/fake-fabric.ts';
import type { TunnelPair } from '../plan/tunnel-pairs.ts';
import { measureTunnelPaths, type TunnelMeasurement, type TunnelPathsMeasurement } from '../probes/path-mtu.ts';
import { innerBytes, lowestMtuOnPath, pathMtuCulprits } from './path-mtu.ts';

const OVERHEAD = 58;
const PAIRS: TunnelPair[] = [
  { src: 'host1', dst: 'host2', vm: 'vm1', vmMtu: 1442 },
  { src: 'host2', dst: 'host1', vm: 'vm2', vmMtu: 1442 },
];

/** Both ways between host1 and host2 (on different leaf pairs: four paths each way) on a stand-in fabric, after `fault`. */
async function measured(fault: (mtus: Map<string, number>) => void = () => undefined, hash?: Hash): Promise<TunnelPathsMeasurement> {
  const f = fakeFabric({ hosts: 2 }, hash);
  fault(f.mtus);
  return measureTunnelPaths(f.lab(), [
    { src: 'host1', dst: 'host2', srcTep: f.tepOf('host1'), dstTep: f.tepOf('host2') },
    { src: 'host2', dst: 'host1', srcTep: f.tepOf('host2'), dstTep: f.tepOf('host1') },
  ]);
}

describe('pathMtuCulprits', () => {
  it('is empty when every path carries the VM MTU plus the overhead', async () => {
    const ms = await measured();
    expect(pathMtuCulprits(ms, PAIRS, OVERHEAD)).toEqual([]);
    expect(ms.tunnels.flatMap((t) => t.paths.map((p) => innerBytes(p, OVERHEAD)))).toEqual(Array(8).fill(1442));
  });

  it('names each path that crosses a lowered spine–leaf link, its largest DF and inner packet, and that link alone', async () => {
    const culprits = pathMtuCulprits(await measured((m) => m.set('spine2:eth3', 1400).set('leaf3:eth2', 1400)), PAIRS, OVERHEAD);
    expect(culprits).toEqual([
      'host1 → host2 via host1:eth1 → leaf1:eth2 → spine2:eth3 → leaf3:eth3: largest DF packet 1400 B (inner 1342 B) < VM MTU 1442 (vm1) + 58 B GENEVE overhead; spine2:eth3 <-> leaf3:eth2 runs MTU 1400',
      'host2 → host1 via host2:eth1 → leaf3:eth2 → spine2:eth1 → leaf1:eth3: largest DF packet 1400 B (inner 1342 B) < VM MTU 1442 (vm2) + 58 B GENEVE overhead; spine2:eth3 <-> leaf3:eth2 runs MTU 1400',
      'host2 → host1 via host2:eth1 → leaf3:eth2 → spine2:eth2 → leaf2:eth3: largest DF packet 1400 B (inner 1342 B) < VM MTU 1442 (vm2) + 58 B GENEVE overhead; spine2:eth3 <-> leaf3:eth2 runs MTU 1400',
    ]);
  });

  it('says which end runs the lower MTU when a link’s ends differ', async () => {
    const culprits = pathMtuCulprits(await measured((m) => m.set('spine2:eth3', 1400)), PAIRS, OVERHEAD);
    expect(culprits).toHaveLength(3);
    for (const c of culprits) expect(c).toMatch(/; spine2:eth3 <-> leaf3:eth2 runs MTU 1400 at spine2:eth3 \(9000 at leaf3:eth2\)$/);
  });

  it('names the device the sender’s kernel sends by when it is the lowest', async () => {
    const culprits = pathMtuCulprits(await measured((m) => m.set('host1:br-phy', 1450)), PAIRS, OVERHEAD);
    expect(culprits).toHaveLength(4);
    for (const c of culprits) expect(c).toMatch(/^host1 → host2 via .*: largest DF packet 1450 B \(inner 1392 B\) < VM MTU 1442 \(vm1\) \+ 58 B GENEVE overhead; host1:br-phy \(the device host1's kernel sends by\) runs MTU 1450$/);
  });

  it('names every link with the lowest MTU, when several share it', async () => {
    // The VM MTU a 1500 underlay cannot carry: both host links of each path run 1500.
    const culprits = pathMtuCulprits(await measured(), PAIRS.map((p) => ({ ...p, vmMtu: 1500 })), OVERHEAD);
    expect(culprits).toHaveLength(8);
    expect(culprits[0]).toBe(
      'host1 → host2 via host1:eth1 → leaf1:eth1 → spine1:eth3 → leaf3:eth3: largest DF packet 1500 B (inner 1442 B) < VM MTU 1500 (vm1) + 58 B GENEVE overhead; host1:br-phy (the device host1\'s kernel sends by) runs MTU 1500 and leaf1:eth3 <-> host1:eth1 runs MTU 1500 and leaf3:eth3 <-> host2:eth1 runs MTU 1500',
    );
  });

  it('names a lowered link on a branch no flow takes, with the pairs it belongs to and where it was probed from', async () => {
    const culprits = pathMtuCulprits(await measured((m) => m.set('spine2:eth3', 1400).set('leaf3:eth2', 1400), polarisedHash), PAIRS, OVERHEAD);
    expect(culprits).toEqual([
      'host2 → host1 via host2:eth1 → leaf3:eth2 → spine2:eth2 → leaf2:eth3: largest DF packet 1400 B (inner 1342 B) < VM MTU 1442 (vm2) + 58 B GENEVE overhead; spine2:eth3 <-> leaf3:eth2 runs MTU 1400',
      "spine2 → host2 via spine2:eth3 → leaf3:eth3 (an equal-cost branch of host1 → host2 that no flow from its TEP takes, probed from spine2's loopback 10.255.0.2): largest DF packet 1400 B (inner 1342 B) < VM MTU 1442 (vm1) + 58 B GENEVE overhead; spine2:eth3 <-> leaf3:eth2 runs MTU 1400",
    ]);
  });

  it('says something else drops when every MTU on the path is larger than what arrives', async () => {
    const { tunnels: [t] } = await measured();
    const m = { ...t!.paths[0]!, search: { ...t!.paths[0]!.search, largest: 1300 } };
    expect(pathMtuCulprits({ tunnels: [{ ...t!, paths: [m] }], branches: [] }, PAIRS, OVERHEAD)).toEqual([
      "host1 → host2 via host1:eth1 → leaf1:eth1 → spine1:eth3 → leaf3:eth3: largest DF packet 1300 B (inner 1242 B) < VM MTU 1442 (vm1) + 58 B GENEVE overhead; every link on the path runs MTU ≥ 1500: something else drops don't-fragment packets above 1300 B (a filter, OVS)",
    ]);
  });

  it('says a path that carries nothing does not forward, and when its port moved to another path meanwhile', async () => {
    const { tunnels: [t] } = await measured();
    const m = { ...t!.paths[0]!, search: { ...t!.paths[0]!.search, largest: 0 }, movedTo: 'host1 → host2 via host1:eth1 → leaf1:eth2 → spine2:eth3 → leaf3:eth3' };
    expect(pathMtuCulprits({ tunnels: [{ ...t!, paths: [m] }], branches: [] }, PAIRS, OVERHEAD)).toEqual([
      `host1 → host2 via host1:eth1 → leaf1:eth1 → spine1:eth3 → leaf3:eth3: not even a 576-byte DF packet arrives (source port ${m.port}); VM MTU 1442 (vm1) + 58 B GENEVE overhead needs 1500 B; the path drops even small packets (a link down, a filter); source port ${m.port} now takes the path via host1:eth1 → leaf1:eth2 → spine2:eth3 → leaf3:eth3: routes changed while measuring`,
    ]);
  });

  it('passes on what could not be followed, and a pair with no path at all', () => {
    const t: TunnelMeasurement = { src: 'host1', dst: 'host2', srcTep: '10.255.2.1', dstTep: '10.255.2.2', paths: [], problems: [] };
    expect(pathMtuCulprits({ tunnels: [t, { ...t, src: 'host2', dst: 'host1', problems: ['spine1 has no route to host1\'s TEP'] }], branches: [] }, PAIRS, OVERHEAD)).toEqual([
      "host1 → host2: no path to host2's TEP 10.255.2.2 was found from host1's TEP 10.255.2.1",
      "spine1 has no route to host1's TEP",
    ]);
  });
});

describe('lowestMtuOnPath', () => {
  it('is undefined when no MTU on the path could be read', async () => {
    const { tunnels: [t] } = await measured();
    expect(lowestMtuOnPath(t!.paths[0]!.path, {})).toBeUndefined();
  });
});
