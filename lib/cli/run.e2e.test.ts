// `netproof run` end to end on real FRR: passes on a healthy fabric in containers, fails naming
// the culprit on seeded faults, and writes junit.xml, allure-results/ and summary.json. (The
// healthy run on network namespaces is the default lab's, in lib/overlay/overlay.e2e.test.ts.)
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { netproof } from '../../fixtures/cli.ts';
import { editFrrConf, generatedLab, neighborOn } from '../../fixtures/faults.ts';
import { labFor, leftovers, type RuntimeName } from '../../fixtures/runtimes.ts';
import type { Summary } from '../report/summary-reporter.ts';

const labs: string[] = [];
afterAll(async () => {
  for (const lab of labs) await netproof(['destroy', lab]);
});

function runner(runtime: RuntimeName) {
  return async function run(labFile: string, lab: string, extra: string[] = []) {
    labs.push(lab);
    const reportDir = await mkdtemp(join(tmpdir(), `netproof-report-${lab}-`));
    const result = await netproof(['run', labFile, '--runtime', runtime, '--report-dir', reportDir, ...extra]);
    const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as Summary;
    return { result, summary, reportDir, errors: summary.tests.flatMap((t) => t.errors).join('\n') };
  };
}

// On Docker: the default lab's run on netns (overlay.e2e) gates every suite, convergence and
// every report there; this is the same run of a fabric without an overlay in containers.
describe('netproof run on docker', () => {
  const runtime = 'docker' as const;
  const run = runner(runtime);

  test('passes on a healthy Clos, measures convergence, writes every report, leaves nothing behind', async () => {
    const lab = await generatedLab(labFor('e2e-healthy', runtime));
    // Of the failover classes the grey failure only: how a class is injected and watched does
    // not depend on the runtime, and the three took about 40 s more of CI here.
    const { result, summary, reportDir } = await run(lab.file, lab.name, ['--grep', '^(?!.*(carrier loss|far end down))']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(summary.status).toBe('passed');
    // The overlay tests have nothing to check on a lab without an overlay: skipped, not passed.
    expect(summary.counts.failed).toBe(0);
    const skipped = summary.tests.filter((t) => t.status === 'skipped');
    expect(skipped.map((t) => t.file).filter((f) => !/overlay|geneve|acl|nat|load-balancer|gateway-failover|ecmp|igp/.test(f))).toEqual(['suites/bfd-failover.test.ts', 'suites/bfd-failover.test.ts']);
    expect(summary.tests.filter((t) => t.file.includes('bgp-convergence')).every((t) => t.status === 'passed')).toBe(true);
    // ECMP: next hops in RIB and FIB, and the spread at every hashing router; failover: BFD as declared, then the grey failure.
    expect(summary.tests.filter((t) => /ecmp|failover/.test(t.file) && t.status === 'passed').length).toBe(4);
    const convergence = summary.figures.bgp_convergence_s!;
    expect(convergence.unit).toBe('s');
    expect(convergence.value).toBeGreaterThan(0);
    expect(convergence.value).toBeLessThan(60);
    // 2 spines, 4 leaves, 2 hosts: 8 spine-leaf + 4 leaf-host links, a session at each end.
    expect(summary.figures.bgp_sessions?.value).toBe(24);

    const junit = await readFile(join(reportDir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(summary.tests.length);
    expect(junit.match(/<skipped/g)).toHaveLength(skipped.length);
    expect(junit).not.toContain('<failure');
    const allure = await readdir(join(reportDir, 'allure-results'));
    expect(allure.filter((f) => f.endsWith('-result.json')).length).toBeGreaterThanOrEqual(2);

    expect(await leftovers(lab.name)).toEqual([]);
  }, 360_000);
});

// Seeded faults test the suites' logic, which reads the lab through the runtime-neutral
// NodeHandle: on network namespaces only. The healthy runs cover both runtimes (above, and overlay.e2e).
describe('netproof run on seeded faults (netns)', () => {
  const runtime = 'netns' as const;
  const run = runner(runtime);

  test('fails naming the leaf and the session when a leaf has the wrong remote-as', async () => {
    const lab = await generatedLab(labFor('e2e-remote-as', runtime));
    let spine1: string | undefined;
    await editFrrConf(lab, 'leaf3', (conf) => {
      spine1 = neighborOn(conf, 'spine1');
      return conf.replace(`neighbor ${spine1} remote-as 65000`, `neighbor ${spine1} remote-as 65099`);
    });
    const { result, summary, errors } = await run(lab.file, lab.name, ['--suite', 'bgp-convergence', '--convergence-timeout', '10']);
    expect(result.exitCode).toBe(1);
    expect(summary.tests.find((t) => t.name.includes('session'))?.status).toBe('failed');
    expect(errors).toMatch(new RegExp(`leaf3: session to spine1 \\(${spine1!.replaceAll('.', '\\.')}\\) over eth1 is \\w+, expected Established`));
    // The healthy sessions are not blamed.
    expect(errors).not.toMatch(/leaf1: session/);
    expect(await leftovers(lab.name)).toEqual([]);
  });

  // A router left with maximum-paths 1: lib/report/html-report.e2e.test.ts (the culprit, read in the HTML report).

  test('a run of one named suite writes its reports to --report-dir', async () => {
    const lab = await generatedLab(labFor('e2e-one-suite', runtime), { leaves: 2, hosts: 0, spines: 1 });
    const { result, summary } = await run(lab.file, lab.name, ['--suite', 'bgp-convergence']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(summary.tests.every((t) => t.file === 'suites/bgp-convergence.test.ts')).toBe(true);
  });
});
