// Declared intent: the running lab against what the user wrote down in the intent file and
// the topology, router by router — each router's ASN, BFD on every router-to-router session
// with the declared timers, the declared multipath hash on every router with equal-cost paths,
// and every link end's MTU. Anything not declared is skipped with that reason, never inferred.
// On an OSPF or IS-IS underlay (no router runs bgpd) the sessions are the adjacencies its
// routers' frr.conf files imply, and the equal-cost paths those of its shortest paths.
import { describe, expectNoCulprits, skipWithoutBgp, skipWithoutDeclaredRouting, test, type LabFixtures } from '../lib/testkit/index.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import { igpUnderlay } from '../lib/testkit/igp.ts';
import { hashCulprits, mtuCulprits } from '../lib/expect/intent.ts';
import { HASH_POLICIES } from '../lib/model/intent.ts';
import { linkLabel } from '../lib/model/topology.ts';
import { expectedRoutes, familyOf } from '../lib/plan/expected-routing.ts';
import { interfaceMtus, multipathHashPolicy } from '../lib/probes/kernel.ts';
import { observeSummaries } from '../lib/probes/fabric.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { declaredBfdCulprits } from '../lib/testkit/bfd.ts';

const runsBgp = (lab: StartedLab) => lab.nodes().some((n) => n.frrDaemons.includes('bgpd'));

/** The fabric's sessions and expected routes: BGP's when any router runs bgpd, else the IGP underlay's; undefined when there is neither. */
async function underlay(lab: StartedLab, fabric: LabFixtures['fabric']) {
  if (runsBgp(lab)) {
    const f = await fabric();
    return { sessions: f.sessions, routes: () => expectedRoutes(f.routers, f.links) };
  }
  const igp = await igpUnderlay(lab);
  return igp && { sessions: igp.sessions, routes: () => igp.routes };
}

describe('declared intent', () => {
  test('every BGP router runs the ASN the intent declares', async ({ lab, fabric, skip }) => {
    skipWithoutBgp(lab, skip);
    const intent = lab.topology.intent;
    const f = await fabric();
    const declared = f.routers.filter((r) => intent?.routers[r.name]?.asn !== undefined);
    if (!declared.length) skip(`not declared: no router's ASN (declare routers.NAME.asn in ${intent?.file ?? 'the intent file'})`);
    const summaries = await observeSummaries(lab, declared.map((r) => r.name));
    expectNoCulprits(
      declared.flatMap((r) => {
        const running = summaries.get(r.name)?.as;
        return running === r.asn ? [] : [`${r.name}: runs BGP as AS ${running ?? '(no answer)'}, the intent declares AS ${r.asn} (${intent!.file})`];
      }),
      'routers run another ASN than declared',
    );
  });

  test('every router-to-router session runs BFD, up, with the declared timers', async ({ lab, fabric, task, skip }) => {
    const intent = lab.topology.intent;
    if (!intent?.bfd?.required) skip(`not declared: BFD (declare bfd.required and its timers in ${intent?.file ?? 'the intent file'})`);
    const u = await underlay(lab, fabric);
    if (!u) skip('no router in this lab runs bgpd, ospfd or isisd');
    recordFigure({ task }, 'bfd_sessions_checked', { value: u!.sessions.length, unit: 'sessions', description: 'router-to-router sessions (BGP sessions, or IGP adjacencies) whose BFD state and timers were compared with the intent' });
    expectNoCulprits(await declaredBfdCulprits(lab, u!.sessions), `BFD sessions differ from the intent (${intent!.file})`);
  });

  test('every router with equal-cost paths hashes flows as the intent declares', async ({ lab, fabric, skip }) => {
    const intent = lab.topology.intent;
    if (!intent?.multipathHash) skip(`not declared: the multipath hash (declare multipath.hash: l4 in ${intent?.file ?? 'the intent file'})`);
    if (runsBgp(lab)) skipWithoutDeclaredRouting(lab, skip);
    const u = await underlay(lab, fabric);
    if (!u) skip('no router in this lab runs bgpd, ospfd or isisd');
    const routes = u!.routes();
    // Each family by its own sysctl, on the routers with equal-cost routes of it (a dual-stack
    // fabric's routers both; an IPv6-only one's net.ipv6 only): one declaration holds for both.
    const ecmpIn = (family: 4 | 6) => [...new Set(routes.filter((r) => r.width > 1 && familyOf(r.prefix) === family).map((r) => r.at))];
    const [ecmpRouters, ecmp6] = [ecmpIn(4), ecmpIn(6)];
    if (!ecmpRouters.length && !ecmp6.length) skip('no router has equal-cost paths in this topology');
    const policies = new Map(await Promise.all(ecmpRouters.map(async (r) => [r, await multipathHashPolicy(lab.node(r))] as const)));
    const policies6 = new Map(await Promise.all(ecmp6.map(async (r) => [r, await multipathHashPolicy(lab.node(r), 6)] as const)));
    const culprits = [...hashCulprits(routes, policies, intent!.multipathHash!, intent!.file), ...hashCulprits(routes, policies6, intent!.multipathHash!, intent!.file, 6)];
    expectNoCulprits(culprits, `routers hash otherwise than the declared ${intent!.multipathHash} (net.${[ecmpRouters.length ? 'ipv4' : '', ecmp6.length ? 'ipv6' : ''].filter(Boolean).join('/')}.fib_multipath_hash_policy=${HASH_POLICIES[intent!.multipathHash!]})`);
  });

  test('every link end has the MTU the topology declares', async ({ lab, skip }) => {
    const links = lab.topology.links.filter((l) => l.mtu !== undefined);
    if (!links.length) skip(`not declared: no link of ${lab.topology.file} has an mtu`);
    const nodes = [...new Set(links.flatMap((l) => l.endpoints.map((e) => e.node)))];
    const mtus = new Map(await Promise.all(nodes.map(async (n) => [n, await interfaceMtus(lab.node(n))] as const)));
    expectNoCulprits(mtuCulprits(links, mtus, linkLabel, lab.topology.file), 'link ends run another MTU than the topology declares');
  });
});
