// A dual-stack underlay end to end: `generate clos --unnumbered --underlay dual-stack` gives every
// router an IPv6 /128 loopback beside its IPv4 one, declared in the intent and advertised in BGP's
// IPv6 unicast family over the same interface sessions. The convergence and ECMP suites expect
// every IPv6 loopback in every router's RIB (`show ipv6 route json`) and kernel FIB (`ip -6
// route`) with the same ECMP width as its IPv4 one, and every hashing router to spread IPv6 flows
// too, and the failover suite to measure an IPv6 twin of every probe stream, and pass; a leaf and
// a spine hashing IPv6 at L3 fail the ECMP and intent suites naming each, a spine that stops forwarding
// IPv6 fails the failover suite's IPv6 streams naming it, and a host that stops advertising its
// IPv6 loopback fails the convergence suite naming that prefix at every router that lost it;
// nothing else is blamed. On network namespaces: the checks read the lab through NodeHandle.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { netproof, netproofTest } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { leftovers } from '../../fixtures/runtimes.ts';
import type { Snapshot } from '../state/snapshot.ts';

const LAB = 'e2e-dual-stack';
const HOST1_V6 = 'fd00:10:255:2::1/128';

const NUMBERED = 'e2e-dual-stack-num';

afterAll(async () => {
  await netproof(['destroy', LAB]);
  await netproof(['destroy', NUMBERED]);
});

const suites = (extra: string[]) => netproofTest(LAB, extra);

test('a dual-stack fabric has every IPv6 loopback with its ECMP width in RIB and FIB, spreads IPv6 flows and fails IPv6 streams over; IPv6 hashed at L3 or not forwarded, or an IPv6 loopback not advertised, fails naming the culprit', async () => {
  const lab = await generatedLab(LAB, { spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'dual-stack' });
  expect(await readFile(join(lab.dir, `${LAB}.intent.yml`), 'utf8')).toContain(`- ${HOST1_V6}`);
  const deploy = await netproof(['deploy', lab.file]);
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);

  const healthy = await suites(['--suite', 'bgp-convergence', '--suite', 'ecmp-spread', '--suite', 'intent']);
  expect(healthy.result.exitCode, healthy.errors || healthy.result.stdout + healthy.result.stderr).toBe(0);
  const { loopback_routes: all, ipv6_loopback_routes: ipv6 } = healthy.summary.figures;
  // Every router learns the IPv6 loopback of every router it learns the IPv4 one of.
  expect(ipv6?.value).toBeGreaterThan(0);
  expect(2 * ipv6!.value).toBe(all?.value);
  // Read directly, not through the suite: spine1 reaches host1's IPv6 loopback over both leaves, by BGP.
  const route = await netproof(['exec', LAB, 'spine1', '--', 'ip', '-6', '-j', 'route', 'show', HOST1_V6]);
  const [installed] = JSON.parse(route.stdout) as { protocol?: string; nexthops?: { dev: string }[] }[];
  expect(installed?.protocol).toBe('bgp');
  expect(installed?.nexthops?.map((h) => h.dev).sort()).toEqual(['eth1', 'eth2']);
  // state.json keeps the IPv6 routes, next hops named by neighbor (not by link-local address), and no link-local clutter.
  const state = JSON.parse(await readFile(join(healthy.reportDir, 'state.json'), 'utf8')) as Snapshot;
  expect(state.routers.spine1!.fib[HOST1_V6]).toMatchObject({ protocol: 'bgp', nexthops: ['eth1 → leaf1', 'eth2 → leaf2'] });
  expect(state.routers.spine1!.rib[HOST1_V6]).toMatchObject({ protocol: 'bgp', nexthops: ['eth1 → leaf1', 'eth2 → leaf2'] });
  expect(Object.keys(state.routers.spine1!.fib).filter((p) => p.startsWith('fe80'))).toEqual([]);
  // And each router's IPv6 hash policy beside its IPv4 one.
  expect(Object.values(state.routers).map((r) => r.multipathHash6)).toEqual(Object.values(state.routers).map(() => 'l4'));

  // Every router that hashes is measured with IPv6 flows too, over as many paths as with IPv4 ones.
  const figures = healthy.summary.figures;
  const hashing = Object.keys(figures).filter((k) => /^ecmp_paths_used\.[^.]+$/.test(k));
  expect(hashing.length).toBeGreaterThan(0);
  for (const k of hashing) expect(figures[`${k}.ipv6`]?.value, k).toBe(figures[k]!.value);

  // The first seeded fault, at both kinds of hashing router: leaf1 (towards the spines) and
  // spine1 (towards the dual-homed hosts) hash IPv6 by addresses only; their IPv4 policy stays L4.
  const hashing6 = (router: string, policy: number) => netproof(['exec', LAB, router, '--', 'sysctl', '-w', `net.ipv6.fib_multipath_hash_policy=${policy}`]);
  for (const router of ['leaf1', 'spine1']) expect((await hashing6(router, 0)).exitCode).toBe(0);
  const l3 = await suites(['--suite', 'ecmp-spread', '--suite', 'intent']);
  expect(l3.result.exitCode).toBe(1);
  // Both checks name each of them and its IPv6 policy, and nothing else.
  for (const router of ['leaf1', 'spine1']) {
    expect(l3.errors).toMatch(new RegExp(`^${router} → fd00:10:255:\\S+ \\(\\w+\\): 512 flows used 1 of its 2 equal-cost paths: .*; ${router} has net\\.ipv6\\.fib_multipath_hash_policy=0 \\(L3 only\\)$`, 'm'));
    expect(l3.errors).toMatch(new RegExp(`^${router}: net\\.ipv6\\.fib_multipath_hash_policy=0 \\(l3: addresses and flow label only\\); the intent declares l4 \\(=1\\)`, 'm'));
  }
  expect(l3.errors.split('\n').filter((l) => /^\w+( →|:) /.test(l) && !/^(leaf1|spine1)\b/.test(l))).toEqual([]);
  for (const router of ['leaf1', 'spine1']) expect((await hashing6(router, 1)).exitCode).toBe(0);

  // Failover: every IPv4 probe stream has an IPv6 twin on the same link, and both lose about
  // as much (BFD guards the interface session both families share).
  const failover = await suites(['--suite', 'bfd-failover', '--grep', 'grey']);
  expect(failover.result.exitCode, failover.errors || failover.result.stdout + failover.result.stderr).toBe(0);
  const losses = Object.keys(failover.summary.figures).filter((k) => k.startsWith('loss_window_ms.'));
  const v4Losses = losses.filter((k) => !k.includes('-ipv6.'));
  expect(v4Losses.length).toBeGreaterThanOrEqual(4); // forward and reverse on a leaf–spine and a compute–leaf link
  for (const k of v4Losses) expect(losses, k).toContain(k.replace(/^loss_window_ms\.(\w+)\./, 'loss_window_ms.$1-ipv6.'));

  // The third seeded fault: spine2 stops forwarding IPv6 (its IPv4 forwarding stays). Routes
  // are unchanged, so convergence holds; the IPv6 streams rerouted through spine2 never come
  // back, and each culprit names spine2 as where they went. No IPv4 stream is blamed.
  expect((await netproof(['exec', LAB, 'spine2', '--', 'sysctl', '-w', 'net.ipv6.conf.all.forwarding=0'])).exitCode).toBe(0);
  const noForwarding = await suites(['--suite', 'bfd-failover', '--grep', 'grey']);
  expect(noForwarding.result.exitCode).toBe(1);
  const streamLines = noForwarding.errors.split('\n').filter((l) => /^grey failure of /.test(l));
  expect(streamLines.length).toBeGreaterThan(0);
  // Whether it is caught as traffic that never came back, or as a loss over budget, the line names where it went.
  for (const l of streamLines) expect(l).toMatch(/: \w+ IPv6 stream \S+ → \S+ \(fd00:[0-9a-f:]+\) leaving by \S+: .*then sending it via eth\d → spine2/);
  expect((await netproof(['exec', LAB, 'spine2', '--', 'sysctl', '-w', 'net.ipv6.conf.all.forwarding=1'])).exitCode).toBe(0);

  // The last, on the running lab: host1 stops advertising its IPv6 loopback (its IPv4 one stays).
  const withdraw = await netproof(['exec', LAB, 'host1', '--', 'vtysh', '-c', 'configure terminal', '-c', 'router bgp 65301', '-c', 'address-family ipv6 unicast', '-c', `no network ${HOST1_V6}`]);
  expect(withdraw.exitCode, withdraw.stdout + withdraw.stderr).toBe(0);
  const broken = await suites(['--suite', 'bgp-convergence', '--convergence-timeout', '5']);
  expect(broken.result.exitCode).toBe(1);
  const lines = broken.errors.split('\n').filter((l) => /^\S+: \S+ \(loopback of /.test(l));
  // Every other router lost it, and says so; no other prefix is blamed.
  for (const router of ['spine1', 'spine2', 'leaf1', 'leaf2', 'host2']) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${router}: fd00:10:255:2::1/128 \\(loopback of host1\\) is not in the RIB, expected \\d`)));
  expect(lines.filter((l) => !l.includes(`${HOST1_V6} (loopback of host1)`))).toEqual([]);

  expect((await netproof(['destroy', LAB])).exitCode).toBe(0);
  expect(await leftovers(LAB)).toEqual([]);
}, 240_000);

test('a numbered dual-stack fabric: its IPv4 sessions carry the IPv6 loopbacks (link-local next hops); every check passes, each failover stream with an IPv6 twin', async () => {
  const lab = await generatedLab(NUMBERED, { spines: 2, leaves: 2, hosts: 2, underlayFamily: 'dual-stack' });
  const deploy = await netproof(['deploy', lab.file]);
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);
  const healthy = await netproofTest(NUMBERED, ['--suite', 'bgp-convergence', '--suite', 'ecmp-spread', '--suite', 'intent']);
  expect(healthy.result.exitCode, healthy.errors || healthy.result.stdout + healthy.result.stderr).toBe(0);
  expect(2 * healthy.summary.figures.ipv6_loopback_routes!.value).toBe(healthy.summary.figures.loopback_routes?.value);
  // One session per link, numbered, carrying both families; IPv6 routes go via the links' link-local addresses.
  const summary = JSON.parse((await netproof(['exec', NUMBERED, 'spine1', '--', 'vtysh', '-c', 'show bgp summary json'])).stdout) as Record<string, { peers: Record<string, unknown> }>;
  expect(Object.keys(summary.ipv4Unicast!.peers).sort()).toEqual(Object.keys(summary.ipv6Unicast!.peers).sort());
  expect(Object.keys(summary.ipv4Unicast!.peers).every((p) => /^\d+\.\d+\.\d+\.\d+$/.test(p))).toBe(true);
  const route = JSON.parse((await netproof(['exec', NUMBERED, 'spine1', '--', 'ip', '-6', '-j', 'route', 'show', HOST1_V6])).stdout) as { nexthops?: { gateway: string; dev: string }[] }[];
  expect(route[0]?.nexthops?.map((h) => h.dev).sort()).toEqual(['eth1', 'eth2']);
  for (const h of route[0]!.nexthops!) expect(h.gateway).toMatch(/^fe80:/);

  // The IPv6 twins are steered by interface, though the session on the link is an IPv4 one.
  const failover = await netproofTest(NUMBERED, ['--suite', 'bfd-failover', '--grep', 'grey']);
  expect(failover.result.exitCode, failover.errors || failover.result.stdout + failover.result.stderr).toBe(0);
  const losses = Object.keys(failover.summary.figures).filter((k) => k.startsWith('loss_window_ms.'));
  const v4Losses = losses.filter((k) => !k.includes('-ipv6.'));
  expect(v4Losses.length).toBeGreaterThanOrEqual(4);
  for (const k of v4Losses) expect(losses, k).toContain(k.replace(/^loss_window_ms\.(\w+)\./, 'loss_window_ms.$1-ipv6.'));

  expect((await netproof(['destroy', NUMBERED])).exitCode).toBe(0);
  expect(await leftovers(NUMBERED)).toEqual([]);
}, 240_000);
