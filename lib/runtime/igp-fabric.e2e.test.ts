// IGP underlays end to end: `generate clos --underlay-protocol isis` and `… ospf` write fabrics
// with no BGP; the igp suite's checks run on them and pass (adjacencies on every fabric link, every
// loopback in every router's RIB and FIB with the ECMP width the declared metrics imply), the BGP
// suites skip saying why. Seeded on the running labs: an IS-IS adjacency taken down fails naming
// its link and no other; an OSPF cost raised on one uplink breaks that router's ECMP and fails
// naming the router, the loopbacks and the widths, against the costs the files declare. The intent
// suite's BFD and hashing checks run on the IGP's adjacencies and equal-cost paths: BFD taken off
// one OSPF uplink and an L3-only hash on one spine fail naming that link and that spine. On network
// namespaces (the checks read the lab through the runtime-neutral NodeHandle).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { netproof, netproofTest } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { leftovers } from '../../fixtures/runtimes.ts';
import type { Summary } from '../report/summary-reporter.ts';

const ISIS = 'e2e-isis';
const OSPF = 'e2e-ospf';

afterAll(async () => {
  await netproof(['destroy', ISIS]);
  await netproof(['destroy', OSPF]);
});

const suites = (lab: string, extra: string[] = []) => netproofTest(lab, extra);

const statuses = (summary: Summary, file: string) => summary.tests.filter((t) => t.file === `suites/${file}.test.ts`).map((t) => `${t.status}: ${t.name}`);

/** Lines of `errors` that blame an adjacency (`a:ifa ↔ b:ifb: …`). */
const blamedLinks = (errors: string) => errors.split('\n').filter((l) => /^\S+:\S+ ↔ \S+:\S+: /.test(l));

test('an IS-IS fabric passes the igp suite with the BGP suites skipped; an adjacency taken down fails naming its link alone', async () => {
  const lab = await generatedLab(ISIS, { spines: 2, leaves: 2, hosts: 2, underlayProtocol: 'isis' });
  expect(await readFile(join(lab.dir, 'leaf1', 'frr.conf'), 'utf8')).not.toContain('router bgp');
  const deploy = await netproof(['deploy', lab.file]);
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);

  const healthy = await suites(ISIS);
  expect(healthy.result.exitCode, healthy.errors || healthy.result.stdout + healthy.result.stderr).toBe(0);
  expect(statuses(healthy.summary, 'igp').filter((s) => s.startsWith('passed: ') && /IS-IS/.test(s))).toHaveLength(2);
  // 6 routers, 8 fabric links: both ends of each; each router learns the 5 loopbacks not its own, each link subnet the 4 routers not on it (30 + 32).
  expect([healthy.summary.figures.isis_adjacencies?.value, healthy.summary.figures.isis_routes?.value]).toEqual([16, 62]);
  expect(statuses(healthy.summary, 'bgp-convergence').every((s) => s.startsWith('skipped: '))).toBe(true);
  // BFD on every adjacency and the declared hash on every router with equal-cost paths, without BGP.
  expect(statuses(healthy.summary, 'intent').filter((s) => /^passed: .*(BFD|hashes)/.test(s))).toHaveLength(2);
  expect(healthy.summary.figures.bfd_sessions_checked?.value).toBe(16);

  // The seeded fault, on the running lab: leaf1 takes its uplink to spine1 out of IS-IS.
  const change = await netproof(['exec', ISIS, 'leaf1', '--', 'vtysh', '-c', 'configure terminal', '-c', 'interface eth1', '-c', 'no ip router isis fabric']);
  expect(change.exitCode, change.stdout + change.stderr).toBe(0);
  const broken = await suites(ISIS, ['--suite', 'igp', '--convergence-timeout', '10']);
  expect(broken.result.exitCode).toBe(1);
  expect(broken.errors).toMatch(/^leaf1:eth1 ↔ spine1:eth1: no IS-IS adjacency on leaf1:eth1, expected one Up with spine1/m);
  // spine1 may still hold its end until the hold time runs out; no other link is blamed.
  expect(blamedLinks(broken.errors).filter((l) => !/^(leaf1:eth1 ↔ spine1:eth1|spine1:eth1 ↔ leaf1:eth1): /.test(l))).toEqual([]);
  // The routes it takes away are not blamed one by one: the route check names its precondition.
  const routes = broken.summary.tests.find((t) => /IS-IS routers advertise/.test(t.name));
  expect(routes?.errors.join('\n')).toMatch(/^precondition failed: every IS-IS adjacency the configuration implies is up/);

  expect((await netproof(['destroy', ISIS])).exitCode).toBe(0);
  expect(await leftovers(ISIS)).toEqual([]);
}, 300_000);

test('an OSPF fabric passes the igp suite; a cost raised on one uplink breaks ECMP and fails naming the router and the widths', async () => {
  const lab = await generatedLab(OSPF, { spines: 2, leaves: 2, hosts: 2, underlayProtocol: 'ospf' });
  const deploy = await netproof(['deploy', lab.file]);
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);

  const healthy = await suites(OSPF);
  expect(healthy.result.exitCode, healthy.errors || healthy.result.stdout + healthy.result.stderr).toBe(0);
  expect(statuses(healthy.summary, 'igp').filter((s) => s.startsWith('passed: ') && /OSPF/.test(s))).toHaveLength(2);
  expect([healthy.summary.figures.ospf_adjacencies?.value, healthy.summary.figures.ospf_routes?.value]).toEqual([16, 62]);

  // The seeded fault: leaf1's uplink to spine1 costs more than the files declare, so leaf1 reaches
  // leaf2's loopback through spine2 alone where two equal paths were declared.
  const change = await netproof(['exec', OSPF, 'leaf1', '--', 'vtysh', '-c', 'configure terminal', '-c', 'interface eth1', '-c', 'ip ospf cost 100']);
  expect(change.exitCode, change.stdout + change.stderr).toBe(0);
  const broken = await suites(OSPF, ['--suite', 'igp', '--convergence-timeout', '10']);
  expect(broken.result.exitCode).toBe(1);
  expect(broken.errors).toMatch(/^leaf1: 10\.255\.1\.2\/32 \(advertised by leaf2\) has 1 next hop in the RIB \(via eth2 → spine2\), expected 2 \(via eth1 → spine1, eth2 → spine2\)$/m);
  // Adjacencies are all still Full: none is blamed.
  expect(blamedLinks(broken.errors)).toEqual([]);

  // Two more faults, for the intent suite: leaf2's uplink to spine2 stops running BFD, and spine1 hashes on addresses only.
  expect((await netproof(['exec', OSPF, 'leaf2', '--', 'vtysh', '-c', 'configure terminal', '-c', 'interface eth2', '-c', 'no ip ospf bfd'])).exitCode).toBe(0);
  expect((await netproof(['exec', OSPF, 'spine1', '--', 'sysctl', '-qw', 'net.ipv4.fib_multipath_hash_policy=0'])).exitCode).toBe(0);
  const intent = await suites(OSPF, ['--suite', 'intent', '--convergence-timeout', '10']);
  expect(intent.result.exitCode).toBe(1);
  expect(intent.errors).toMatch(/^leaf2 → spine2 \(10\.1\.0\.\d+\) over eth2: no BFD session; the intent requires BFD 3 × 300\/300 ms/m);
  expect(intent.errors).toMatch(/^spine1: net\.ipv4\.fib_multipath_hash_policy=0 \(l3: every flow between two addresses takes one path\); the intent declares l4 \(=1\)/m);
  // Nothing else: spine2 may still see its end of the session go down, naming leaf2 as the end that runs none.
  const blamed = intent.errors.split('\n').filter((l) => /^[a-z]+\d+( →|:)/.test(l));
  expect(blamed.filter((l) => !/^(leaf2 → spine2 .* over eth2|spine2 → leaf2 .* over eth\d+|spine1: net\.ipv4)/.test(l))).toEqual([]);

  expect((await netproof(['destroy', OSPF])).exitCode).toBe(0);
  expect(await leftovers(OSPF)).toEqual([]);
}, 300_000);
