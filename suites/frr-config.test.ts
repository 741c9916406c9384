// FRR configuration: every router runs the configuration the user wrote. Bring-up applies each
// router's frr.conf the way FRR's start-up does (through vtysh) and keeps every line FRR
// refused, with the daemon logs' "on config line" errors for per-daemon files; a check on a
// lab that silently dropped a static route or a route-map would measure the wrong network.
import { attachment } from 'allure-js-commons';
import { describe, expect, test } from '../lib/testkit/index.ts';
import { formatConfigProblem } from '../lib/lab/frr-config-problems.ts';

describe('FRR configuration', () => {
  test('every router runs its configuration as written: no line refused or dropped', async ({ lab, skip }) => {
    const routers = lab.nodes().filter((n) => n.spec.role === 'router');
    if (!routers.length) skip('no FRR router in this lab');
    const problems = lab.frrConfigProblems;
    if (problems.length) await attachment('frr-config-problems.json', JSON.stringify(problems, null, 2), 'application/json');
    expect(problems.map(formatConfigProblem)).toHaveNoCulprits(`line(s) of the configuration of ${routers.length} routers refused by FRR`);
  });
});
