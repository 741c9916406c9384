// ECMP spread: the routes have every equal-cost next hop, and traffic really uses them all.
// 64 UDP flows (distinct source ports) cross the first router that splits them; packets are
// counted where each path arrives and turned into flows per path (ECMP hashes flows, not
// packets). The split must pass Pearson's chi-square test of uniformity at α = 0.001 (a healthy
// hash fails one run in a thousand) and use every path. Overlay flows are spread by the outer
// UDP source port OVS derives from the inner flow, so they are checked the same way.
import { attachment, step } from 'allure-js-commons';
import { describe, expectNoCulprits, skipWithoutBgp, skipWithoutDeclaredRouting, skipWithoutOverlay, test } from '../lib/testkit/index.ts';
import { routeCulprits } from '../lib/expect/bgp.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import { expectedMatrix } from '../lib/plan/acl-matrix.ts';
import { planOverlayNodes } from '../lib/plan/chassis.ts';
import { findHasher, measureRouterSpread, measureSpread, type Hasher } from '../lib/probes/ecmp.ts';
import { multipathHashPolicy } from '../lib/probes/kernel.ts';
import { HASH_POLICIES } from '../lib/model/intent.ts';
import { hashingRouters } from '../lib/plan/hashing-routers.ts';
import { spreadCulprits } from '../lib/expect/ecmp.ts';
import { ECMP_ALPHA } from '../lib/stats/chi-square.ts';
import { mapLimit } from '../lib/testkit/deadline.ts';
import { observeRoutes } from '../lib/probes/fabric.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { PROBE_UDP_PORT } from '../lib/render/overlay-intent.ts';

const FLOWS = 64;
/** Per hashing router: enough that a 65/35 split over two paths fails (chi² ≈ 46) and 62/38 fails 95 % of the time, even at α/routers. */
const ROUTER_FLOWS = 512;
const ROUTER_PORT_BASE = 42100;
const PACKETS_PER_FLOW = 50;
const RATE_PPS = 3200;
const PROBE_PORT = PROBE_UDP_PORT;
const SRC_PORT_BASE = 41000;

const tierOf = (lab: StartedLab) => (n: string) => lab.topology.nodes.find((x) => x.name === n)?.tier;

/** Measure the split (lib/probes), attach the histogram, record the figures; returns the culprits (empty = even spread). */
async function spread(lab: StartedLab, task: Parameters<typeof recordFigure>[0]['task'], label: string, flow: { src: string; dst: string; dstIp: string }, hasher: Hasher, match: string): Promise<string[]> {
  const m = await measureSpread(lab, hasher, flow, match, { flows: FLOWS, packetsPerFlow: PACKETS_PER_FLOW, ratePps: RATE_PPS, port: PROBE_PORT, srcPortBase: SRC_PORT_BASE });
  const test = m.chiSquare;
  await attachment(`ecmp-${label}.json`, JSON.stringify({ flow, hasher: hasher.node, histogram: m.histogram, chiSquare: test, received: m.received, lost: m.lost }, null, 2), 'application/json');
  await attachment(`ecmp-${label}.md`, ['| path | packets | flows |', '|---|---|---|', ...m.histogram.map((h) => `| ${h.path} | ${h.packets} | ${h.flows} |`)].join('\n'), 'text/markdown');
  recordFigure({ task }, `ecmp_paths_used.${label}`, { value: m.histogram.filter((h) => h.flows > 0).length, unit: 'paths', description: `paths out of ${hasher.node} that carried probe flows` });
  recordFigure({ task }, `ecmp_paths_expected.${label}`, { value: m.histogram.length, unit: 'paths', description: `equal-cost next hops of ${hasher.node} towards ${flow.dstIp}` });
  recordFigure({ task }, `ecmp_chi_square.${label}`, { value: Number(test.statistic.toFixed(3)), unit: 'chi2', description: `Pearson chi-square of ${FLOWS} flows over ${m.histogram.length} paths; uniformity rejected above ${test.critical.toFixed(2)} (α=${test.alpha}, ${test.dof} dof)` });
  const culprits: string[] = [];
  if (m.counted < FLOWS * 0.9) culprits.push(`${label}: only ${m.counted} of ${FLOWS} flows were counted on ${hasher.node}'s paths (${m.lost} packets lost)`);
  if (!test.pass || m.histogram.some((h) => h.flows === 0)) {
    const policy = await multipathHashPolicy(lab.node(hasher.node));
    const why = policy === HASH_POLICIES.l3 ? `; ${hasher.node} has net.ipv4.fib_multipath_hash_policy=0 (L3 only: every flow between two addresses takes one path)` : `; ${hasher.node} hash policy ${policy ?? ''}`;
    culprits.push(`${label}: ${hasher.node} spread ${FLOWS} flows unevenly: ${m.histogram.map((h) => `${h.flows} via ${h.path}`).join(', ')}; chi-square ${test.statistic.toFixed(1)} > ${test.critical.toFixed(2)} (α=${test.alpha}, ${test.dof} dof)${why}`);
  }
  return culprits;
}

describe('ECMP spread', () => {
  test('every leaf has every equal-cost next hop in its RIB and kernel FIB', async ({ lab, convergedFabric, task, skip }) => {
    skipWithoutBgp(lab, skip);
    skipWithoutDeclaredRouting(lab, skip);
    const { f, routes } = await convergedFabric();
    const leaves = f.routers.filter((r) => lab.node(r.name).spec.tier === 'leaf').map((r) => r.name);
    if (!leaves.length) skip('no node is labelled netproof.role: leaf');
    const leafRoutes = routes.filter((r) => leaves.includes(r.at));
    const observed = await observeRoutes(lab, leaves);
    for (const leaf of leaves) {
      const mine = leafRoutes.filter((r) => r.at === leaf);
      const installed = mine.reduce((n, r) => n + (observed.get(leaf)?.rib[r.prefix]?.find((e) => e.selected)?.nexthops.filter((h) => h.fib).length ?? 0), 0);
      recordFigure({ task }, `ecmp_nexthops_installed.${leaf}`, { value: installed, unit: 'next hops', description: `FIB next hops over ${mine.length} loopback routes` });
      recordFigure({ task }, `ecmp_nexthops_expected.${leaf}`, { value: mine.reduce((n, r) => n + r.width, 0), unit: 'next hops', description: `what the topology implies for those routes` });
    }
    expectNoCulprits(routeCulprits(leafRoutes, observed, f.owners), 'leaf routes lack equal-cost next hops');
  });

  test(`every router with equal-cost paths spreads ${ROUTER_FLOWS} flows evenly over all of them`, async ({ lab, convergedFabric, task, skip }) => {
    skipWithoutBgp(lab, skip);
    skipWithoutDeclaredRouting(lab, skip);
    const { routes } = await convergedFabric();
    const routers = hashingRouters(routes, tierOf(lab));
    if (!routers.length) skip('no router has equal-cost paths in this topology');
    // One test per router: a healthy lab fails the whole test one run in 1/ECMP_ALPHA.
    const alpha = ECMP_ALPHA / routers.length;
    const results = await step(`${ROUTER_FLOWS} flows from each of ${routers.length} routers, counted per path as they leave it`, () =>
      mapLimit(routers.map((r, i) => ({ ...r, port: ROUTER_PORT_BASE + i })), 3, async ({ router, route, port }) => {
        try {
          const m = await measureRouterSpread(lab, route, { flows: ROUTER_FLOWS, packetsPerFlow: 2, ratePps: 4000, port, srcPortBase: SRC_PORT_BASE }, alpha);
          return { router, m, culprits: spreadCulprits(m, route.width) };
        } catch (e) {
          // A measurement that could not be made is a failure of that router's check, never a skip.
          return { router, culprits: [`${router} → ${route.prefix} (${route.owner}): could not measure its spread: ${(e as Error).message}`] };
        }
      }),
    );
    await attachment('ecmp-routers.json', JSON.stringify(results.map((r) => r.m ?? { router: r.router, culprits: r.culprits }), null, 2), 'application/json');
    for (const { router, m } of results) {
      if (!m) continue;
      recordFigure({ task }, `ecmp_paths_used.${router}`, { value: m.histogram.filter((h) => h.flows > 0).length, unit: 'paths', description: `equal-cost next hops of ${router} towards ${m.dstIp} that carried probe flows` });
      if (m.chiSquare) recordFigure({ task }, `ecmp_chi_square.${router}`, { value: Number(m.chiSquare.statistic.toFixed(3)), unit: 'chi2', description: `${m.sent} flows over ${m.histogram.length} paths; uniformity rejected above ${m.chiSquare.critical.toFixed(2)} (α=${m.chiSquare.alpha.toPrecision(2)})` });
    }
    expectNoCulprits(results.flatMap((r) => r.culprits), `of ${routers.length} hashing routers do not spread flows over their equal-cost paths`);
  });

  test(`${FLOWS} overlay flows VM to VM spread evenly by their GENEVE source ports`, async ({ lab, readyOverlay, convergedFabric, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    skipWithoutDeclaredRouting(lab, skip);
    const overlay = await readyOverlay();
    const { f, routes } = await convergedFabric();
    const tep = new Map(planOverlayNodes(lab.topology).chassis.map((c) => [c.node, c.tep]));
    const vm = new Map(overlay.vms.map((v) => [v.name, v]));
    // A UDP cell the security groups allow, between hosts whose tunnel crosses an ECMP split.
    let chosen: { cell: { src: string; dst: string }; hasher: Hasher } | undefined;
    for (const c of expectedMatrix(overlay).filter((c) => c.probe.protocol === 'udp' && c.probe.port === PROBE_PORT && c.expected === 'allow')) {
      const [a, b] = [vm.get(c.src)!, vm.get(c.dst)!];
      if (a.host === b.host) continue;
      const hasher = await findHasher(lab, routes, f.owners, { src: a.host, dst: b.host, dstIp: tep.get(b.host)! }).catch(() => undefined);
      if (hasher && (!chosen || hasher.route.candidates.length > chosen.hasher.route.candidates.length)) chosen = { cell: c, hasher };
    }
    if (!chosen) skip(`the intent allows udp/${PROBE_PORT} between no two VMs whose hosts' tunnel crosses an ECMP split`);
    const [a, b] = [vm.get(chosen!.cell.src)!, vm.get(chosen!.cell.dst)!];
    const culprits = await step(`${FLOWS} flows ${a.name} → ${b.name}, tunnelled ${a.host} → ${b.host}, split at ${chosen!.hasher.node}`, () =>
      spread(lab, task, 'overlay', { src: a.name, dst: b.name, dstIp: b.ip }, chosen!.hasher, `ip daddr ${tep.get(b.host)} udp dport 6081`),
    );
    expectNoCulprits(culprits, 'uneven ECMP spreads');
  });
});
