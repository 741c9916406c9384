// Security groups: derive the allow/deny matrix (source × destination × protocol × port) from
// the intent, attempt every cell for real (TCP connect, UDP request/response, ICMP echo) and
// compare. A failure names the cell and the rule that decides it.
import { attachment, step } from 'allure-js-commons';
import { describe, expectNoCulprits, sharedPrecondition, skipWithoutOverlay, test as kit } from '../lib/testkit/index.ts';
import { mapLimit } from '../lib/testkit/deadline.ts';
import type { BackgroundProcess, StartedLab } from '../lib/lab/started-lab.ts';
import type { Overlay } from '../lib/model/overlay.ts';
import { expectedMatrix, probeLabel, probesFor, type Cell } from '../lib/plan/acl-matrix.ts';
import { ping, startListener, tcpConnects, udpEchoes } from '../lib/probes/traffic.ts';
import { recordFigure, recordObservations } from '../lib/report/figures.ts';
import { extraAclProbes } from '../lib/testkit/settings.ts';
import { aclKey } from '../lib/state/snapshot.ts';

type Observed = Cell & { observed: 'allow' | 'deny'; attempts: number };

const label = (c: Cell) => probeLabel(c.probe);

async function attempt(lab: StartedLab, overlay: Overlay, c: Cell): Promise<boolean> {
  const src = lab.node(c.src);
  const dstIp = overlay.vms.find((v) => v.name === c.dst)!.ip;
  if (c.probe.protocol === 'icmp') return ping(src, dstIp);
  if (c.probe.protocol === 'tcp') return tcpConnects(src, dstIp, c.probe.port!);
  return udpEchoes(src, dstIp, c.probe.port!);
}

/** The cells: the intent's own probes, and those `netproof change` adds so two labs are compared cell for cell. */
const matrixOf = (overlay: Overlay) => expectedMatrix(overlay, extraAclProbes());

/** Every cell attempted once per file; both tests read it. */
async function probeMatrix(lab: StartedLab, overlay: Overlay, listeners: BackgroundProcess[]): Promise<Observed[]> {
  // Every VM listens on every probed port, so a closed port never poses as a denial.
  const ports = probesFor(overlay, extraAclProbes()).filter((p) => p.protocol !== 'icmp');
  for (const vm of overlay.vms) for (const p of ports) listeners.push(await startListener(lab.node(vm.name), p.protocol as 'tcp' | 'udp', p.port!));
  // Most edge cells are denials that each wait out a 1 s timeout: many at once, they cost little.
  return mapLimit(matrixOf(overlay), 16, async (c) => {
    // The first packet of a flow can be slow through OVS (upcall, conntrack): a denial
    // counts only after three attempts; a single pass is a pass.
    let attempts = 0;
    for (; attempts < 3; ) {
      attempts++;
      if (await attempt(lab, overlay, c)) return { ...c, observed: 'allow' as const, attempts };
      if (c.expected === 'deny') break;
    }
    return { ...c, observed: 'deny' as const, attempts };
  });
}

const test = kit.extend<{ matrix: () => Promise<Observed[]> }>({
  matrix: [
    async ({ lab, readyOverlay }, use) => {
      const listeners: BackgroundProcess[] = [];
      await use(sharedPrecondition('the overlay is ready and every cell of the matrix was attempted', async () => probeMatrix(lab, await readyOverlay(), listeners)));
      await Promise.all(listeners.map((l) => l.stop()));
    },
    { scope: 'file' },
  ],
});

function matrixMarkdown(cells: Observed[]): string {
  const rows = cells.map((c) => `| ${c.src} | ${c.dst} | ${label(c)} | ${c.expected} | ${c.observed === c.expected ? c.observed : `**${c.observed}**`} | ${c.because} |`);
  return ['| from | to | probe | expected | observed | because |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

describe('security groups (ACLs)', () => {
  test('every cell of the allow/deny matrix behaves as the intent says', async ({ lab, readyOverlay, matrix, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = await readyOverlay();
    if (!overlay.groups.length) skip('the intent defines no security groups');
    const cells = await step(`probe ${matrixOf(overlay).length} cells`, () => matrix());
    recordObservations({ task }, { acl: Object.fromEntries(cells.map((c) => [aclKey(c.src, c.dst, label(c)), c.observed])) });
    await attachment('acl-matrix.md', matrixMarkdown(cells), 'text/markdown');
    await attachment('acl-matrix.json', JSON.stringify(cells, null, 2), 'application/json');
    const wrong = cells.filter((c) => c.observed !== c.expected);
    recordFigure({ task }, 'acl_cells_probed', { value: cells.length, unit: 'cells', description: 'source × destination × protocol/port attempts' });
    recordFigure({ task }, 'acl_cells_passed', { value: cells.length - wrong.length, unit: 'cells', description: 'cells whose observed verdict matches the intent' });
    expectNoCulprits(wrong.map((c) => `${c.src} → ${c.dst} ${label(c)}: expected ${c.expected} (${c.because}), observed ${c.observed}`), `of ${cells.length} cells do not behave as the security groups say`);
  });

  test('stateful: replies of an allowed flow pass although the reverse direction is denied', async ({ lab, matrix, skip }) => {
    skipWithoutOverlay(lab, skip);
    const cells = await matrix();
    const key = (src: string, dst: string, c: Cell) => `${src}|${dst}|${label(c)}`;
    const byKey = new Map(cells.map((c) => [key(c.src, c.dst, c), c]));
    // A TCP connect succeeds only if the SYN-ACK gets back in: when the reverse direction is
    // denied, only connection tracking (allow-related) lets it through.
    const oneWay = cells.filter((c) => c.probe.protocol === 'tcp' && c.expected === 'allow' && byKey.get(key(c.dst, c.src, c))?.expected === 'deny');
    if (!oneWay.length) skip('the intent has no TCP flow allowed one way and denied the other');
    expectNoCulprits(
      oneWay
        .filter((c) => c.observed !== 'allow' || byKey.get(key(c.dst, c.src, c))!.observed !== 'deny')
        .map((c) => `${c.src} → ${c.dst} ${label(c)} (${c.because}) observed ${c.observed}; reverse ${c.dst} → ${c.src} observed ${byKey.get(key(c.dst, c.src, c))!.observed}, expected deny`),
      `of ${oneWay.length} one-way TCP flows are not stateful`,
    );
  });
});
