// ECMP spread: the routes have every equal-cost next hop, and traffic really uses them all.
// Every router the declared fabric gives equal-cost paths sends 512 UDP flows (distinct source
// ports) and counts them as flows where they leave it: the source ports seen per next hop (a
// flow seen on two paths was sprayed, not hashed). The split must use every path and pass
// Pearson's chi-square test of uniformity at α = 0.001 shared over the routers (a healthy lab
// fails one run in a thousand). Overlay flows are spread by the outer UDP source port OVS
// derives from the inner flow: 512 VM-to-VM flows are counted by outer source port at the
// router that splits their tunnel, the same way. Where the intent declares link bandwidths
// (weighted ECMP), every path of a weighted route carries its BGP link-bandwidth community, the
// next hops are weighted in proportion in the RIB and the kernel FIB, and the flows must split in
// those proportions instead of evenly.
import { attachment, step } from 'allure-js-commons';
import { describe, expectNoCulprits, skipWithoutBgp, skipWithoutDeclaredRouting, skipWithoutOverlay, test } from '../lib/testkit/index.ts';
import { routeCulprits } from '../lib/expect/bgp.ts';
import { linkBandwidthCulprits, type BgpPath } from '../lib/expect/link-bandwidth.ts';
import { vtyshJson } from '../lib/probes/frr.ts';
import { remainingMs } from '../lib/testkit/deadline.ts';
import { waitForNoCulprits, WaitTimeoutError } from '../lib/wait-for.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import { expectedMatrix } from '../lib/plan/acl-matrix.ts';
import { planOverlayNodes } from '../lib/plan/chassis.ts';
import { findHasher, measureOverlaySpread, measureRouterSpread, type Hasher } from '../lib/probes/ecmp.ts';
import { hashingRouters } from '../lib/plan/hashing-routers.ts';
import { spreadCulprits } from '../lib/expect/ecmp.ts';
import { ECMP_ALPHA } from '../lib/stats/chi-square.ts';
import { mapLimit } from '../lib/testkit/deadline.ts';
import { observeRoutes, routeFamilies } from '../lib/probes/fabric.ts';
import { familyOf, probeFamily } from '../lib/plan/expected-routing.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { ecmpHistogramSvg } from '../lib/report/ecmp-histogram-svg.ts';
import { PROBE_UDP_PORT } from '../lib/render/overlay-intent.ts';

/** Per hashing router: enough that a 65/35 split over two paths fails (chi² ≈ 46) and 62/38 fails 95 % of the time, even at α/routers. */
const ROUTER_FLOWS = 512;
/** Routers measured at once: each counts only its own flows (its own port), so they cannot see each other's. */
const ROUTERS_AT_ONCE = 8;
const ROUTER_PORT_BASE = 42100;
/** Inner UDP payload of the overlay probes: a size no other tunnel traffic has during the test, so only probes are counted. */
const OVERLAY_PROBE_BYTES = 333;
const PROBE_PORT = PROBE_UDP_PORT;
const SRC_PORT_BASE = 41000;

const tierOf = (lab: StartedLab) => (n: string) => lab.topology.nodes.find((x) => x.name === n)?.tier;

describe('ECMP spread', () => {
  test('every leaf has every equal-cost next hop in its RIB and kernel FIB', async ({ lab, convergedFabric, task, skip }) => {
    skipWithoutBgp(lab, skip);
    skipWithoutDeclaredRouting(lab, skip);
    const { f, routes } = await convergedFabric();
    const leaves = f.routers.filter((r) => lab.node(r.name).spec.tier === 'leaf').map((r) => r.name);
    if (!leaves.length) skip('no node is labelled netproof.role: leaf');
    const leafRoutes = routes.filter((r) => leaves.includes(r.at));
    const observed = await observeRoutes(lab, leaves, routeFamilies(leafRoutes));
    for (const leaf of leaves) {
      const mine = leafRoutes.filter((r) => r.at === leaf);
      const installed = mine.reduce((n, r) => n + (observed.get(leaf)?.rib[r.prefix]?.find((e) => e.selected)?.nexthops.filter((h) => h.fib).length ?? 0), 0);
      recordFigure({ task }, `ecmp_nexthops_installed.${leaf}`, { value: installed, unit: 'next hops', description: `FIB next hops over ${mine.length} loopback routes` });
      recordFigure({ task }, `ecmp_nexthops_expected.${leaf}`, { value: mine.reduce((n, r) => n + r.width, 0), unit: 'next hops', description: `what the topology implies for those routes` });
    }
    expectNoCulprits(routeCulprits(leafRoutes, observed, f.owners), 'leaf routes lack equal-cost next hops');
  });

  test('every router with declared link bandwidths learns them in BGP and weights its next hops in proportion, in its RIB and kernel FIB', async ({ lab, convergedFabric, task, skip }) => {
    skipWithoutBgp(lab, skip);
    skipWithoutDeclaredRouting(lab, skip);
    const { f, routes } = await convergedFabric();
    const weighted = routes.filter((r) => r.weighted);
    if (!weighted.length) skip('not declared: no router declares link-bandwidth for all the next hops of a route (routers.NAME.link-bandwidth in the intent)');
    const routers = [...new Set(weighted.map((r) => r.at))];
    await attachment('expected-weights.json', JSON.stringify(weighted.map((r) => ({ at: r.at, prefix: r.prefix, nexthops: r.candidates.map((c) => ({ via: `${c.iface} → ${c.neighbor}`, ...c.weight })) })), null, 2), 'application/json');
    const intentFile = lab.topology.intent!.file;
    const culprits = async () => {
      const observed = await observeRoutes(lab, routers, routeFamilies(weighted));
      const communities = await Promise.all(
        weighted.map(async (r) => {
          const paths = await vtyshJson<{ paths?: BgpPath[] }>(lab.node(r.at), `show bgp ipv${familyOf(r.prefix)} unicast ${r.prefix} json`).then((j) => j.paths ?? [], (e: Error) => e);
          return paths instanceof Error ? [`${r.at}: could not read its BGP paths to ${r.prefix}: ${paths.message}`] : linkBandwidthCulprits(r, paths, f.owners, intentFile);
        }),
      );
      // The cause (a missing community) first, then what it does to the weights.
      return [...communities.flat(), ...routeCulprits(weighted, observed, f.owners, { weights: true })];
    };
    let last: string[] = [];
    await step(`expect ${weighted.length} weighted routes on ${routers.length} routers`, () =>
      waitForNoCulprits(culprits, (found) => (last = found), { timeoutMs: remainingMs(lab), description: `${weighted.length} routes weighted as declared` }).catch((e: unknown) => {
        if (!(e instanceof WaitTimeoutError)) throw e;
      }),
    );
    for (const r of routers) recordFigure({ task }, `wcmp_routes_weighted.${r}`, { value: weighted.filter((w) => w.at === r).length, unit: 'routes', description: `routes ${r} must weight by the declared link bandwidths` });
    expectNoCulprits(last, 'weighted routes are not weighted as declared');
  });

  test(`every router with equal-cost paths spreads ${ROUTER_FLOWS} flows evenly over all of them`, async ({ lab, convergedFabric, task, skip }) => {
    skipWithoutBgp(lab, skip);
    skipWithoutDeclaredRouting(lab, skip);
    const { f, routes } = await convergedFabric();
    // IPv4 flows, or IPv6 ones on an IPv6-only fabric.
    const family = probeFamily(f.routers);
    const routers = hashingRouters(routes, tierOf(lab), family);
    if (!routers.length) skip('no router has equal-cost paths in this topology');
    // A dual-stack router hashes IPv6 by a policy of its own: its IPv6 route to the same loopback
    // owner is measured too, with IPv6 flows (figures and images keyed ROUTER.ipv6).
    const ipv6Of = (h: (typeof routers)[number]) => (family === 4 ? routes.find((r) => r.at === h.router && r.owner === h.route.owner && familyOf(r.prefix) === 6) : undefined);
    const measured = routers.flatMap((h) => [{ ...h, key: h.router }, ...(ipv6Of(h) ? [{ router: h.router, route: ipv6Of(h)!, key: `${h.router}.ipv6` }] : [])]);
    // One test per measurement: a healthy lab fails the whole test one run in 1/ECMP_ALPHA. A
    // router whose route is weighted (declared link bandwidths) is tested against the declared shares.
    const alpha = ECMP_ALPHA / measured.length;
    const ipv6 = measured.length - routers.length;
    const results = await step(`${ROUTER_FLOWS} flows from each of ${routers.length} routers${ipv6 ? ` (and IPv6 flows from ${ipv6})` : ''}, counted per path as they leave it`, () =>
      mapLimit(measured.map((r, i) => ({ ...r, port: ROUTER_PORT_BASE + i })), ROUTERS_AT_ONCE, async ({ router, route, port, key }) => {
        try {
          const m = await measureRouterSpread(lab, route, { flows: ROUTER_FLOWS, packetsPerFlow: 2, ratePps: 4000, port, srcPortBase: SRC_PORT_BASE }, alpha);
          return { router, key, m, culprits: spreadCulprits(m, route.width) };
        } catch (e) {
          // A measurement that could not be made is a failure of that router's check, never a skip.
          return { router, key, culprits: [`${router} → ${route.prefix} (${route.owner}): could not measure its spread: ${(e as Error).message}`] };
        }
      }),
    );
    await attachment('ecmp-routers.json', JSON.stringify(results.map((r) => r.m ?? { router: r.router, culprits: r.culprits }), null, 2), 'application/json');
    for (const { router, key, m } of results) {
      if (!m) continue;
      await attachment(`ecmp-${key}.svg`, ecmpHistogramSvg({ title: `${router} → ${m.dstIp} (${m.owner}): ${m.sent} flows`, histogram: m.histogram, chiSquare: m.chiSquare, ...(m.expectedShares ? { weights: m.expectedShares.map((s) => Number((s * 100).toFixed(1))) } : {}) }), 'image/svg+xml');
      recordFigure({ task }, `ecmp_paths_used.${key}`, { value: m.histogram.filter((h) => h.flows > 0).length, unit: 'paths', description: `equal-cost next hops of ${router} towards ${m.dstIp} that carried probe flows` });
      if (m.chiSquare) recordFigure({ task }, `ecmp_chi_square.${key}`, { value: Number(m.chiSquare.statistic.toFixed(3)), unit: 'chi2', description: `${m.sent} flows over ${m.histogram.length} paths; uniformity rejected above ${m.chiSquare.critical.toFixed(2)} (α=${m.chiSquare.alpha.toPrecision(2)})` });
    }
    expectNoCulprits(results.flatMap((r) => r.culprits), `of ${routers.length} hashing routers do not spread flows over their equal-cost paths`);
  });

  test(`${ROUTER_FLOWS} overlay flows VM to VM spread evenly over the equal-cost paths of the router that splits their tunnel`, async ({ lab, readyOverlay, convergedFabric, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    skipWithoutDeclaredRouting(lab, skip);
    const overlay = await readyOverlay();
    const { f, routes } = await convergedFabric();
    const tep = new Map(planOverlayNodes(lab.topology).chassis.map((c) => [c.node, c.tep]));
    const vm = new Map(overlay.vms.map((v) => [v.name, v]));
    // A UDP cell the security groups allow, between hosts whose tunnel crosses an ECMP split.
    const cells = expectedMatrix(overlay).filter((c) => c.probe.protocol === 'udp' && c.probe.port === PROBE_PORT && c.expected === 'allow' && vm.get(c.src)!.host !== vm.get(c.dst)!.host);
    if (!cells.length) skip(`the intent allows udp/${PROBE_PORT} between no two VMs on different hosts`);
    let chosen: { cell: { src: string; dst: string }; hasher: Hasher } | undefined;
    const unreadable: string[] = [];
    for (const c of cells) {
      const [a, b] = [vm.get(c.src)!, vm.get(c.dst)!];
      // Finding the splitting router reads each hop's FIB: a hop without a route is a failure, not a reason to skip.
      const hasher = await findHasher(lab, routes, f.owners, { src: a.host, dst: b.host, dstIp: tep.get(b.host)! }).catch((e: Error) => void unreadable.push(`${a.host} → ${b.host} (${tep.get(b.host)}): ${e.message}`));
      if (hasher && (!chosen || hasher.route.candidates.length > chosen.hasher.route.candidates.length)) chosen = { cell: c, hasher };
    }
    expectNoCulprits(chosen ? [] : unreadable, 'tunnels whose splitting router could not be found');
    if (!chosen) skip(`no tunnel between two hosts whose VMs may exchange udp/${PROBE_PORT} crosses an ECMP split`);
    const [a, b] = [vm.get(chosen!.cell.src)!, vm.get(chosen!.cell.dst)!];
    const hasher = chosen!.hasher;
    const m = await step(`${ROUTER_FLOWS} flows ${a.name} → ${b.name}, tunnelled ${a.host} → ${b.host}, split at ${hasher.node}`, () =>
      measureOverlaySpread(lab, hasher.route, { src: a.name, dst: b.name, dstIp: b.ip }, { flows: ROUTER_FLOWS, packetsPerFlow: 2, ratePps: 4000, port: PROBE_PORT, srcPortBase: SRC_PORT_BASE, sizeBytes: OVERLAY_PROBE_BYTES }, ECMP_ALPHA).catch((e: Error) => {
        throw new Error(`${hasher.node} → ${hasher.route.prefix} (${b.host}'s TEP): could not measure the overlay spread: ${e.message}`);
      }),
    );
    await attachment('ecmp-overlay.json', JSON.stringify({ vms: [a.name, b.name], ...m }, null, 2), 'application/json');
    await attachment('ecmp-overlay.svg', ecmpHistogramSvg({ title: `${hasher.node} → ${m.dstIp} (${b.host}'s TEP): ${m.sent} flows ${a.name} → ${b.name}, counted by outer source port`, histogram: m.histogram, chiSquare: m.chiSquare, ...(m.expectedShares ? { weights: m.expectedShares.map((x) => Number((x * 100).toFixed(1))) } : {}) }), 'image/svg+xml');
    recordFigure({ task }, 'ecmp_paths_used.overlay', { value: m.histogram.filter((h) => h.flows > 0).length, unit: 'paths', description: `equal-cost next hops of ${hasher.node} that carried tunnelled probe flows to ${b.host}` });
    if (m.chiSquare) recordFigure({ task }, 'ecmp_chi_square.overlay', { value: Number(m.chiSquare.statistic.toFixed(3)), unit: 'chi2', description: `${m.sent} overlay flows over ${m.histogram.length} paths; uniformity rejected above ${m.chiSquare.critical.toFixed(2)} (α=${m.chiSquare.alpha.toPrecision(2)})` });
    expectNoCulprits(spreadCulprits(m, hasher.route.width), 'uneven ECMP spread of overlay flows');
  });
});
