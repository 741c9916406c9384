// Weighted ECMP end to end: `generate clos --link-bandwidth leaf1:eth1=300,leaf1:eth2=100` has
// spine1 and spine2 send their routes to leaf1 with BGP's link-bandwidth community (300 and 100
// Mbit/s, an outbound route-map each), and declares the bandwidths under leaf1 in the intent. The ECMP suite passes on it: every path carries its bandwidth, leaf1's RIB
// and kernel FIB weigh the spines 75/25, and its flows split 3:1, not evenly. With the community
// dropped by spine2 (FRR then falls back to equal weights at leaf1), the suite fails at each kind of
// place it checks, naming leaf1: the missing community, the weights, and the even split.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { netproof, netproofTest } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { leftovers } from '../../fixtures/runtimes.ts';
import type { Snapshot } from '../state/snapshot.ts';
import { waitFor } from '../wait-for.ts';

const LAB = 'e2e-wcmp';
const WEIGHTED = 'every router with declared link bandwidths learns them in BGP and weights its next hops in proportion, in its RIB and kernel FIB';

afterAll(async () => {
  await netproof(['destroy', LAB]);
});

const ecmpSuite = (extra: string[] = []) => netproofTest(LAB, ['--suite', 'ecmp-spread', ...extra]);

/** leaf1's kernel route to leaf2's loopback: next hop → weight. */
async function kernelWeights(): Promise<Record<string, number>> {
  const r = await netproof(['exec', LAB, 'leaf1', '--', 'ip', '-j', 'route', 'show', '10.255.1.2/32']);
  const route = (JSON.parse(r.stdout || '[]') as { nexthops?: { dev: string; weight?: number }[] }[])[0];
  return Object.fromEntries((route?.nexthops ?? []).map((n) => [n.dev, n.weight ?? 1]));
}

test('link bandwidths declared on leaf1 weigh its routes 3:1 in BGP, RIB, FIB and traffic; a missing community fails at each, naming leaf1', async () => {
  const lab = await generatedLab(LAB, { spines: 2, leaves: 2, hosts: 2, linkBandwidth: { leaf1: { eth1: 300, eth2: 100 } } });
  const spine2 = await readFile(join(lab.dir, 'spine2', 'frr.conf'), 'utf8');
  const routeMap = /^route-map (\S+) permit 10\n set extcommunity bandwidth 100$/m.exec(spine2)?.[1];
  expect(routeMap, spine2).toBeDefined();
  const deploy = await netproof(['deploy', lab.file]);
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);

  const healthy = await ecmpSuite();
  expect(healthy.result.exitCode, healthy.errors || healthy.result.stdout + healthy.result.stderr).toBe(0);
  expect(healthy.summary.tests.find((t) => t.name.endsWith(WEIGHTED))?.status).toBe('passed');
  // Only leaf1 weighs, and only leaf2's loopback goes over both spines (the hosts hang off leaf1 itself).
  expect(healthy.summary.figures['wcmp_routes_weighted.leaf1']?.value).toBe(1);
  expect(Object.keys(healthy.summary.figures).filter((k) => k.startsWith('wcmp_routes_weighted.'))).toEqual(['wcmp_routes_weighted.leaf1']);
  // The kernel itself, read directly: spine1's uplink carries three times spine2's weight.
  const weights = await kernelWeights();
  expect(weights.eth1! / (weights.eth1! + weights.eth2!)).toBeCloseTo(0.75, 1);
  // state.json keeps the weights, so `netproof change` shows a reweighting.
  const state = JSON.parse(await readFile(join(healthy.reportDir, 'state.json'), 'utf8')) as Snapshot;
  expect(state.routers.leaf1!.rib['10.255.1.2/32']?.weights).toEqual({ 'eth1 → spine1': 75, 'eth2 → spine2': 25 });
  expect(state.routers.leaf1!.fib['10.255.1.2/32']?.weights).toEqual({ 'eth1 → spine1': 75, 'eth2 → spine2': 25 });

  // `netproof intent` reads the bandwidths back from the paths leaf1 learned: on the healthy lab
  // it infers the very intent the generator declared, link-bandwidth under leaf1 and nowhere else.
  const inferred = await netproof(['intent', LAB]);
  expect(inferred.exitCode, inferred.stderr).toBe(0);
  expect(inferred.stderr).not.toContain('link-bandwidth');
  const declared = parse(await readFile(join(lab.dir, `${LAB}.intent.yml`), 'utf8')) as { routers: Record<string, { 'link-bandwidth'?: unknown }> };
  expect(declared.routers.leaf1!['link-bandwidth']).toEqual({ eth1: 300, eth2: 100 });
  expect(parse(inferred.stdout)).toEqual(declared);

  // The seeded fault: spine2's policy towards leaf1 stops setting the community.
  const drop = await netproof(['exec', LAB, 'spine2', '--', 'vtysh', '-c', 'configure terminal', '-c', `route-map ${routeMap} permit 10`, '-c', 'no set extcommunity bandwidth 100', '-c', 'end', '-c', 'clear bgp * soft out']);
  expect(drop.exitCode, drop.stdout + drop.stderr).toBe(0);
  await waitFor(
    async () => {
      const w = await kernelWeights();
      return w.eth1 === w.eth2 ? { ok: true, value: w } : { ok: false, reason: `leaf1's weights are still ${JSON.stringify(w)}` };
    },
    { timeoutMs: 30_000, intervalsMs: [250], description: 'leaf1 to fall back to equal weights' },
  );
  // The fabric is converged: a short deadline keeps the weights check from waiting a minute for what will not come.
  const broken = await ecmpSuite(['--convergence-timeout', '5']);
  expect(broken.result.exitCode).toBe(1);
  // The cause, in BGP…
  expect(broken.errors).toMatch(/^leaf1: 10\.255\.1\.2\/32 \(loopback of leaf2\) learned from spine2 over eth2 carries no link-bandwidth community .*; declared 100 Mbit\/s \(routers\.leaf1\.link-bandwidth\.eth2 in /m);
  // …what it does to the weights…
  expect(broken.errors).toMatch(/^leaf1: 10\.255\.1\.2\/32 \(loopback of leaf2\) is not weighted as declared in the RIB: .*; expected eth1 → spine1 75 % \(300 Mbit\/s\), eth2 → spine2 25 % \(100 Mbit\/s\)/m);
  // …and to the traffic: an even split where 3:1 was declared.
  expect(broken.errors).toMatch(/^leaf1 → \S+ \(\S+\): 512 flows spread not in the declared proportions \(75 % \/ 25 %/m);
  // Nothing else is blamed.
  expect(broken.errors.split('\n').filter((l) => /^[a-z]+\d+(:| →)/.test(l) && !l.startsWith('leaf1'))).toEqual([]);

  expect((await netproof(['destroy', LAB])).exitCode).toBe(0);
  expect(await leftovers(LAB)).toEqual([]);
}, 300_000);
