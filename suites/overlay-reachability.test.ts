// Overlay reachability: every VM pair the intent allows (ICMP, on one switch or across the
// distributed router) reaches each other over GENEVE between the hosts' TEPs. A failure names
// the pair and, where it can be seen, the host at fault (e.g. a TEP nobody advertises).
import { attachment, step } from 'allure-js-commons';
import { describe, expect, skipWithoutOverlay, test } from '../lib/testkit/index.ts';
import { checkTimeoutMs, mapLimit, remainingMs, sinceDeployS } from '../lib/testkit/deadline.ts';
import { waitFor } from '../lib/wait-for.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import type { Overlay, VmPort } from '../lib/model/overlay.ts';
import { expectedMatrix } from '../lib/plan/acl-matrix.ts';
import { diagnoseChassisPair } from '../lib/probes/overlay-diagnosis.ts';
import { ping } from '../lib/probes/traffic.ts';
import { recordFigure, recordObservations } from '../lib/report/figures.ts';

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
      const why = await diagnoseChassisPair(lab, first!.src.host, first!.dst.host);
      expect.fail(`${(e as Error).message}${why.length ? `\n${why.join('\n')}` : ''}`);
    }
    recordFigure({ task }, 'overlay_first_reply_s', { value: sinceDeployS(lab), unit: 's', description: `deploy start until ${first!.src.name} first got an ICMP reply from ${first!.dst.name} on another host (upper bound)` });
  });

  test('every VM pair the intent allows reaches each other, on one switch and across the router', async ({ lab, readyOverlay, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = await readyOverlay();
    const pairs = icmpPairs(overlay);
    const results = await step(`ping ${pairs.length} VM pairs`, () =>
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
    const sameSwitch = (p: Pair) => (p.src.switch === p.dst.switch ? 'same switch' : `routed ${p.src.switch} → ${p.dst.switch}`);
    await attachment(
      'reachability-matrix.md',
      ['| from | to | path | result |', '|---|---|---|---|', ...results.map((r) => `| ${r.pair.src.name} (${r.pair.src.host}) | ${r.pair.dst.name} (${r.pair.dst.host}) | ${sameSwitch(r.pair)} | ${r.ok ? 'reply' : '**no reply**'} |`)].join('\n'),
      'text/markdown',
    );
    recordObservations({ task }, { reachability: Object.fromEntries(results.map((r) => [`${r.pair.src.name} → ${r.pair.dst.name}`, r.ok ? 'reply' : 'no reply'])) });
    recordFigure({ task }, 'overlay_pairs_reachable', { value: results.filter((r) => r.ok).length, unit: 'pairs', description: `of ${results.length} ordered VM pairs whose ICMP the intent allows` });
    const failed = results.filter((r) => !r.ok);
    if (failed.length) {
      const hostPairs = [...new Set(failed.map((r) => [r.pair.src.host, r.pair.dst.host].sort().join('|')))];
      const why = (await Promise.all(hostPairs.map((hp) => diagnoseChassisPair(lab, ...(hp.split('|') as [string, string]))))).flat();
      expect.fail(`${failed.length} of ${results.length} VM pairs get no ICMP reply:\n${failed.map((r) => `${label(r.pair)} (${sameSwitch(r.pair)})`).join('\n')}${why.length ? `\n${[...new Set(why)].join('\n')}` : ''}`);
    }
  });
});
