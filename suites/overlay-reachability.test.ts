// Overlay reachability: every VM pair the intent allows (ICMP, on one switch or across the
// distributed router) reaches each other, and the fabric is seen forwarding GENEVE between the
// hosts' TEPs while they do. A failure names the pair and, where it can be seen, the host at
// fault (a TEP nobody advertises, a chassis OVN does not know, an encap IP not its TEP) and the
// VM whose logical switch port OVN's northbound DB holds otherwise than the overlay declares.
import { attachment, step } from 'allure-js-commons';
import { describe, expect, expectNoCulprits, skipWithoutOverlay, test } from '../lib/testkit/index.ts';
import { checkTimeoutMs, mapLimit, remainingMs, sinceDeployS } from '../lib/testkit/deadline.ts';
import { waitFor } from '../lib/wait-for.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import type { Overlay, VmPort } from '../lib/model/overlay.ts';
import { expectedMatrix } from '../lib/plan/acl-matrix.ts';
import { diagnoseChassisPair } from '../lib/probes/overlay-diagnosis.ts';
import { readNbSwitchPorts } from '../lib/probes/ovn-ports.ts';
import { switchPortDifferences } from '../lib/expect/ovn-ports.ts';
import { watchTunnels } from '../lib/probes/tunnels.ts';
import { planOverlayNodes } from '../lib/plan/chassis.ts';
import { ping } from '../lib/probes/traffic.ts';
import { recordFigure, recordObservations } from '../lib/report/figures.ts';
import { matrixSvg } from '../lib/report/matrix-svg.ts';

interface Pair {
  src: VmPort;
  dst: VmPort;
}

/** Ordered VM pairs whose ICMP the intent allows. */
function icmpPairs(overlay: Overlay): Pair[] {
  const vm = new Map(overlay.vms.map((v) => [v.name, v]));
  return expectedMatrix(overlay)
    .filter((c) => c.probe.protocol === 'icmp' && c.expected === 'allow')
    .map((c) => ({ src: vm.get(c.src)!, dst: vm.get(c.dst)! }));
}

const label = (p: Pair) => `${p.src.name} (${p.src.host}) → ${p.dst.name} (${p.dst.host}, ${p.dst.ip})`;

async function pingUntil(lab: StartedLab, p: Pair, timeoutMs: number) {
  return waitFor(
    async () => ((await ping(lab.node(p.src.name), p.dst.ip)) ? { ok: true, value: true } : { ok: false, reason: `${label(p)}: no ICMP echo reply` }),
    { timeoutMs, intervalsMs: [100, 200, 250], description: `${label(p)} to answer ping` },
  );
}

/**
 * Why `pairs` get no reply, naming nodes and objects: each pair of chassis (a daemon down, a TEP
 * not routed, a chassis unknown to OVN or registered with another encap IP), then each of their
 * VMs whose logical switch port differs from the overlay.
 */
async function diagnose(lab: StartedLab, pairs: readonly Pair[]): Promise<string[]> {
  const hostPairs = [...new Set(pairs.map((p) => [p.src.host, p.dst.host].sort().join('|')))];
  const chassis = (await Promise.all(hostPairs.map((hp) => diagnoseChassisPair(lab, ...(hp.split('|') as [string, string]))))).flat();
  const vms = [...new Map(pairs.flatMap((p) => [p.src, p.dst]).map((v) => [v.name, v])).values()];
  const ports = await readNbSwitchPorts(lab).then(
    (listed) => switchPortDifferences(vms, listed),
    (e: unknown) => [`the VM ports could not be compared with the overlay: ${(e as Error).message}`],
  );
  return [...new Set([...chassis, ...ports])];
}

describe('overlay reachability', () => {
  test('the first VM-to-VM reply crosses the fabric over GENEVE', async ({ lab, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const pairs = icmpPairs(lab.topology.overlay!);
    const first = pairs.find((p) => p.src.host !== p.dst.host);
    if (!first) skip('the intent allows ICMP between no two VMs on different hosts');
    // Polled from as early as the suite runs, without waiting for the OVN barrier: this is
    // the time a VM on one host first gets an answer from a VM on another.
    try {
      await pingUntil(lab, first!, remainingMs(lab));
    } catch (e) {
      const why = await diagnose(lab, [first!]);
      expect.fail(`${(e as Error).message}${why.length ? `\n${why.join('\n')}` : ''}`);
    }
    recordFigure({ task }, 'overlay_first_reply_s', { value: sinceDeployS(lab), unit: 's', description: `deploy start until ${first!.src.name} first got an ICMP reply from ${first!.dst.name} on another host (upper bound)` });
  });

  test('every VM pair the intent allows reaches each other, on one switch and across the router', async ({ lab, readyOverlay, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = await readyOverlay();
    const pairs = icmpPairs(overlay);
    if (!pairs.length) skip('the intent allows ICMP between no two VMs: no pair to probe');
    // Every GENEVE packet the fabric forwards meanwhile is recorded, to prove the replies came through the tunnel.
    const tunnels = await watchTunnels(lab);
    let results: { pair: Pair; ok: boolean }[];
    let seen: Set<string>;
    try {
      results = await step(`ping ${pairs.length} VM pairs`, () =>
        mapLimit(pairs, 6, async (p) => {
          try {
            // Each pair gets its own budget: late in a run the deadline from deploy start may be spent.
            await pingUntil(lab, p, Math.min(10_000, checkTimeoutMs(lab)));
            return { pair: p, ok: true };
          } catch {
            return { pair: p, ok: false };
          }
        }),
      );
      seen = await tunnels.read();
    } finally {
      await tunnels.remove();
    }
    const sameSwitch = (p: Pair) => (p.src.switch === p.dst.switch ? 'same switch' : `routed ${p.src.switch} → ${p.dst.switch}`);
    await attachment(
      'reachability-matrix.md',
      ['| from | to | path | result |', '|---|---|---|---|', ...results.map((r) => `| ${r.pair.src.name} (${r.pair.src.host}) | ${r.pair.dst.name} (${r.pair.dst.host}) | ${sameSwitch(r.pair)} | ${r.ok ? 'reply' : '**no reply**'} |`)].join('\n'),
      'text/markdown',
    );
    await attachment('reachability-matrix.svg', matrixSvg({ title: 'VM pairs whose ICMP the intent allows: reply or not', cells: results.map((r) => ({ row: r.pair.src.name, column: r.pair.dst.name, expected: 'allow', observed: r.ok ? 'allow' : 'deny', because: sameSwitch(r.pair) })), words: { allow: 'reply', deny: 'no reply' } }), 'image/svg+xml');
    recordObservations({ task }, { reachability: Object.fromEntries(results.map((r) => [`${r.pair.src.name} → ${r.pair.dst.name}`, r.ok ? 'reply' : 'no reply'])) });
    recordFigure({ task }, 'overlay_pairs_reachable', { value: results.filter((r) => r.ok).length, unit: 'pairs', description: `of ${results.length} ordered VM pairs whose ICMP the intent allows` });
    // A reply between VMs on two hosts must have crossed the fabric in GENEVE, both ways, between their TEPs.
    const tep = new Map(planOverlayNodes(lab.topology).chassis.map((c) => [c.node, c.tep]));
    const untunnelled = results.filter((r) => r.ok && r.pair.src.host !== r.pair.dst.host).flatMap((r) => {
      const [a, b] = [tep.get(r.pair.src.host)!, tep.get(r.pair.dst.host)!];
      const missing = [`${a}>${b}`, `${b}>${a}`].filter((k) => !seen.has(k));
      return missing.length ? [`${label(r.pair)}: replied, but no GENEVE packet ${missing.map((k) => k.replace('>', ' → ')).join(' or ')} crossed the fabric (TEPs of ${r.pair.src.host} and ${r.pair.dst.host}): the traffic did not go through the tunnel`] : [];
    });
    recordFigure({ task }, 'overlay_pairs_tunnelled', { value: results.filter((r) => r.ok && r.pair.src.host !== r.pair.dst.host).length - untunnelled.length, unit: 'pairs', description: 'VM pairs on different hosts whose replies were seen crossing the fabric in GENEVE between their hosts\' TEPs' });
    const failed = results.filter((r) => !r.ok);
    if (!failed.length) expectNoCulprits(untunnelled, 'VM pairs replied without crossing the fabric in GENEVE');
    if (failed.length) {
      const why = await diagnose(lab, failed.map((r) => r.pair));
      expect.fail(`${failed.length} of ${results.length} VM pairs get no ICMP reply:\n${failed.map((r) => `${label(r.pair)} (${sameSwitch(r.pair)})`).join('\n')}${why.length ? `\n${why.join('\n')}` : ''}`);
    }
  });
});
