// Load balancers: connections to every VIP, from a tenant VM on each switch of its router and
// from the outside world where the VIP is exposed, must be answered by its backends and spread
// over all of them (chi-square, as for ECMP). Where the intent declares a health check: a
// backend whose service stops is taken out within the budget the check implies and comes back
// when restored; with no healthy backend a session is refused or dropped as declared. Every
// backend serves a source echo, which says who answered. A failure names the VIP, the client,
// the backend, and the northbound load balancer that differs from the intent.
import { attachment, step } from 'allure-js-commons';
import { describe, expect, sharedPrecondition, skipWithoutOverlay, test as kit } from '../lib/testkit/index.ts';
import type { BackgroundProcess, StartedLab } from '../lib/lab/started-lab.ts';
import type { LoadBalancer, Overlay } from '../lib/model/overlay.ts';
import { LB_ALPHA, LB_ANSWER_TIMEOUT_MS, LB_CONNECTIONS, LB_FOLLOW_UP_CONNECTIONS, LB_IN_FLIGHT, lbClients, lbLabel, removalBudgetMs, removalBudgetText, returnBudgetMs } from '../lib/plan/lb-plan.ts';
import { lbDifferences, spreadProblems, tallySpread, type Spread } from '../lib/expect/lbs.ts';
import { readNbLoadBalancers, readServiceMonitors, type ServiceMonitor } from '../lib/probes/ovn-lbs.ts';
import { probeBatch, startSourceEcho, type Attempt } from '../lib/probes/traffic.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { waitFor } from '../lib/wait-for.ts';

/** One source echo per backend VM, on the ports of every load balancer it serves; a test may stop and restart one. */
class Backends {
  private readonly running = new Map<string, BackgroundProcess>();
  private readonly lab: StartedLab;
  private readonly overlay: Overlay;
  constructor(lab: StartedLab, overlay: Overlay) {
    this.lab = lab;
    this.overlay = overlay;
  }
  private ports(vm: string) {
    const lbs = this.overlay.loadBalancers.filter((lb) => lb.backends.includes(vm));
    const of = (p: 'tcp' | 'udp') => [...new Set(lbs.filter((lb) => lb.protocol === p).map((lb) => lb.backendPort))];
    return { tcp: of('tcp'), udp: of('udp') };
  }
  async start(vm: string): Promise<void> {
    if (!this.running.has(vm)) this.running.set(vm, await startSourceEcho(this.lab.node(vm), this.ports(vm)));
  }
  async stop(vm: string): Promise<void> {
    await this.running.get(vm)?.stop();
    this.running.delete(vm);
  }
  async startAll(): Promise<void> {
    await Promise.all([...new Set(this.overlay.loadBalancers.flatMap((lb) => lb.backends))].map((vm) => this.start(vm)));
  }
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((vm) => this.stop(vm)));
  }
}

/**
 * `count` connections from `client` to the VIP, each asking who answered, LB_IN_FLIGHT at a
 * time: 256 SYNs in one burst through a userspace datapath on a busy 2-core machine lost one.
 */
function connect(lab: StartedLab, lb: LoadBalancer, client: string, count: number): Promise<Attempt[]> {
  return probeBatch(lab.node(client), Array.from({ length: count }, () => ({ protocol: lb.protocol, dst: lb.vip, port: lb.port, seen: true })), LB_ANSWER_TIMEOUT_MS, { concurrency: LB_IN_FLIGHT });
}

/** The northbound load balancers that differ from the intent, and the health check's view of the backends, for a failure message; never throws. */
async function lbDiagnosis(lab: StartedLab, overlay: Overlay): Promise<string[]> {
  const lines: string[] = [];
  try {
    lines.push(...lbDifferences(overlay, await readNbLoadBalancers(lab)));
  } catch (e) {
    lines.push(`(could not read the northbound load balancers: ${(e as Error).message})`);
  }
  try {
    const down = (await readServiceMonitors(lab)).filter((m) => m.status !== 'online');
    lines.push(...down.map((m) => `health check: backend ${m.logicalPort} (${m.ip}:${m.port}) is ${m.status ?? 'not yet checked'} in OVN's southbound Service_Monitor`));
  } catch (e) {
    lines.push(`(could not read OVN's service monitors: ${(e as Error).message})`);
  }
  return lines;
}

async function failExplained(lab: StartedLab, overlay: Overlay, header: string, culprits: string[]): Promise<never> {
  const why = await lbDiagnosis(lab, overlay);
  if (why.length) await attachment('load-balancers-differ.txt', why.join('\n'), 'text/plain');
  return expect.fail(`${header}:\n${culprits.join('\n')}${why.length ? `\nOVN's load balancers against the intent (${overlay.file}):\n${why.join('\n')}` : ''}`);
}

/** A timed-out wait as one line: what was awaited and what was seen last. */
const oneLine = (e: unknown) => (e as Error).message.replace(/:\n/g, ': ').replace(/\n/g, '; ');

const monitorOf = (overlay: Overlay, lb: LoadBalancer, vm: string) => (m: ServiceMonitor) => m.logicalPort === vm && m.ip === overlay.vms.find((v) => v.name === vm)!.ip && m.port === lb.backendPort;

/** Poll OVN's service monitors until every listed backend of `lb` has `status`; resolves with the ms it took, rejects naming those that did not. */
async function waitForStatus(lab: StartedLab, overlay: Overlay, lb: LoadBalancer, vms: readonly string[], status: 'online' | 'offline', timeoutMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(
    async () => {
      const monitors = await readServiceMonitors(lab);
      const wrong = vms.flatMap((vm) => {
        const m = monitors.find(monitorOf(overlay, lb, vm));
        return m?.status === status ? [] : [`${vm}: ${m ? (m.status ?? 'not yet checked') : 'no service monitor (is the health check in the northbound DB?)'}`];
      });
      return wrong.length ? { ok: false, reason: `${lbLabel(lb)} backends not ${status}: ${wrong.join('; ')}` } : { ok: true, value: true };
    },
    { timeoutMs, intervalsMs: [50, 100, 100], description: `${lbLabel(lb)}: the health check to find ${vms.join(', ')} ${status}` },
  );
  return Date.now() - started;
}

const test = kit.extend<{ backends: () => Promise<Backends>; healthChecked: () => Promise<Backends> }>({
  backends: [
    async ({ lab, readyOverlay }, use) => {
      let made: Backends | undefined;
      await use(
        sharedPrecondition('the overlay is ready and every backend serves its port', async () => {
          made = new Backends(lab, await readyOverlay());
          await made.startAll();
          return made;
        }),
      );
      await made?.stopAll();
    },
    { scope: 'file' },
  ],
  // The health-check tests stop backends and watch OVN's verdict: both need the health check
  // running and every backend online first, and say so once if it is not.
  healthChecked: [
    async ({ lab, backends }, use) => {
      await use(
        sharedPrecondition("OVN's health check finds every backend online", async () => {
          const b = await backends();
          const overlay = lab.topology.overlay!;
          const checked = overlay.loadBalancers.filter((lb) => lb.healthCheck);
          const down = (await Promise.all(checked.map((lb) => waitForStatus(lab, overlay, lb, lb.backends, 'online', removalBudgetMs(lb.healthCheck!) * 3).then(() => [], (e: unknown) => [oneLine(e)])))).flat();
          if (down.length) {
            const why = await lbDiagnosis(lab, overlay);
            throw new Error([...down, ...(why.length ? [`OVN's load balancers against the intent (${overlay.file}):`, ...why] : [])].join('\n'));
          }
          return b;
        }),
      );
    },
    { scope: 'file' },
  ],
});

function skipWithoutLoadBalancers(lab: StartedLab, skip: (note: string) => void): Overlay {
  skipWithoutOverlay(lab, skip);
  const overlay = lab.topology.overlay!;
  if (!overlay.loadBalancers.length) skip(`not declared: ${overlay.file} declares no load-balancers`);
  return overlay;
}

function skipWithoutHealthChecks(overlay: Overlay, skip: (note: string) => void): LoadBalancer[] {
  const checked = overlay.loadBalancers.filter((lb) => lb.healthCheck);
  if (!checked.length) skip(`not declared: no load balancer in ${overlay.file} has a health-check`);
  return checked;
}

/** Where both health-check tests start: the load balancers with a health check, the overlay ready, every backend online. */
async function healthCheckedStart(ctx: { lab: StartedLab; readyOverlay: () => Promise<unknown>; healthChecked: () => Promise<Backends>; skip: (note: string) => void }): Promise<{ overlay: Overlay; checked: LoadBalancer[]; b: Backends }> {
  const overlay = skipWithoutLoadBalancers(ctx.lab, ctx.skip);
  const checked = skipWithoutHealthChecks(overlay, ctx.skip);
  await ctx.readyOverlay();
  return { overlay, checked, b: await ctx.healthChecked() };
}

describe('load balancers', () => {
  test(`${LB_CONNECTIONS} connections to each VIP, from a tenant VM on each switch and from outside where exposed, spread over every backend`, async ({ lab, readyOverlay, backends, task, skip }) => {
    const overlay = skipWithoutLoadBalancers(lab, skip);
    await readyOverlay();
    await backends();
    // A backend the health check has not yet seen serving takes no connections: right after its
    // source echo starts (or after bring-up) OVN has it offline until `success-count` probes pass.
    // Wait for that where a health check runs; one that stays offline is this test's finding.
    const monitored = await readServiceMonitors(lab);
    await Promise.all(
      overlay.loadBalancers
        .filter((lb) => lb.healthCheck && lb.backends.some((vm) => monitored.some(monitorOf(overlay, lb, vm))))
        .map((lb) => waitForStatus(lab, overlay, lb, lb.backends, 'online', returnBudgetMs(lb.healthCheck!) * 3).catch(() => undefined)),
    );
    const runs = overlay.loadBalancers.flatMap((lb) => lbClients(overlay, lb).map((c) => ({ lb, client: c.node })));
    const unreachable = overlay.loadBalancers.filter((lb) => !runs.some((r) => r.lb === lb));
    if (unreachable.length) {
      expect.fail(unreachable.map((lb) => `${lbLabel(lb)}: no VM on router ${lb.router}'s switches other than its backends, and no outside node, may reach every backend on ${lb.protocol}/${lb.backendPort} by the security groups (${overlay.file}): nothing can use this VIP`).join('\n'));
    }
    const spreads = await step(`${runs.length} clients × ${LB_CONNECTIONS} connections`, () =>
      // Every spread's test at its share of the suite's significance (Bonferroni).
      Promise.all(
        runs.map(async (r) => {
          const attempts = await connect(lab, r.lb, r.client, LB_CONNECTIONS);
          return { ...r, attempts, spread: tallySpread(r.lb, attempts, LB_ALPHA / runs.length) };
        }),
      ),
    );
    // The evidence behind each split: which source port each connection used and who answered it.
    const evidence = spreads.map((s) => ({ lb: s.lb.name, client: s.client, counts: s.spread.counts, failed: s.spread.failed.length, chiSquare: s.spread.chiSquare, connections: s.attempts.map((a) => ({ sport: a.sport, answeredBy: a.by ?? a.detail })) }));
    await attachment('lb-spread.json', JSON.stringify(evidence, null, 2), 'application/json');
    for (const lb of overlay.loadBalancers) {
      const mine = spreads.filter((s) => s.lb === lb);
      const used = Math.min(...mine.map((s) => Object.values(s.spread.counts).filter((n) => n > 0).length));
      recordFigure({ task }, `lb_backends_used.${lb.name}`, { value: used, unit: 'backends', description: `backends of ${lbLabel(lb)} that answered every client (of ${lb.backends.length})` });
    }
    const problems = spreads.flatMap((s) => spreadProblems(overlay, s.lb, s.client, s.spread));
    if (problems.length) await failExplained(lab, overlay, `${problems.length} problems with the load balancers' spread`, problems);
  });

  test('a backend whose service stops is taken out by the health check within its budget, and comes back when restored', async ({ lab, readyOverlay, healthChecked, task, skip }) => {
    const { overlay, checked, b } = await healthCheckedStart({ lab, readyOverlay, healthChecked, skip });
    const problems: string[] = [];
    for (const lb of checked) {
      const hc = lb.healthCheck!;
      const [victim] = lb.backends;
      const client = lbClients(overlay, lb)[0]!.node;
      const budget = { removal: removalBudgetMs(hc), return: returnBudgetMs(hc) };
      // Measured past the budget (3×), so a slow health check is reported with its time, not only as "too slow".
      await b.stop(victim!);
      const removalMs = await waitForStatus(lab, overlay, lb, [victim!], 'offline', budget.removal * 3).catch((e: unknown) => (problems.push(`${lbLabel(lb)}: ${victim} stopped serving, but ${oneLine(e)}`), undefined));
      if (removalMs !== undefined) {
        recordFigure({ task }, `lb_health_removal_ms.${lb.name}`, { value: removalMs, unit: 'ms', budget: budget.removal, description: `${victim}'s service stopped → OVN's health check marks it offline (budget: ${removalBudgetText(hc)})` });
        if (removalMs > budget.removal) problems.push(`${lbLabel(lb)}: ${victim} was taken out after ${removalMs} ms, over the budget of ${budget.removal} ms (${removalBudgetText(hc)})`);
        // The others take its connections; a load balancer of one backend has none left (the no-backend test covers that).
        const after: Spread | undefined = lb.backends.length > 1 ? tallySpread(lb, await connect(lab, lb, client, LB_FOLLOW_UP_CONNECTIONS)) : undefined;
        const lost = after ? after.failed.length + (after.counts[victim!] ?? 0) : 0;
        if (after && lost) problems.push(`${lbLabel(lb)} from ${client}: with ${victim} out, ${after.failed.length} of ${LB_FOLLOW_UP_CONNECTIONS} connections failed (${[...new Set(after.failed.map((f) => f.detail))].join('; ')})`);
      }

      await b.start(victim!);
      const returnMs = await waitForStatus(lab, overlay, lb, [victim!], 'online', budget.return * 3).catch((e: unknown) => (problems.push(`${lbLabel(lb)}: ${victim} serves again, but ${oneLine(e)}`), undefined));
      if (returnMs !== undefined) {
        recordFigure({ task }, `lb_health_return_ms.${lb.name}`, { value: returnMs, unit: 'ms', budget: budget.return, description: `${victim} serving again → OVN's health check marks it online` });
        if (returnMs > budget.return) problems.push(`${lbLabel(lb)}: ${victim} came back after ${returnMs} ms, over the budget of ${budget.return} ms (${hc.successCount} successes × ${hc.intervalS} s + OVN's allowance)`);
        const back = tallySpread(lb, await connect(lab, lb, client, LB_FOLLOW_UP_CONNECTIONS));
        if (!back.counts[victim!]) problems.push(`${lbLabel(lb)} from ${client}: ${victim} is online again but answered none of ${LB_FOLLOW_UP_CONNECTIONS} connections`);
      }
    }
    if (problems.length) await failExplained(lab, overlay, 'the health check does not take a stopped backend out and back in as declared', problems);
  });

  test('with no healthy backend, a session to the VIP is refused or dropped as the intent declares', async ({ lab, readyOverlay, healthChecked, skip }) => {
    const { overlay, checked, b } = await healthCheckedStart({ lab, readyOverlay, healthChecked, skip });
    const problems: string[] = [];
    for (const lb of checked) {
      const client = lbClients(overlay, lb)[0]!.node;
      const budget = removalBudgetMs(lb.healthCheck!) * 3;
      await Promise.all(lb.backends.map((vm) => b.stop(vm)));
      try {
        const out = await waitForStatus(lab, overlay, lb, lb.backends, 'offline', budget).then(
          () => true,
          (e: unknown) => (problems.push(`${lbLabel(lb)}: every backend stopped serving, but ${oneLine(e)}`), false),
        );
        if (!out) continue;
        const attempts = await connect(lab, lb, client, 8);
        // A refused TCP connection is a reset (or an ICMP unreachable) within the timeout; a dropped one times out.
        const refused = (a: Attempt) => !a.ok && /refused|EHOSTUNREACH|ENETUNREACH|no UDP reply/.test(a.detail) && !/no answer to SYN/.test(a.detail);
        const dropped = (a: Attempt) => !a.ok && /no answer to SYN|no UDP reply/.test(a.detail);
        const wrong = attempts.filter((a) => (lb.noBackend === 'reject' ? !refused(a) : !dropped(a)));
        if (wrong.length) {
          const said = [...new Set(wrong.map((a) => (a.ok ? `answered by ${a.by ?? 'something'}` : a.detail)))].join('; ');
          problems.push(`${lbLabel(lb)} from ${client}: with no healthy backend, ${wrong.length} of ${attempts.length} sessions were not ${lb.noBackend === 'reject' ? 'refused' : 'dropped'} (${said}); load-balancers.${lb.name}.no-backend declares ${lb.noBackend}`);
        }
      } finally {
        await Promise.all(lb.backends.map((vm) => b.start(vm)));
        await waitForStatus(lab, overlay, lb, lb.backends, 'online', returnBudgetMs(lb.healthCheck!) * 3).catch(() => undefined);
      }
    }
    if (problems.length) await failExplained(lab, overlay, 'sessions to a VIP without a healthy backend do not end as declared', problems);
  });
});
