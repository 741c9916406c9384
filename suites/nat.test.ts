// North–south NAT: derive every cell from the intent (floating IPs in, SNAT and floating IPs out,
// no way in at the SNAT address), attempt each for real (TCP, UDP, ICMP) between the external
// node and the VMs, and check who answered and which source address they saw. A failure names
// the cell, and the northbound NAT rules and gateway chassis that differ from the intent.
// The gateway port's binding is checked on its own: active on the declared highest priority.
import { attachment, step } from 'allure-js-commons';
import { describe, expect, sharedPrecondition, skipWithoutOverlay, test as kit } from '../lib/testkit/index.ts';
import { checkTimeoutMs } from '../lib/testkit/deadline.ts';
import { waitFor } from '../lib/wait-for.ts';
import type { BackgroundProcess, StartedLab } from '../lib/lab/started-lab.ts';
import type { Overlay } from '../lib/model/overlay.ts';
import { echoPorts, expectationText, natCellLabel, natMatrix, type NatCell } from '../lib/plan/nat-matrix.ts';
import { cellProblem, gatewayBindingDifferences, gatewayChassisDifferences, northSouthDifferences } from '../lib/expect/nats.ts';
import { readGatewayBindings, readNbNorthSouth } from '../lib/probes/ovn-nats.ts';
import { addresses } from '../lib/probes/kernel.ts';
import { probeBatch, startSourceEcho, type Attempt } from '../lib/probes/traffic.ts';
import { recordFigure } from '../lib/report/figures.ts';

type Observed = NatCell & { observed: Attempt; attempts: number; wrong?: string };

/** The external node of every provider network holds its declared address, or the precondition fails naming it. */
async function checkOutsideReady(lab: StartedLab, overlay: Overlay): Promise<void> {
  const missing: string[] = [];
  for (const p of overlay.providers) {
    const held = (await addresses(lab.node(p.node))).some((a) => a.local === p.gateway);
    if (!held) missing.push(`${p.node} does not hold ${p.gateway}, the gateway of provider network ${p.name} (${overlay.file}); its exec lines in ${lab.topology.file} set it up`);
  }
  if (missing.length) throw new Error(missing.join('\n'));
}

/** Source echoes on every node that answers a cell, started once per file and stopped when it ends. */
async function startEchoes(lab: StartedLab, overlay: Overlay, cells: readonly NatCell[]): Promise<BackgroundProcess[]> {
  return Promise.all([...echoPorts(overlay, cells)].map(([node, ports]) => startSourceEcho(lab.node(node), ports)));
}

/**
 * Every cell, all of a source's at once from one process. The first packet of a flow through the
 * gateway can be slow (ARP on the provider network, upcalls, conntrack): a cell that should be
 * answered and was not counts only after three rounds; a single right answer is a pass.
 */
async function probeCells(lab: StartedLab, cells: readonly NatCell[]): Promise<Observed[]> {
  const observed = new Map<NatCell, Observed>();
  let pending = [...cells];
  for (let round = 1; round <= 3 && pending.length; round++) {
    const bySource = new Map<string, NatCell[]>();
    for (const c of pending) bySource.set(c.src, [...(bySource.get(c.src) ?? []), c]);
    await Promise.all(
      [...bySource].map(async ([src, mine]) => {
        const outcomes = await probeBatch(lab.node(src), mine.map((c) => ({ protocol: c.probe.protocol, dst: c.dst, ...(c.probe.port !== undefined ? { port: c.probe.port, seen: true } : {}) })));
        mine.forEach((c, i) => {
          const o = outcomes[i]!;
          const wrong = cellProblem(c, o);
          observed.set(c, { ...c, observed: o, attempts: round, ...(wrong ? { wrong } : {}) });
        });
      }),
    );
    pending = pending.filter((c) => c.expected.reach && observed.get(c)!.wrong !== undefined);
  }
  return cells.map((c) => observed.get(c)!);
}

function matrixMarkdown(cells: readonly Observed[]): string {
  const seen = (o: Attempt) => (o.ok ? `${o.by ?? 'answered'}${o.seen ? ` (source ${o.seen})` : ''}` : 'no answer');
  const rows = cells.map((c) => `| ${c.kind} | ${natCellLabel(c)} | ${expectationText(c.expected)} | ${c.wrong ? `**${seen(c.observed)}**` : seen(c.observed)} | ${c.because} |`);
  return ['| kind | cell | expected | observed | because |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The northbound NAT rules and gateway chassis that differ from the intent, for a failure message; never throws. */
async function natDiagnosis(lab: StartedLab, overlay: Overlay): Promise<string[]> {
  try {
    return northSouthDifferences(overlay, await readNbNorthSouth(lab));
  } catch (e) {
    return [`(could not read the northbound NAT rules and gateway chassis to compare them with the intent: ${(e as Error).message})`];
  }
}

const test = kit.extend<{ cells: () => Promise<Observed[]> }>({
  cells: [
    async ({ lab, readyOverlay }, use) => {
      const echoes: BackgroundProcess[] = [];
      await use(
        sharedPrecondition('the overlay is ready, the outside world holds its address and every north–south cell was attempted', async () => {
          const overlay = await readyOverlay();
          await checkOutsideReady(lab, overlay);
          const cells = natMatrix(overlay);
          echoes.push(...(await startEchoes(lab, overlay, cells)));
          return probeCells(lab, cells);
        }),
      );
      await Promise.all(echoes.map((e) => e.stop()));
    },
    { scope: 'file' },
  ],
});

/** Skipped as not declared when no router has a gateway: there is no north–south to check. */
function skipWithoutGateway(overlay: Overlay, skip: (note: string) => void): void {
  if (!overlay.routers.some((r) => r.gateway)) skip(`not declared: no router in ${overlay.file} has a gateway (routers.<name>.gateway on a provider network)`);
}

describe('north–south NAT (floating IPs and SNAT)', () => {
  test('every north–south cell behaves as the intent says: floating IPs in, SNAT and floating IPs out, no way in otherwise', async ({ lab, readyOverlay, cells, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = lab.topology.overlay!;
    skipWithoutGateway(overlay, skip);
    await readyOverlay();
    const observed = await step(`probe ${natMatrix(overlay).length} north–south cells`, () => cells());
    await attachment('nat-matrix.md', matrixMarkdown(observed), 'text/markdown');
    await attachment('nat-matrix.json', JSON.stringify(observed, null, 2), 'application/json');
    const wrong = observed.filter((c) => c.wrong !== undefined);
    recordFigure({ task }, 'nat_cells_probed', { value: observed.length, unit: 'cells', description: 'north–south cells attempted (in, out, no way in)' });
    recordFigure({ task }, 'nat_cells_passed', { value: observed.length - wrong.length, unit: 'cells', description: 'north–south cells that did what the intent says' });
    if (!wrong.length) return;
    const why = await natDiagnosis(lab, overlay);
    if (why.length) await attachment('northbound-nat-differs.txt', why.join('\n'), 'text/plain');
    const lines = wrong.map((c) => `${natCellLabel(c)}: expected ${expectationText(c.expected)} (${c.because}); observed ${c.wrong}`);
    const explained = why.length ? `\nThe northbound NAT rules and gateway chassis differ from the intent (${overlay.file}):\n${why.join('\n')}` : '';
    expect.fail(`${wrong.length} of ${observed.length} north–south cells do not behave as the intent says:\n${lines.join('\n')}${explained}`);
  });

  test('each gateway port is active on its highest-priority chassis, with the declared chassis and priorities', async ({ lab, readyOverlay, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = lab.topology.overlay!;
    skipWithoutGateway(overlay, skip);
    await readyOverlay();
    // The declared chassis and priorities are configuration: compared once. Which chassis is
    // active settles right after bring-up (BFD between the chassis comes up): polled to the deadline.
    const misconfigured = gatewayChassisDifferences(overlay, (await readNbNorthSouth(lab)).gatewayChassis);
    const misplaced = async () => gatewayBindingDifferences(overlay, await readGatewayBindings(lab));
    let last: string[] = [];
    const settled = misconfigured.length
      ? false
      : await waitFor(
          async () => {
            last = await misplaced();
            return last.length ? { ok: false, reason: last.join('\n') } : { ok: true, value: true };
          },
          { timeoutMs: checkTimeoutMs(lab), intervalsMs: [200, 500, 1000], description: 'every gateway port to be active on its highest-priority chassis' },
        ).then(() => true, () => false);
    if (misconfigured.length) last = await misplaced();
    if (!settled) expect.fail(`the gateway ports are not scheduled as the intent (${overlay.file}) says:\n${[...misconfigured, ...last].join('\n')}`);
  });
});
