// An OSPF or IS-IS underlay, and the hosts on it, against what the user wrote: every
// router-to-router link both ends put in OSPF has a Full adjacency, and in IS-IS an Up one; every
// subnet the OSPF (IS-IS) routers advertise is in every other OSPF (IS-IS) router's RIB and
// kernel FIB with the ECMP width the shortest paths imply (declared `ip ospf cost`s or
// `isis metric`s, else equal ones); every host reaches every host its own declared routes point
// at. Expectations come from the routers' frr.conf files and the topology (lib/plan/ospf.ts,
// lib/plan/isis.ts, lib/plan/host-routes.ts), never from the running routers.
import { attachment, step } from 'allure-js-commons';
import { describe, expect, PreconditionError, test } from '../lib/testkit/index.ts';
import { isisAdjacencyCulprits, type IsisNeighbors } from '../lib/expect/isis.ts';
import { adjacencyCulprits, type OspfNeighbors } from '../lib/expect/ospf.ts';
import { routeCulprits } from '../lib/expect/bgp.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import type { IgpRoute } from '../lib/plan/igp-paths.ts';
import { expectedIsisAdjacencies, expectedIsisRoutes, parseIsisConfig, type IsisConfig } from '../lib/plan/isis.ts';
import { expectedAdjacencies, expectedOspfRoutes, parseOspfConfig, type OspfConfig } from '../lib/plan/ospf.ts';
import { expectedHostPairs, hostAddressing } from '../lib/plan/host-routes.ts';
import { observeRoutes } from '../lib/probes/fabric.ts';
import { vtyshJson } from '../lib/probes/frr.ts';
import { addresses } from '../lib/probes/kernel.ts';
import { pingAttempt } from '../lib/probes/traffic.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { remainingMs, sinceDeployS } from '../lib/testkit/deadline.ts';
import { asExpectedRoutes, igpConfigs } from '../lib/testkit/igp.ts';
import { waitForNoCulprits, WaitTimeoutError } from '../lib/wait-for.ts';

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

/** What the adjacency and route tests need to know of one IGP: the same two checks for each. */
interface Igp<C, A extends { at: string }> {
  name: 'OSPF' | 'IS-IS';
  daemon: 'ospfd' | 'isisd';
  /** FRR's and the kernel's name for the routes it installs; also the figures' prefix. */
  protocol: 'ospf' | 'isis';
  parse: (router: string, frrConf: string) => C | undefined;
  expectedAdjacencies: (configs: ReadonlyMap<string, C>, links: StartedLab['topology']['links']) => A[];
  expectedRoutes: (configs: ReadonlyMap<string, C>, links: StartedLab['topology']['links']) => IgpRoute[];
  neighborsCommand: string;
  adjacencyCulprits: (expected: A[], seen: Map<string, unknown>) => string[];
  /** The state a working adjacency shows: Full (OSPF), Up (IS-IS). */
  upState: 'Full' | 'Up';
  /** The tests' names, skip reasons and attachments, as users and reports know them. */
  words: { adjacencyTest: string; routeTest: string; noAdjacency: string; noRoute: string; routeWord: 'subnet' | 'prefix'; adjacencyFile: string; routeFile: string };
}

const OSPF: Igp<OspfConfig, ReturnType<typeof expectedAdjacencies>[number]> = {
  name: 'OSPF',
  daemon: 'ospfd',
  protocol: 'ospf',
  parse: parseOspfConfig,
  expectedAdjacencies: (configs, links) => expectedAdjacencies(configs, links),
  expectedRoutes: (configs, links) => expectedOspfRoutes(configs, links),
  neighborsCommand: 'show ip ospf neighbor json',
  adjacencyCulprits: (expected, seen) => adjacencyCulprits(expected, seen as Map<string, OspfNeighbors | undefined>),
  upState: 'Full',
  words: {
    adjacencyTest: 'every router-to-router link both ends put in OSPF has a Full adjacency at each end',
    routeTest: 'every router has every subnet the OSPF routers advertise in its RIB and kernel FIB with the ECMP width the shortest paths imply',
    noAdjacency: 'not declared: no router-to-router link is in OSPF at both ends (network … area, or ip ospf area, and not passive)',
    noRoute: 'not declared: the OSPF routers advertise no subnet another router would learn',
    routeWord: 'subnet',
    adjacencyFile: 'expected-adjacencies.json',
    routeFile: 'expected-routes.json',
  },
};

const ISIS: Igp<IsisConfig, ReturnType<typeof expectedIsisAdjacencies>[number]> = {
  name: 'IS-IS',
  daemon: 'isisd',
  protocol: 'isis',
  parse: parseIsisConfig,
  expectedAdjacencies: (configs, links) => expectedIsisAdjacencies(configs, links),
  expectedRoutes: (configs, links) => expectedIsisRoutes(configs, links),
  neighborsCommand: 'show isis neighbor detail json',
  adjacencyCulprits: (expected, seen) => isisAdjacencyCulprits(expected, seen as Map<string, IsisNeighbors | undefined>),
  upState: 'Up',
  words: {
    adjacencyTest: 'every router-to-router link both ends put in IS-IS has an Up adjacency at each end',
    routeTest: 'every router has every prefix the IS-IS routers advertise in its RIB and kernel FIB with the ECMP width the shortest paths imply',
    noAdjacency: 'not declared: no router-to-router link is in IS-IS at both ends (ip router isis NAME of a router isis NAME, not isis passive, at a level both ends run)',
    noRoute: 'not declared: the IS-IS routers advertise no prefix another router would learn (addresses of interfaces with ip router isis, and adjacencies between the routers)',
    routeWord: 'prefix',
    adjacencyFile: 'expected-isis-adjacencies.json',
    routeFile: 'expected-isis-routes.json',
  },
};

/** The wait for an IGP's expected adjacencies, each router's neighbors read in one vtysh call. */
const adjacencyWait =
  <C, A extends { at: string }>(lab: StartedLab, igp: Igp<C, A>, expected: A[]) =>
  () => {
    const routers = [...new Set(expected.map((a) => a.at))];
    return waitForNoCulprits(
      async () => new Map(await Promise.all(routers.map(async (r) => [r, await vtyshJson<unknown>(lab.node(r), igp.neighborsCommand).catch(() => undefined)] as const))),
      (seen) => igp.adjacencyCulprits(expected, seen),
      { timeoutMs: remainingMs(lab), description: `${expected.length} ${igp.name} adjacencies to be ${igp.upState}` },
    );
  };

/** The adjacency test and the route test of one IGP. */
function igpTests<C, A extends { at: string }>(igp: Igp<C, A>): void {
  const { words } = igp;
  test(words.adjacencyTest, async ({ lab, task, skip }) => {
    const configs = await igpConfigs(lab, igp.daemon, igp.parse);
    if (!configs) skip(`no router in this lab runs ${igp.daemon}`);
    const expected = igp.expectedAdjacencies(configs!, lab.topology.links);
    if (!expected.length) skip(words.noAdjacency);
    await attachment(words.adjacencyFile, JSON.stringify(expected, null, 2), 'application/json');
    await step(`expect ${expected.length} adjacencies ${igp.upState}`, () => adjacenciesUp(igp.name, adjacencyWait(lab, igp, expected)).catch(culpritsOf));
    recordFigure({ task }, `${igp.protocol}_adjacencies_${igp.upState.toLowerCase()}_s`, { value: sinceDeployS(lab), unit: 's', description: `deploy start until every expected ${igp.name} adjacency was seen ${igp.upState}` });
    recordFigure({ task }, `${igp.protocol}_adjacencies`, { value: expected.length, unit: 'adjacencies', description: `both ends of every router-to-router link in ${igp.name}` });
  });

  test(words.routeTest, async ({ lab, task, skip }) => {
    const configs = await igpConfigs(lab, igp.daemon, igp.parse);
    if (!configs) skip(`no router in this lab runs ${igp.daemon}`);
    const planned = igp.expectedRoutes(configs!, lab.topology.links);
    if (!planned.length) skip(words.noRoute);
    await needAdjacencies(igp.name, adjacencyWait(lab, igp, igp.expectedAdjacencies(configs!, lab.topology.links)));
    const expected = asExpectedRoutes(planned, igp.protocol);
    await attachment(words.routeFile, JSON.stringify(planned, null, 2), 'application/json');
    const routers = [...configs!.keys()];
    // Next hops are named by the router that owns their gateway address.
    const owners = await gatewayOwners(lab, routers);
    await step(`expect ${expected.length} ${igp.name} routes with their ECMP width in RIB and FIB`, () =>
      waitForNoCulprits(() => observeRoutes(lab, routers), (observed) => routeCulprits(expected, observed, owners), { timeoutMs: remainingMs(lab), description: `${expected.length} ${igp.name} routes with their ECMP width` }).catch(culpritsOf),
    );
    recordFigure({ task }, `${igp.protocol}_convergence_s`, { value: sinceDeployS(lab), unit: 's', description: `deploy start until every ${igp.name} router had every advertised ${words.routeWord} with its ECMP width in RIB and kernel FIB` });
    recordFigure({ task }, `${igp.protocol}_routes`, { value: expected.length, unit: 'routes', description: `router × advertised ${words.routeWord} pairs checked` });
  });
}

describe('IGP (OSPF, IS-IS) and hosts', () => {
  igpTests(OSPF);
  igpTests(ISIS);

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
