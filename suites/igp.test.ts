// An OSPF or IS-IS underlay, and the hosts on it, against what the user wrote: every
// router-to-router link both ends put in OSPF has a Full adjacency, and in IS-IS an Up one; every
// subnet the OSPF (IS-IS) routers advertise is in every other OSPF (IS-IS) router's RIB and
// kernel FIB with the ECMP width the shortest paths imply (declared `ip ospf cost`s or
// `isis metric`s, else equal ones); every host reaches every host its own declared routes point
// at. Expectations come from the routers' frr.conf files and the topology (lib/plan/ospf.ts,
// lib/plan/isis.ts, lib/plan/host-routes.ts), never from the running routers.
import { readFile } from 'node:fs/promises';
import { attachment, step } from 'allure-js-commons';
import { describe, expect, PreconditionError, test } from '../lib/testkit/index.ts';
import { isisAdjacencyCulprits, type IsisNeighbors } from '../lib/expect/isis.ts';
import { adjacencyCulprits, type OspfNeighbors } from '../lib/expect/ospf.ts';
import { routeCulprits } from '../lib/expect/bgp.ts';
import type { NodeHandle, StartedLab } from '../lib/lab/started-lab.ts';
import type { IgpRoute } from '../lib/plan/igp-paths.ts';
import { expectedIsisAdjacencies, expectedIsisRoutes, parseIsisConfig, type IsisConfig } from '../lib/plan/isis.ts';
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

/** The routers that run `daemon` and what their frr.conf declares for it; undefined when no router runs it. */
async function igpConfigs<C>(lab: StartedLab, daemon: string, parse: (router: string, frrConf: string) => C | undefined): Promise<Map<string, C> | undefined> {
  const routers = lab.nodes().filter((n) => n.frrDaemons.includes(daemon));
  if (!routers.length) return undefined;
  const out = new Map<string, C>();
  for (const n of routers) {
    const c = parse(n.name, await frrConfText(n));
    if (c) out.set(n.name, c);
  }
  return out;
}

/** A router's integrated frr.conf as the user wrote it (a file, or the text in the topology). */
const frrConfText = async (n: NodeHandle) => (n.spec.frr?.config !== undefined ? await readFile(n.spec.frr.config, 'utf8') : (n.spec.frr?.configText ?? ''));

/** The OSPF routers and what their frr.conf declares; undefined when no router runs ospfd. */
const ospfConfigs = (lab: StartedLab) => igpConfigs<OspfConfig>(lab, 'ospfd', parseOspfConfig);

/** The IS-IS routers and what their frr.conf declares; undefined when no router runs isisd. */
const isisConfigs = (lab: StartedLab) => igpConfigs<IsisConfig>(lab, 'isisd', parseIsisConfig);

/** Planned IGP routes as the route check expects them, installed by `protocol`. */
function asExpectedRoutes(planned: readonly IgpRoute[], protocol: 'ospf' | 'isis'): ExpectedRoute[] {
  return planned.map((r) => ({
    at: r.at,
    prefix: r.prefix,
    owner: r.advertisedBy.join(', '),
    candidates: r.via.map((v) => ({ ...v, neighborIface: '' })),
    width: r.width,
    hops: 0,
    // routeCulprits compares it with FRR's and the kernel's protocol names, which say "isis".
    protocol: protocol as string as ExpectedRoute['protocol'],
    description: `${r.prefix} (advertised by ${r.advertisedBy.join(', ')})`,
  }));
}

/** Gateway address → "router:iface", to name next hops by the router that owns them. */
async function gatewayOwners(lab: StartedLab, routers: readonly string[]): Promise<Map<string, string>> {
  return new Map((await Promise.all(routers.map(async (r) => (await addresses(lab.node(r))).filter((a) => a.family === 'inet').map((a) => [a.local, `${r}:${a.iface}`] as const)))).flat());
}

/** The culprit lines of a timed-out wait (one per line after its first), or the error itself. */
function culpritsOf(e: unknown): never {
  if (e instanceof WaitTimeoutError) {
    const [timedOut, ...culprits] = e.message.split('\n');
    expect(culprits).toHaveNoCulprits(`culprits when ${timedOut!.replace(/:$/, '')}`);
  }
  throw e;
}

/** Per IGP, the wait for its expected adjacencies, once per file: the adjacency test reports it, the route test needs it. */
const adjacencyWaits = new Map<string, Promise<void>>();

function adjacenciesUp(igp: 'OSPF' | 'IS-IS', wait: () => Promise<unknown>): Promise<void> {
  let up = adjacencyWaits.get(igp);
  if (!up) adjacencyWaits.set(igp, (up = wait().then(() => undefined)));
  return up;
}

/** A route test's precondition: its IGP's adjacencies are up, else it fails naming them, not the routes they take away. */
async function needAdjacencies(igp: 'OSPF' | 'IS-IS', wait: () => Promise<unknown>): Promise<void> {
  await adjacenciesUp(igp, wait).catch((e: unknown) => {
    const detail = e instanceof WaitTimeoutError ? e.message : String(e);
    throw new PreconditionError(`every ${igp} adjacency the configuration implies is up (its routes follow from them)`, detail);
  });
}

const ospfAdjacencyWait = (lab: StartedLab, expected: ReturnType<typeof expectedAdjacencies>) => () => {
  const routers = [...new Set(expected.map((a) => a.at))];
  return waitForNoCulprits(
    async () => new Map(await Promise.all(routers.map(async (r) => [r, await vtyshJson<OspfNeighbors>(lab.node(r), 'show ip ospf neighbor json').catch(() => undefined)] as const))),
    (seen) => adjacencyCulprits(expected, seen),
    { timeoutMs: remainingMs(lab), description: `${expected.length} OSPF adjacencies to be Full` },
  );
};

const isisAdjacencyWait = (lab: StartedLab, expected: ReturnType<typeof expectedIsisAdjacencies>) => () => {
  const routers = [...new Set(expected.map((a) => a.at))];
  return waitForNoCulprits(
    async () => new Map(await Promise.all(routers.map(async (r) => [r, await vtyshJson<IsisNeighbors>(lab.node(r), 'show isis neighbor detail json').catch(() => undefined)] as const))),
    (seen) => isisAdjacencyCulprits(expected, seen),
    { timeoutMs: remainingMs(lab), description: `${expected.length} IS-IS adjacencies to be Up` },
  );
};

describe('IGP (OSPF, IS-IS) and hosts', () => {
  test('every router-to-router link both ends put in OSPF has a Full adjacency at each end', async ({ lab, task, skip }) => {
    const configs = await ospfConfigs(lab);
    if (!configs) skip('no router in this lab runs ospfd');
    const expected = expectedAdjacencies(configs!, lab.topology.links);
    if (!expected.length) skip('not declared: no router-to-router link is in OSPF at both ends (network … area, or ip ospf area, and not passive)');
    await attachment('expected-adjacencies.json', JSON.stringify(expected, null, 2), 'application/json');
    await step(`expect ${expected.length} adjacencies Full`, () => adjacenciesUp('OSPF', ospfAdjacencyWait(lab, expected)).catch(culpritsOf));
    recordFigure({ task }, 'ospf_adjacencies_full_s', { value: sinceDeployS(lab), unit: 's', description: 'deploy start until every expected OSPF adjacency was seen Full' });
    recordFigure({ task }, 'ospf_adjacencies', { value: expected.length, unit: 'adjacencies', description: 'both ends of every router-to-router link in OSPF' });
  });

  test('every router has every subnet the OSPF routers advertise in its RIB and kernel FIB with the ECMP width the shortest paths imply', async ({ lab, task, skip }) => {
    const configs = await ospfConfigs(lab);
    if (!configs) skip('no router in this lab runs ospfd');
    const planned = expectedOspfRoutes(configs!, lab.topology.links);
    if (!planned.length) skip('not declared: the OSPF routers advertise no subnet another router would learn');
    await needAdjacencies('OSPF', ospfAdjacencyWait(lab, expectedAdjacencies(configs!, lab.topology.links)));
    const expected = asExpectedRoutes(planned, 'ospf');
    await attachment('expected-routes.json', JSON.stringify(planned, null, 2), 'application/json');
    const routers = [...configs!.keys()];
    // Next hops are named by the router that owns their gateway address.
    const owners = await gatewayOwners(lab, routers);
    await step(`expect ${expected.length} OSPF routes with their ECMP width in RIB and FIB`, () =>
      waitForNoCulprits(() => observeRoutes(lab, routers), (observed) => routeCulprits(expected, observed, owners), { timeoutMs: remainingMs(lab), description: `${expected.length} OSPF routes with their ECMP width` }).catch(culpritsOf),
    );
    recordFigure({ task }, 'ospf_convergence_s', { value: sinceDeployS(lab), unit: 's', description: 'deploy start until every OSPF router had every advertised subnet with its ECMP width in RIB and kernel FIB' });
    recordFigure({ task }, 'ospf_routes', { value: expected.length, unit: 'routes', description: 'router × advertised subnet pairs checked' });
  });

  test('every router-to-router link both ends put in IS-IS has an Up adjacency at each end', async ({ lab, task, skip }) => {
    const configs = await isisConfigs(lab);
    if (!configs) skip('no router in this lab runs isisd');
    const expected = expectedIsisAdjacencies(configs!, lab.topology.links);
    if (!expected.length) skip('not declared: no router-to-router link is in IS-IS at both ends (ip router isis NAME of a router isis NAME, not isis passive, at a level both ends run)');
    await attachment('expected-isis-adjacencies.json', JSON.stringify(expected, null, 2), 'application/json');
    await step(`expect ${expected.length} IS-IS adjacencies Up`, () => adjacenciesUp('IS-IS', isisAdjacencyWait(lab, expected)).catch(culpritsOf));
    recordFigure({ task }, 'isis_adjacencies_up_s', { value: sinceDeployS(lab), unit: 's', description: 'deploy start until every expected IS-IS adjacency was seen Up' });
    recordFigure({ task }, 'isis_adjacencies', { value: expected.length, unit: 'adjacencies', description: 'both ends of every router-to-router link in IS-IS' });
  });

  test('every router has every prefix the IS-IS routers advertise in its RIB and kernel FIB with the ECMP width the shortest paths imply', async ({ lab, task, skip }) => {
    const configs = await isisConfigs(lab);
    if (!configs) skip('no router in this lab runs isisd');
    const planned = expectedIsisRoutes(configs!, lab.topology.links);
    if (!planned.length) skip('not declared: the IS-IS routers advertise no prefix another router would learn (addresses of interfaces with ip router isis, and adjacencies between the routers)');
    await needAdjacencies('IS-IS', isisAdjacencyWait(lab, expectedIsisAdjacencies(configs!, lab.topology.links)));
    const expected = asExpectedRoutes(planned, 'isis');
    await attachment('expected-isis-routes.json', JSON.stringify(planned, null, 2), 'application/json');
    const routers = [...configs!.keys()];
    const owners = await gatewayOwners(lab, routers);
    await step(`expect ${expected.length} IS-IS routes with their ECMP width in RIB and FIB`, () =>
      waitForNoCulprits(() => observeRoutes(lab, routers), (observed) => routeCulprits(expected, observed, owners), { timeoutMs: remainingMs(lab), description: `${expected.length} IS-IS routes with their ECMP width` }).catch(culpritsOf),
    );
    recordFigure({ task }, 'isis_convergence_s', { value: sinceDeployS(lab), unit: 's', description: 'deploy start until every IS-IS router had every advertised prefix with its ECMP width in RIB and kernel FIB' });
    recordFigure({ task }, 'isis_routes', { value: expected.length, unit: 'routes', description: 'router × advertised prefix pairs checked' });
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
