// A user's own checks, written in their own folder outside the clone with netproof/testkit,
// run beside the built-in suites by `netproof run … --tests` and `netproof test … --tests`:
// they pass on a healthy lab and land in junit.xml; a port the security groups deny, expected
// reachable, fails naming the VM pair, the protocol and the port; an address outside the lab
// is refused before any packet is sent.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { netproof } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { labFor, leftovers } from '../../fixtures/runtimes.ts';
import type { Summary } from '../report/summary-reporter.ts';

const labs: string[] = [];
afterAll(async () => {
  for (const lab of labs) await netproof(['destroy', lab]);
});

/** The check file of the README, byte for byte what a user writes. */
const DB_CHECKS = `import { test, expect } from 'netproof/testkit';
test('web reaches postgres', async ({ lab }) => {
  await expect(lab.node('vm1')).toReach('10.20.2.12', { protocol: 'tcp', port: 5432 });
  await expect(lab.node('vm1')).not.toReach('10.20.2.12', { protocol: 'tcp', port: 22 });
  await expect(lab.node('leaf1')).toHaveRoute('10.255.2.2/32', { nexthops: 2 });
  await expect(lab.node('leaf1')).toHaveEstablishedSessions();
});
`;

const WRONG_CHECKS = `import { test, expect } from 'netproof/testkit';
test('web reaches ssh on the database', async ({ lab }) => {
  await expect(lab.node('vm1')).toReach('10.20.2.12', { protocol: 'tcp', port: 22 });
});
test('nothing outside the lab is a target', async ({ lab }) => {
  await expect(lab.node('vm1')).toReach('192.0.2.1');
});
`;

/** A project folder of the user's, outside the clone, with one check file. */
async function userProject(name: string, checks: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `netproof-user-${name}-`));
  await mkdir(join(dir, 'my-checks'), { recursive: true });
  await writeFile(join(dir, 'my-checks', 'db.test.ts'), checks);
  return dir;
}

async function reports(dir: string) {
  const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as Summary;
  return { summary, junit: await readFile(join(dir, 'junit.xml'), 'utf8'), errors: summary.tests.flatMap((t) => t.errors).join('\n') };
}

// On network namespaces only: a user's check file reaches the lab through the same NodeHandle the
// built-in suites use, which every runtime's suite runs exercise (overlay.e2e, run.e2e on Docker).
describe.each(['netns'] as const)('user checks with netproof/testkit on %s', (runtime) => {
  // host1 on leaf1/leaf2, host2 on leaf3/leaf4: leaf1 reaches host2's TEP over both spines.
  const shape = { spines: 2, leaves: 4, hosts: 2, vmsPerHost: 1 };

  test('run --tests: the README check passes beside the built-in suites, in the same junit.xml and summary.json', async () => {
    const lab = await generatedLab(labFor('e2e-kit-run', runtime), shape);
    labs.push(lab.name);
    const project = await userProject('run', DB_CHECKS);
    const reportDir = join(project, 'reports');
    const r = await netproof(['run', lab.file, '--runtime', runtime, '--tests', 'my-checks/**/*.test.ts', '--suite', 'frr-config', '--report-dir', reportDir], { cwd: project });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const { summary, junit } = await reports(reportDir);
    expect(summary.tests.map((t) => [t.name, t.status]).sort()).toEqual([
      ['FRR configuration > every router runs its configuration as written: no line refused or dropped', 'passed'],
      ['web reaches postgres', 'passed'],
    ]);
    // The user's file runs after the built-in suites (vitest reports each file as it finishes, one at a time).
    expect(r.stdout.indexOf('suites/frr-config.test.ts')).toBeGreaterThan(-1);
    expect(r.stdout.indexOf('my-checks/db.test.ts')).toBeGreaterThan(r.stdout.indexOf('suites/frr-config.test.ts'));
    expect(junit).toContain('name="web reaches postgres"');
    expect(await leftovers(lab.name)).toEqual([]);
  });

  test('test --tests on a running lab: a denied port expected reachable fails naming the pair, protocol and port; an outside address is refused', async () => {
    const lab = await generatedLab(labFor('e2e-kit-test', runtime), shape);
    labs.push(lab.name);
    expect((await netproof(['deploy', lab.file, '--runtime', runtime])).exitCode).toBe(0);
    const project = await userProject('test', WRONG_CHECKS);
    const reportDir = join(project, 'reports');
    const r = await netproof(['test', lab.name, '--tests', 'my-checks/**/*.test.ts', '--suite', 'frr-config', '--convergence-timeout', '10', '--report-dir', reportDir], { cwd: project });
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const { summary } = await reports(reportDir);
    const byName = new Map(summary.tests.map((t) => [t.name, t]));
    expect(byName.get('web reaches ssh on the database')?.status).toBe('failed');
    expect(byName.get('web reaches ssh on the database')?.errors.join('\n')).toMatch(/expected vm1 → 10\.20\.2\.12 tcp\/22 \(vm2\) to succeed, but \d+ attempts over [\d.]+ s failed; last: ncat: /);
    expect(byName.get('nothing outside the lab is a target')?.errors.join('\n')).toContain('toReach: 192.0.2.1 is not an address of any node of lab');
    expect(byName.get('FRR configuration > every router runs its configuration as written: no line refused or dropped')?.status).toBe('passed');
    // The listener the check started on vm2 for tcp/22 is gone again.
    const listening = await netproof(['exec', lab.name, 'vm2', '--', 'ss', '-H', '-l', '-n', '-t', 'sport', '=', ':22']);
    expect(listening.stdout.trim()).toBe('');
    expect((await netproof(['destroy', lab.name])).exitCode).toBe(0);
  });
});
