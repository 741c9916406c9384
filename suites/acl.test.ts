// Security groups: derive the allow/deny matrix (source × destination × protocol × port) from
// the intent, attempt every cell for real (TCP connect, UDP request/response, ICMP echo) and
// compare. A failure names the cell and the rule that decides it. Statefulness is probed on its
// own: for every TCP flow allowed one way and denied the other, a new connection, its reverse,
// and an out-of-state packet from the server's port. When a cell misbehaves, the northbound ACLs
// are compared with what the security groups render, to name the ACL to fix.
import { attachment, step } from 'allure-js-commons';
import { describe, expect, sharedPrecondition, skipWithoutOverlay, test as kit } from '../lib/testkit/index.ts';
import { mapLimit } from '../lib/testkit/deadline.ts';
import type { BackgroundProcess, StartedLab } from '../lib/lab/started-lab.ts';
import type { Overlay } from '../lib/model/overlay.ts';
import { expectedMatrix, probeLabel, probesFor, type Cell } from '../lib/plan/acl-matrix.ts';
import { flowLabel, statefulFlows, type StatefulFlow } from '../lib/plan/acl-stateful.ts';
import { aclDifferences } from '../lib/expect/acls.ts';
import { readNbAcls } from '../lib/probes/ovn-acls.ts';
import { sendOutOfStateAcks, type OutOfStateResult } from '../lib/probes/out-of-state.ts';
import { probeBatch, startListener, tcpConnectAttempt, type Attempt } from '../lib/probes/traffic.ts';
import { renderAcls } from '../lib/render/ovn.ts';
import { recordFigure, recordObservations } from '../lib/report/figures.ts';
import { matrixSvg } from '../lib/report/matrix-svg.ts';
import { extraAclProbes } from '../lib/testkit/settings.ts';
import { aclKey } from '../lib/state/snapshot.ts';

type Observed = Cell & { observed: 'allow' | 'deny'; attempts: number };

const label = (c: Cell) => probeLabel(c.probe);
const vmIp = (overlay: Overlay, name: string) => overlay.vms.find((v) => v.name === name)!.ip;

/** Listeners on VM ports, each started once per file (both tests need them) and stopped when the file ends. */
class Listeners {
  private readonly started = new Map<string, Promise<BackgroundProcess>>();
  private readonly lab: StartedLab;
  constructor(lab: StartedLab) {
    this.lab = lab;
  }
  ensure(vm: string, protocol: 'tcp' | 'udp', port: number): Promise<BackgroundProcess> {
    const key = `${vm}|${protocol}|${port}`;
    let p = this.started.get(key);
    if (!p) this.started.set(key, (p = startListener(this.lab.node(vm), protocol, port)));
    return p;
  }
  async stopAll(): Promise<void> {
    await Promise.all([...this.started.values()].map(async (p) => (await p.catch(() => undefined))?.stop()));
  }
}

/** The cells: the intent's own probes, and those `netproof change` adds so two labs are compared cell for cell. */
const matrixOf = (overlay: Overlay) => expectedMatrix(overlay, extraAclProbes());

/** Every cell attempted once per file. */
async function probeMatrix(lab: StartedLab, overlay: Overlay, listeners: Listeners): Promise<Observed[]> {
  // Every VM listens on every probed port, so a closed port never poses as a denial.
  const ports = probesFor(overlay, extraAclProbes()).filter((p) => p.protocol !== 'icmp');
  await Promise.all(overlay.vms.flatMap((vm) => ports.map((p) => listeners.ensure(vm.name, p.protocol as 'tcp' | 'udp', p.port!))));
  // All of a VM's cells at once, from one process in the VM: most are denials that each wait
  // out a 1 s timeout, so the matrix takes about one timeout per round. The first packet of a
  // flow can be slow through OVS (upcall, conntrack): a denial of a cell the intent allows
  // counts only after three rounds; a single pass is a pass.
  const cells = matrixOf(overlay);
  const observed = new Map<Cell, Observed>();
  let pending = cells;
  for (let round = 1; round <= 3 && pending.length; round++) {
    const bySource = new Map<string, Cell[]>();
    for (const c of pending) bySource.set(c.src, [...(bySource.get(c.src) ?? []), c]);
    await Promise.all(
      [...bySource].map(async ([src, mine]) => {
        const outcomes = await probeBatch(lab.node(src), mine.map((c) => ({ protocol: c.probe.protocol, dst: vmIp(overlay, c.dst), ...(c.probe.port !== undefined ? { port: c.probe.port } : {}) })));
        mine.forEach((c, i) => observed.set(c, { ...c, observed: outcomes[i]!.ok ? 'allow' : 'deny', attempts: round }));
      }),
    );
    pending = pending.filter((c) => c.expected === 'allow' && observed.get(c)!.observed === 'deny');
  }
  return cells.map((c) => observed.get(c)!);
}

interface FlowResult {
  flow: StatefulFlow;
  /** A → B:P, a new connection (up to three attempts). */
  connect: Attempt & { attempts: number };
  /** B → A:P, a new connection while A listens on P. */
  reverse: Attempt;
  /** B's out-of-state ACKs from P to A (undefined when the intent leaves no port to send them to). */
  outOfState?: OutOfStateResult;
}

/** One one-way flow, on its own: it reads nothing the matrix saw. */
async function probeFlow(lab: StartedLab, overlay: Overlay, f: StatefulFlow, listeners: Listeners): Promise<FlowResult> {
  const [a, b] = [lab.node(f.client), lab.node(f.server)];
  const [aIp, bIp] = [vmIp(overlay, f.client), vmIp(overlay, f.server)];
  // B listens on P for A's connection; A listens on P too, so B's refused connection is the filter's doing.
  await Promise.all([listeners.ensure(f.server, 'tcp', f.port), listeners.ensure(f.client, 'tcp', f.port)]);
  let connect: FlowResult['connect'] = { ok: false, detail: 'not attempted', attempts: 0 };
  for (let i = 1; i <= 3 && !connect.ok; i++) connect = { ...(await tcpConnectAttempt(a, bIp, f.port)), attempts: i };
  // Both wait out a timeout on a healthy lab, on 5-tuples of their own (the reverse SYN from an
  // ephemeral port to P, the ACKs from P to another port): side by side, neither sees the other.
  const [reverse, outOfState] = await Promise.all([
    tcpConnectAttempt(b, aIp, f.port),
    f.outOfState ? sendOutOfStateAcks(b, a, { srcIp: bIp, dstIp: aIp, srcPort: f.port, probePort: f.outOfState.port }) : undefined,
  ]);
  return { flow: f, connect, reverse, ...(outOfState ? { outOfState } : {}) };
}

/** What is wrong with one flow's results, one line per finding, each naming the cell. */
function statefulCulprits(r: FlowResult): string[] {
  const f = r.flow;
  const lines: string[] = [];
  if (!r.connect.ok) lines.push(`${flowLabel(f)} (${f.allowedBecause}): a new connection failed ${r.connect.attempts} times (${r.connect.detail}): its SYN or its SYN-ACK was dropped, and the SYN-ACK gets back only through connection tracking, since ${f.server} → ${f.client} tcp/${f.port} is denied`);
  if (r.reverse.ok) lines.push(`${f.server} → ${f.client} tcp/${f.port} (the reverse of ${flowLabel(f)}): a new connection succeeded, expected it refused (${f.reverseDeniedBecause})`);
  const o = r.outOfState;
  if (o && f.outOfState) {
    const acks = (port: number) => `TCP ACKs from ${f.server}:${f.port} to ${f.client}:${port}, part of no connection`;
    if (o.probe.arrived > 0) {
      lines.push(`${flowLabel(f)}: ${o.probe.arrived} of ${o.probe.sent} ${acks(f.outOfState.port)}, arrived at ${f.client}; ${f.server} → ${f.client} tcp/${f.outOfState.port} is denied (${f.outOfState.deniedBecause}), so the filter passes ${f.server}'s packets from port ${f.port} by port, not by connection state`);
    }
  }
  return lines;
}

function flowsMarkdown(results: FlowResult[]): string {
  const oos = (r: FlowResult) => {
    const o = r.outOfState;
    if (!o || !r.flow.outOfState) return 'not checked: the intent denies no unprivileged port to the server';
    return `to :${r.flow.outOfState.port}: ${o.probe.arrived} of ${o.probe.sent} arrived`;
  };
  const rows = results.map((r) => `| ${flowLabel(r.flow)} | ${r.connect.ok ? 'connected' : `**${r.connect.detail}**`} | ${r.reverse.ok ? '**connected**' : r.reverse.detail} | ${oos(r)} |`);
  return ['| flow (allowed) | new connection | reverse (denied) | out-of-state ACKs from the server port |', '|---|---|---|---|', ...rows].join('\n');
}

/** The northbound ACLs that differ from what the security groups render, for a failure message; never throws. */
async function aclDiagnosis(lab: StartedLab, overlay: Overlay): Promise<string[]> {
  try {
    return aclDifferences(renderAcls(overlay), await readNbAcls(lab));
  } catch (e) {
    return [`(could not read the northbound ACLs to compare them with the security groups: ${(e as Error).message})`];
  }
}

/** Fails with `header`, the culprits, then the northbound ACLs that explain them; passes when there are no culprits. */
async function expectNoCulpritsExplained(lab: StartedLab, overlay: Overlay, culprits: string[], header: string): Promise<void> {
  if (!culprits.length) return;
  const why = await aclDiagnosis(lab, overlay);
  if (why.length) await attachment('northbound-acls-differ.txt', why.join('\n'), 'text/plain');
  const explained = why.length ? `\nThe northbound ACLs differ from what the security groups (${overlay.file}) render:\n${why.join('\n')}` : '';
  expect.fail(`${header}:\n${culprits.join('\n')}${explained}`);
}

const test = kit.extend<{ listeners: Listeners; matrix: () => Promise<Observed[]> }>({
  listeners: [
    async ({ lab }, use) => {
      const listeners = new Listeners(lab);
      await use(listeners);
      await listeners.stopAll();
    },
    { scope: 'file' },
  ],
  matrix: [
    async ({ lab, readyOverlay, listeners }, use) => {
      await use(sharedPrecondition('the overlay is ready and every cell of the matrix was attempted', async () => probeMatrix(lab, await readyOverlay(), listeners)));
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
    await attachment('acl-matrix.svg', matrixSvg({ title: 'Security groups: intended vs observed', cells: cells.map((c) => ({ row: c.src, group: c.dst, column: label(c), expected: c.expected, observed: c.observed, because: c.because })) }), 'image/svg+xml');
    const wrong = cells.filter((c) => c.observed !== c.expected);
    recordFigure({ task }, 'acl_cells_probed', { value: cells.length, unit: 'cells', description: 'source × destination × protocol/port attempts' });
    recordFigure({ task }, 'acl_cells_passed', { value: cells.length - wrong.length, unit: 'cells', description: 'cells whose observed verdict matches the intent' });
    await expectNoCulpritsExplained(lab, overlay, wrong.map((c) => `${c.src} → ${c.dst} ${label(c)}: expected ${c.expected} (${c.because}), observed ${c.observed}`), `${wrong.length} of ${cells.length} cells do not behave as the security groups say`);
  });

  test('stateful: each TCP flow allowed one way connects, its reverse is refused, and out-of-state packets from its port do not pass', async ({ lab, readyOverlay, listeners, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = await readyOverlay();
    if (!overlay.groups.length) skip('the intent defines no security groups');
    const flows = statefulFlows(overlay);
    if (!flows.length) skip('the intent has no TCP flow allowed one way and denied the other');
    // Each flow waits out a refused connection (1 s) and watches for out-of-state packets (≥ 1 s): a few at once.
    const results = await step(`probe ${flows.length} one-way TCP flows`, () => mapLimit(flows, 12, (f) => probeFlow(lab, overlay, f, listeners)));
    await attachment('acl-stateful.md', flowsMarkdown(results), 'text/markdown');
    await attachment('acl-stateful.json', JSON.stringify(results, null, 2), 'application/json');
    const findings = results.map(statefulCulprits);
    const failing = findings.filter((f) => f.length).length;
    await expectNoCulpritsExplained(lab, overlay, findings.flat(), `${failing} of ${flows.length} TCP flows allowed one way and denied the other are not filtered by connection state`);
  });
});
