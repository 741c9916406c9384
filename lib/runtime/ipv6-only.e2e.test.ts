// An IPv6-only underlay end to end: `generate clos --unnumbered --underlay ipv6` gives every
// router an IPv6 /128 loopback and no IPv4 one, advertised in BGP's IPv6 unicast family over
// interface sessions. Every check then runs in IPv6: loopback routes in RIB and FIB with their
// ECMP width, 512 IPv6 flows from every hashing router, the IPv6 hash sysctl against the intent,
// failover streams between IPv6 loopbacks; all pass, and `netproof intent` reads back the intent
// the generator declared. A leaf hashing IPv6 at L3 fails the ECMP and intent checks naming it,
// and a host that stops advertising its loopback fails convergence naming that prefix at every
// router that lost it; nothing else is blamed. On network namespaces.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { netproof, netproofTest } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { leftovers } from '../../fixtures/runtimes.ts';

const LAB = 'e2e-ipv6-only';
const HOST1 = 'fd00:10:255:2::1/128';

afterAll(async () => {
  await netproof(['destroy', LAB]);
});

const suites = (extra: string[]) => netproofTest(LAB, extra);

test('an IPv6-only fabric passes every routing check in IPv6; IPv6 hashed at L3, or a loopback not advertised, fails naming the culprit', async () => {
  const lab = await generatedLab(LAB, { spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'ipv6' });
  const declared = parse(await readFile(join(lab.dir, `${LAB}.intent.yml`), 'utf8')) as { routers: Record<string, { loopbacks: string[] }> };
  for (const [name, r] of Object.entries(declared.routers)) expect(r.loopbacks, name).toEqual([expect.stringMatching(/^fd00:[0-9a-f:]+\/128$/)]);
  const deploy = await netproof(['deploy', lab.file]);
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);

  const healthy = await suites(['--suite', 'bgp-convergence', '--suite', 'ecmp-spread', '--suite', 'intent']);
  expect(healthy.result.exitCode, healthy.errors || healthy.result.stdout + healthy.result.stderr).toBe(0);
  const figures = healthy.summary.figures;
  // Every loopback route checked is an IPv6 one.
  expect(figures.ipv6_loopback_routes?.value).toBeGreaterThan(0);
  expect(figures.ipv6_loopback_routes?.value).toBe(figures.loopback_routes?.value);
  // Every hashing router spread IPv6 flows (its only measurement: no ".ipv6" twin) over both paths.
  const hashing = Object.keys(figures).filter((k) => k.startsWith('ecmp_paths_used.'));
  expect(hashing.length).toBeGreaterThanOrEqual(4);
  for (const k of hashing) expect(k).not.toMatch(/\.ipv6$/);
  for (const k of hashing) expect(figures[k]?.value, k).toBe(2);
  // Read directly: spine1 has no IPv4 route from BGP at all, and reaches host1 over both leaves in IPv6.
  const v4 = JSON.parse((await netproof(['exec', LAB, 'spine1', '--', 'ip', '-4', '-j', 'route', 'show', 'proto', 'bgp'])).stdout || '[]') as unknown[];
  expect(v4).toEqual([]);
  const v6 = JSON.parse((await netproof(['exec', LAB, 'spine1', '--', 'ip', '-6', '-j', 'route', 'show', HOST1])).stdout) as { nexthops?: { dev: string }[] }[];
  expect(v6[0]?.nexthops?.map((h) => h.dev).sort()).toEqual(['eth1', 'eth2']);

  // `netproof intent` reads back the declared intent, BFD included (unnumbered sessions' BFD peers are link-local addresses on their interfaces).
  const inferred = await netproof(['intent', LAB]);
  expect(inferred.exitCode, inferred.stderr).toBe(0);
  expect(parse(inferred.stdout)).toEqual(declared);

  // Failover streams run between IPv6 loopbacks.
  const failover = await suites(['--suite', 'bfd-failover', '--grep', 'grey']);
  expect(failover.result.exitCode, failover.errors || failover.result.stdout + failover.result.stderr).toBe(0);
  const losses = Object.keys(failover.summary.figures).filter((k) => k.startsWith('loss_window_ms.'));
  expect(losses.length).toBeGreaterThanOrEqual(4);
  for (const k of losses) expect(k).toMatch(/^loss_window_ms\.(forward|reverse|remote)-ipv6\./);

  // The first seeded fault: leaf1 hashes IPv6 by addresses only.
  expect((await netproof(['exec', LAB, 'leaf1', '--', 'sysctl', '-w', 'net.ipv6.fib_multipath_hash_policy=0'])).exitCode).toBe(0);
  const l3 = await suites(['--suite', 'ecmp-spread', '--suite', 'intent']);
  expect(l3.result.exitCode).toBe(1);
  expect(l3.errors).toMatch(/^leaf1 → fd00:10:255:\S+ \(\w+\): 512 flows used 1 of its 2 equal-cost paths: .*; leaf1 has net\.ipv6\.fib_multipath_hash_policy=0 \(L3 only\)$/m);
  expect(l3.errors).toMatch(/^leaf1: net\.ipv6\.fib_multipath_hash_policy=0 \(l3: addresses and flow label only\); the intent declares l4 \(=1\)/m);
  expect(l3.errors.split('\n').filter((l) => /^\w+( →|:) /.test(l) && !l.startsWith('leaf1'))).toEqual([]);
  expect((await netproof(['exec', LAB, 'leaf1', '--', 'sysctl', '-w', 'net.ipv6.fib_multipath_hash_policy=1'])).exitCode).toBe(0);

  // The second: host1 stops advertising its loopback.
  const withdraw = await netproof(['exec', LAB, 'host1', '--', 'vtysh', '-c', 'configure terminal', '-c', 'router bgp 65301', '-c', 'address-family ipv6 unicast', '-c', `no network ${HOST1}`]);
  expect(withdraw.exitCode, withdraw.stdout + withdraw.stderr).toBe(0);
  const broken = await suites(['--suite', 'bgp-convergence', '--convergence-timeout', '5']);
  expect(broken.result.exitCode).toBe(1);
  const lines = broken.errors.split('\n').filter((l) => /^\S+: \S+ \(loopback of /.test(l));
  for (const router of ['spine1', 'spine2', 'leaf1', 'leaf2', 'host2']) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${router}: fd00:10:255:2::1/128 \\(loopback of host1\\) is not in the RIB, expected \\d`)));
  expect(lines.filter((l) => !l.includes(`${HOST1} (loopback of host1)`))).toEqual([]);

  expect((await netproof(['destroy', LAB])).exitCode).toBe(0);
  expect(await leftovers(LAB)).toEqual([]);
}, 240_000);
