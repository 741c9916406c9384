// BGP convergence: every session the topology implies is Established, and every router has
// every loopback (TEP) the intent declares in its RIB and kernel FIB with the ECMP width the
// topology and the declared ASNs imply.
// Polled against a deadline counted from deploy start; the time to converge is measured.
import { attachment, step } from 'allure-js-commons';
import { describe, expect, skipWithoutBgp, skipWithoutDeclaredRouting, test } from '../lib/testkit/index.ts';
import { routeCulprits, sessionCulprits } from '../lib/expect/bgp.ts';
import { waitForNoCulprits, WaitTimeoutError } from '../lib/wait-for.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import { expectedRoutes, familyOf } from '../lib/plan/expected-routing.ts';
import { observeRoutes, observeSummaries, routeFamilies } from '../lib/probes/fabric.ts';
import { recordFigure } from '../lib/report/figures.ts';
import { deadlineStart, remainingMs, sinceDeployS } from '../lib/testkit/deadline.ts';
import { convergenceTimeoutMs } from '../lib/testkit/settings.ts';
import { convergenceSvg, type ConvergenceSample } from '../lib/report/convergence-svg.ts';


/** Attach the last JSON each router showed and the bgpd log of each router blamed, then fail with the culprits. */
async function failWith(lab: StartedLab, e: unknown): Promise<never> {
  if (e instanceof WaitTimeoutError) {
    for (const [node, json] of (e.lastSeen as Map<string, unknown> | undefined) ?? []) await attachment(`${node}.json`, JSON.stringify(json, null, 2), 'application/json');
    const blamed = new Set(e.message.split('\n').slice(1).map((line) => line.split(':')[0]!));
    for (const node of lab.nodes().filter((n) => blamed.has(n.name))) {
      const log = await node.daemonLog('bgpd');
      if (log) await attachment(`${node.name}-bgpd.log`, log.split('\n').slice(-200).join('\n'), 'text/plain');
    }
    // The culprits of the last look, one per line after the timeout's own line.
    const [timedOut, ...culprits] = e.message.split('\n');
    expect(culprits).toHaveNoCulprits(`culprits when ${timedOut!.replace(/:$/, '')}`);
  }
  throw e;
}

/** The convergence deadline in seconds since deploy start: the budget of the convergence figures. */
const budgetS = (lab: StartedLab) => Number(((deadlineStart(lab) - lab.times.deployStartedAt + convergenceTimeoutMs(lab)) / 1000).toFixed(1));

/** Every look the two tests took, for the convergence curve: sessions Established and routes right, by seconds since deploy. */
const samples: ConvergenceSample[] = [];

describe('BGP convergence', () => {
  test('every fabric session is Established', async ({ lab, fabric, task, skip }) => {
    skipWithoutBgp(lab, skip);
    const f = await fabric();
    await step(`expect ${f.sessions.length} sessions Established`, () =>
      waitForNoCulprits(
        () => observeSummaries(lab, f.routers.map((r) => r.name)),
        (summaries) => {
          const culprits = sessionCulprits(f.sessions, summaries);
          // One line per expected session that is not Established; `configured session` lines are extra peers.
          samples.push({ t: sinceDeployS(lab), sessionsEstablished: f.sessions.length - culprits.filter((c) => !/: configured session to /.test(c)).length });
          return culprits;
        },
        { timeoutMs: remainingMs(lab), description: `${f.sessions.length} BGP sessions to be Established` },
      ).catch((e) => failWith(lab, e)),
    );
    recordFigure({ task }, 'bgp_sessions_established_s', { value: sinceDeployS(lab), unit: 's', budget: budgetS(lab), description: 'deploy start until every expected BGP session was seen Established' });
    recordFigure({ task }, 'bgp_sessions', { value: f.sessions.length, unit: 'sessions', description: 'BGP sessions checked (both ends of every router-to-router link)' });
  });

  test('every router has every declared loopback in its RIB and kernel FIB with the expected ECMP width', async ({ lab, fabric, task, skip }) => {
    skipWithoutBgp(lab, skip);
    skipWithoutDeclaredRouting(lab, skip);
    const f = await fabric();
    const expected = expectedRoutes(f.routers, f.links);
    expect(expected.length, 'no loopback routes are expected: does the intent declare loopbacks?').toBeGreaterThan(0);
    await attachment(
      'expected-routes.json',
      JSON.stringify(expected.map((r) => ({ at: r.at, prefix: r.prefix, owner: r.owner, width: r.width, via: r.candidates.map((c) => `${r.at}:${c.iface} → ${c.neighbor}`) })), null, 2),
      'application/json',
    );
    const drawCurve = (convergedAtS?: number) =>
      attachment(
        'convergence.svg',
        convergenceSvg({ title: `${lab.name}: convergence since deploy start`, samples, sessionsExpected: f.sessions.length, routesExpected: expected.length, budgetS: budgetS(lab), ...(convergedAtS !== undefined ? { convergedAtS } : {}) }),
        'image/svg+xml',
      );
    await step(`expect ${expected.length} loopback routes with their ECMP width in RIB and FIB`, () =>
      waitForNoCulprits(
        () => observeRoutes(lab, f.routers.map((r) => r.name), routeFamilies(expected)),
        (observed) => {
          const culprits = routeCulprits(expected, observed, f.owners);
          samples.push({ t: sinceDeployS(lab), routesInstalled: expected.length - culprits.length });
          return culprits;
        },
        { timeoutMs: remainingMs(lab), description: `${expected.length} loopback routes with their ECMP width` },
      ).catch(async (e) => {
        await drawCurve();
        return failWith(lab, e);
      }),
    );
    const convergedAtS = sinceDeployS(lab);
    await drawCurve(convergedAtS);
    recordFigure({ task }, 'bgp_convergence_s', {
      value: convergedAtS,
      unit: 's',
      budget: budgetS(lab),
      description: 'deploy start until every router had every loopback in RIB and kernel FIB with the expected ECMP width (an upper bound: first observation after convergence)',
    });
    recordFigure({ task }, 'loopback_routes', { value: expected.length, unit: 'routes', description: 'router × loopback pairs checked' });
    const ipv6 = expected.filter((r) => familyOf(r.prefix) === 6).length;
    if (ipv6) recordFigure({ task }, 'ipv6_loopback_routes', { value: ipv6, unit: 'routes', description: 'of those, router × IPv6 loopback pairs (show ipv6 route json, ip -6 route)' });
  });
});
