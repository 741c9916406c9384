// An OSPF underlay, and the hosts on it, against what the user wrote: every router-to-router
// link both ends put in OSPF has a Full adjacency; every subnet the OSPF routers advertise is in
// every other OSPF router's RIB and kernel FIB with the ECMP width the shortest paths imply
// (declared `ip ospf cost`s, else equal costs); every host reaches every host its own declared
// routes point at. Expectations come from the routers' frr.conf files and the topology
// (lib/plan/ospf.ts, lib/plan/host-routes.ts), never from the running routers.
import { readFile } from 'node:fs/promises';
import { attachment, step } from 'allure-js-commons';
import { describe, expect, test } from '../lib/testkit/index.ts';
import { adjacencyCulprits, type OspfNeighbors } from '../lib/expect/ospf.ts';
import { routeCulprits } from '../lib/expect/bgp.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import { expectedAdjacencies, expectedOspfRoutes, parseOspfConfig, type OspfConfig } from '../lib/plan/ospf.ts';
import { expectedHostPairs, hostAddressing } from '../lib/plan/host-routes.ts';
import type { ExpectedRoute } from '../lib/plan/expected-routing.ts';
import { observeRoutes } from '../lib/probes/fabric.ts';
import { vtyshJson } from '../lib/probes/frr.ts';
import { addresses } from '../lib/probes/kernel.ts';
import { pingAttempt } from '../lib/probes/traffic.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { remainingMs, sinceDeployS } from '../lib/testkit/deadline.ts';
import { waitForNoCulprits, WaitTimeoutError } from '../lib/wait-for.ts';

/** The OSPF routers and what their frr.conf declares; undefined when no router runs ospfd. */
async function ospfConfigs(lab: StartedLab): Promise<Map<string, OspfConfig> | undefined> {
  const routers = lab.nodes().filter((n) => n.frrDaemons.includes('ospfd'));
  if (!routers.length) return undefined;
  const out = new Map<string, OspfConfig>();
  for (const n of routers) {
    const text = n.spec.frr?.config !== undefined ? await readFile(n.spec.frr.config, 'utf8') : (n.spec.frr?.configText ?? '');
    const c = parseOspfConfig(n.name, text);
    if (c) out.set(n.name, c);
  }
  return out;
}

/** The culprit lines of a timed-out wait (one per line after its first), or the error itself. */
function culpritsOf(e: unknown): never {
  if (e instanceof WaitTimeoutError) {
    const [timedOut, ...culprits] = e.message.split('\n');
    expect(culprits).toHaveNoCulprits(`culprits when ${timedOut!.replace(/:$/, '')}`);
  }
  throw e;
}

describe('IGP (OSPF) and hosts', () => {
  test('every router-to-router link both ends put in OSPF has a Full adjacency at each end', async ({ lab, task, skip }) => {
    const configs = await ospfConfigs(lab);
    if (!configs) skip('no router in this lab runs ospfd');
    const expected = expectedAdjacencies(configs!, lab.topology.links);
    if (!expected.length) skip('not declared: no router-to-router link is in OSPF at both ends (network … area, or ip ospf area, and not passive)');
    await attachment('expected-adjacencies.json', JSON.stringify(expected, null, 2), 'application/json');
    const routers = [...new Set(expected.map((a) => a.at))];
    await step(`expect ${expected.length} adjacencies Full`, () =>
      waitForNoCulprits(
        async () => new Map(await Promise.all(routers.map(async (r) => [r, await vtyshJson<OspfNeighbors>(lab.node(r), 'show ip ospf neighbor json').catch(() => undefined)] as const))),
        (seen) => adjacencyCulprits(expected, seen),
        { timeoutMs: remainingMs(lab), description: `${expected.length} OSPF adjacencies to be Full` },
      ).catch(culpritsOf),
    );
    recordFigure({ task }, 'ospf_adjacencies_full_s', { value: sinceDeployS(lab), unit: 's', description: 'deploy start until every expected OSPF adjacency was seen Full' });
    recordFigure({ task }, 'ospf_adjacencies', { value: expected.length, unit: 'adjacencies', description: 'both ends of every router-to-router link in OSPF' });
  });

  test('every router has every subnet the OSPF routers advertise in its RIB and kernel FIB with the ECMP width the shortest paths imply', async ({ lab, task, skip }) => {
    const configs = await ospfConfigs(lab);
    if (!configs) skip('no router in this lab runs ospfd');
    const planned = expectedOspfRoutes(configs!, lab.topology.links);
    if (!planned.length) skip('not declared: the OSPF routers advertise no subnet another router would learn');
    const expected: ExpectedRoute[] = planned.map((r) => ({
      at: r.at,
      prefix: r.prefix,
      owner: r.advertisedBy.join(', '),
      candidates: r.via.map((v) => ({ ...v, neighborIface: '' })),
      width: r.width,
      hops: 0,
      protocol: 'ospf',
      description: `${r.prefix} (advertised by ${r.advertisedBy.join(', ')})`,
    }));
    await attachment('expected-routes.json', JSON.stringify(planned, null, 2), 'application/json');
    const routers = [...configs!.keys()];
    // Next hops are named by the router that owns their gateway address.
    const owners = new Map((await Promise.all(routers.map(async (r) => (await addresses(lab.node(r))).filter((a) => a.family === 'inet').map((a) => [a.local, `${r}:${a.iface}`] as const)))).flat());
    await step(`expect ${expected.length} OSPF routes with their ECMP width in RIB and FIB`, () =>
      waitForNoCulprits(() => observeRoutes(lab, routers), (observed) => routeCulprits(expected, observed, owners), { timeoutMs: remainingMs(lab), description: `${expected.length} OSPF routes with their ECMP width` }).catch(culpritsOf),
    );
    recordFigure({ task }, 'ospf_convergence_s', { value: sinceDeployS(lab), unit: 's', description: 'deploy start until every OSPF router had every advertised subnet with its ECMP width in RIB and kernel FIB' });
    recordFigure({ task }, 'ospf_routes', { value: expected.length, unit: 'routes', description: 'router × advertised subnet pairs checked' });
  });

  test('every host reaches every host its own declared routes point at', async ({ lab, task, skip }) => {
    const hosts = lab.topology.nodes.filter((n) => n.role === 'host').map(hostAddressing);
    const pairs = expectedHostPairs(hosts);
    if (!pairs.length) skip('not declared: no host has an address and a route (exec lines) covering another host');
    await attachment('expected-host-pairs.json', JSON.stringify(pairs, null, 2), 'application/json');
    await step(`expect ${pairs.length} host pairs to answer ping`, () =>
      waitForNoCulprits(
        () => Promise.all(pairs.map(async (p) => ({ p, attempt: await pingAttempt(lab.node(p.src), p.dstIp) }))),
        (seen) => seen.filter((s) => !s.attempt.ok).map(({ p, attempt }) => `${p.src} → ${p.dst} (${p.dstIp}): ${attempt.detail}; expected a reply (${p.because})`),
        { timeoutMs: remainingMs(lab), description: `${pairs.length} host pairs to reach each other` },
      ).catch(culpritsOf),
    );
    recordFigure({ task }, 'host_pairs_reachable', { value: pairs.length, unit: 'pairs', description: 'ordered host pairs whose declared routes point at each other, all answering ping' });
  });
});
