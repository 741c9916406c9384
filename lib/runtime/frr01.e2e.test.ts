// containerlab's public frr01 lab, unchanged (fixtures/labs/frr01): `netproof run` on it runs
// real checks — an OSPF adjacency on every router-to-router link, every advertised subnet in
// every router's RIB and FIB with its ECMP width, PC-to-PC reachability — and passes; with one
// router's end of a link moved to another OSPF area on the running lab, the adjacency fails
// naming the routers and interfaces, and no other. (A mismatch of areas written in the files is
// named as such: lib/plan/ospf.test.ts, lib/expect/ospf.test.ts.) On network namespaces: the checks read the lab through the runtime-neutral
// NodeHandle (frr-kind.e2e.test.ts deploys the same shape on Docker).
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { netproof, netproofTest } from '../../fixtures/cli.ts';
import { hostDifferences, hostSnapshot } from '../../fixtures/host-snapshot.ts';
import { leftovers } from '../../fixtures/runtimes.ts';
import { PROJECT_ROOT } from '../paths.ts';

const LAB = 'frr01';

afterAll(async () => {
  await netproof(['destroy', LAB]);
});

const suites = (extra: string[] = []) => netproofTest(LAB, extra);

test('the public frr01 lab runs real checks and passes; an adjacency broken on a router fails naming it and its interface; the host is as it was', async () => {
  // frr01 runs ospfd and ldpd, which write to FRR's state directory unless told or kept from it.
  const before = await hostSnapshot();
  const deploy = await netproof(['deploy', join(PROJECT_ROOT, 'fixtures/labs/frr01/frr01.clab.yml')]);
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);
  // The full deadline: frr01's links are broadcast networks, whose adjacencies wait out OSPF's 40 s wait timer.
  const healthy = await suites();
  expect(healthy.result.exitCode, healthy.errors || healthy.result.stdout + healthy.result.stderr).toBe(0);
  const igp = healthy.summary.tests.filter((t) => t.file === 'suites/igp.test.ts');
  // OSPF's two checks and the hosts' pass; IS-IS's two say why they do not apply.
  expect(igp.map((t) => `${t.status}${t.skipReason ? `: ${t.skipReason}` : ''}`)).toEqual(['passed', 'passed', 'skipped: no router in this lab runs isisd', 'skipped: no router in this lab runs isisd', 'passed']);
  // Three ring links, both ends; three subnets learned at each of three routers; three PCs to two others each.
  expect([healthy.summary.figures.ospf_adjacencies?.value, healthy.summary.figures.ospf_routes?.value, healthy.summary.figures.host_pairs_reachable?.value]).toEqual([6, 9, 6]);

  // The seeded fault, on the running lab: router2 moves its end of the link to router1 into area 1.
  const change = await netproof(['exec', LAB, 'router2', '--', 'vtysh', '-c', 'configure terminal', '-c', 'router ospf', '-c', 'no network 192.168.1.0/24 area 0.0.0.0', '-c', 'network 192.168.1.0/24 area 0.0.0.1']);
  expect(change.exitCode, change.stdout + change.stderr).toBe(0);
  const broken = await suites(['--suite', 'igp', '--convergence-timeout', '10']);
  expect(broken.result.exitCode).toBe(1);
  // router2 drops the neighbor at once; router1 keeps it until its 40 s dead interval runs out.
  expect(broken.errors).toMatch(/^router2:eth1 ↔ router1:eth1: no OSPF neighbor on router2:eth1 \(area 0\.0\.0\.0\), expected a Full adjacency with router1$/m);
  // No other link's adjacency is blamed.
  const blamed = broken.errors.split('\n').filter((l) => /↔ .*: (no OSPF neighbor|OSPF neighbor)/.test(l));
  expect(blamed.filter((l) => !/^router[12]:eth1 ↔ router[12]:eth1:/.test(l))).toEqual([]);

  expect((await netproof(['destroy', LAB])).exitCode).toBe(0);
  expect(await leftovers(LAB)).toEqual([]);
  expect(hostDifferences(before, await hostSnapshot())).toEqual([]);
}, 240_000);
