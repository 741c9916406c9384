// Pre-change validation end to end: `netproof intent` learns the intent a healthy lab runs;
// seeded mistakes that pass every other suite fail the declared-intent suite, naming the router
// and what the intent says; `netproof change` names a dropped security-group rule's cell,
// passes once that change is accepted and fails when an accepted change does not happen (the
// unchanged lab, which otherwise shows no regression); `run --baseline` names a TEP that
// stopped being advertised.
// On network namespaces only: the snapshot and the diff read through the runtime-neutral
// NodeHandle, and the runtimes' own e2e tests already run the same suites on Docker.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { netproof } from '../../fixtures/cli.ts';
import { editFrrConf, generatedLab, neighborOn } from '../../fixtures/faults.ts';
import { leftovers } from '../../fixtures/runtimes.ts';
import type { GeneratedLab } from '../generate.ts';
import type { Summary } from '../report/summary-reporter.ts';
import type { DiffReport } from './report.ts';
import type { Snapshot } from './snapshot.ts';

const labs = new Set<string>();
afterAll(async () => {
  for (const lab of labs) await netproof(['destroy', lab]);
});

const json = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;
const reportDir = () => mkdtemp(join(tmpdir(), 'netproof-report-'));

/** A copy of a generated lab directory: the proposal a user edits beside the lab as it is. */
async function proposalOf(lab: GeneratedLab & { name: string }): Promise<GeneratedLab & { name: string }> {
  const dir = await mkdtemp(join(tmpdir(), `netproof-${lab.name}-proposed-`));
  await cp(lab.dir, dir, { recursive: true });
  return { ...lab, dir, file: join(dir, `${lab.name}.clab.yml`) };
}

describe('declared intent on seeded faults', () => {
  test('BFD off on one session, slow BFD on one leaf and L3-only hashing on another fail run, each named with what the intent says', async () => {
    const lab = await generatedLab('e2e-intent', { spines: 2, leaves: 4, hosts: 2 });
    labs.add(lab.name);
    const spine2 = neighborOn(await readFile(join(lab.dir, 'leaf1', 'frr.conf'), 'utf8'), 'spine2');
    await editFrrConf(lab, 'leaf1', (c) => c.replace(new RegExp(`^ neighbor ${spine2.replaceAll('.', '\\.')} bfd.*\\n`, 'gm'), ''));
    await editFrrConf(lab, 'leaf2', (c) => c.replace('  receive-interval 300', '  receive-interval 1000').replace('  transmit-interval 300', '  transmit-interval 1000'));
    const doc = parse(await readFile(lab.file, 'utf8')) as { topology: { nodes: Record<string, { sysctls?: Record<string, number> }> } };
    doc.topology.nodes.leaf3!.sysctls = { 'net.ipv4.fib_multipath_hash_policy': 0 };
    await writeFile(lab.file, stringify(doc));

    const dir = await reportDir();
    // A missing BFD session is waited for until the deadline: a short one keeps the test short.
    const result = await netproof(['run', lab.file, '--suite', 'intent', '--report-dir', dir, '--convergence-timeout', '10']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    const summary = await json<Summary>(join(dir, 'summary.json'));
    const failed = (name: string) => summary.tests.find((t) => t.name.includes(name))!;
    const bfd = failed('BFD').errors.join('\n');
    expect(failed('BFD').status).toBe('failed');
    expect(bfd).toContain(`leaf1 → spine2 (${spine2}) over eth2: no BFD session; the intent requires BFD 3 × 300/300 ms`);
    expect(bfd).toMatch(/spine2 → leaf1 \(\S+\) over eth1: BFD down \(leaf1 runs no BFD session towards spine2\)/);
    expect(bfd).toMatch(/leaf2 → spine1 \(\S+\) over eth1: BFD runs 3 × 1000\/1000 ms, the intent declares 3 × 300\/300 ms/);
    // The spines agree to leaf2's pace, but what they are configured with is right: not named.
    expect(bfd).not.toMatch(/spine\d → leaf2 .*BFD runs/);
    const hash = failed('hashes').errors.join('\n');
    expect(hash).toContain('leaf3: net.ipv4.fib_multipath_hash_policy=0 (l3: every flow between two addresses takes one path); the intent declares l4 (=1)');
    expect(hash).not.toMatch(/^(leaf[124]|spine\d):/m);
    expect(failed('ASN').status).toBe('passed');
    expect(failed('MTU').status).toBe('passed');
    expect(await leftovers(lab.name)).toEqual([]);
  });
});

describe('netproof intent', () => {
  test('infers from a healthy generated lab the very intent the generator declared', async () => {
    const lab = await generatedLab('e2e-learn', { spines: 2, leaves: 2, hosts: 2 });
    labs.add(lab.name);
    expect((await netproof(['deploy', lab.file])).exitCode).toBe(0);
    const inferred = await netproof(['intent', lab.name]);
    expect(inferred.exitCode, inferred.stderr).toBe(0);
    const declared = await readFile(join(lab.dir, `${lab.name}.intent.yml`), 'utf8');
    expect(parse(inferred.stdout)).toEqual(parse(declared));
    // A file the loader accepts, beside the topology: a lab with it validates.
    await writeFile(join(lab.dir, `${lab.name}.intent.yml`), inferred.stdout);
    expect((await netproof(['validate', lab.file])).exitCode).toBe(0);
    await netproof(['destroy', lab.name]);
    expect(await leftovers(lab.name)).toEqual([]);
  });
});

describe('netproof change and run --baseline', () => {
  test('a dropped postgres rule fails naming the cell, passes once accepted; an unchanged lab shows no regression but fails an accepted change that did not happen; a lost TEP names its /32', async () => {
    const current = await generatedLab('e2e-change', { spines: 1, leaves: 2, hosts: 2, vmsPerHost: 1 });
    labs.add(current.name);
    const suites = ['--suite', 'bgp-convergence', '--suite', 'intent', '--suite', 'acl'];

    // The proposal drops the database group's postgres rule: the ACL suite still passes (the
    // proposed lab does what its own intent says); only the comparison shows what was lost.
    const noPostgres = await proposalOf(current);
    const overlayFile = join(noPostgres.dir, `${current.name}.overlay.yml`);
    const overlay = await readFile(overlayFile, 'utf8');
    const dropped = overlay.replace(/ {4}- direction: ingress\n {6}protocol: tcp\n {6}ports: 5432\n {6}remote-group: web\n/, '');
    expect(dropped).not.toBe(overlay);
    await writeFile(overlayFile, dropped);

    const dir = await reportDir();
    const change = await netproof(['change', current.file, noPostgres.file, '--report-dir', dir, ...suites]);
    expect(change.exitCode, change.stdout + change.stderr).toBe(1);
    const diff = await json<DiffReport>(join(dir, 'diff.json'));
    const regressions = diff.differences.filter((d) => d.verdict === 'regression' && !d.intended);
    expect(regressions.map((d) => d.message)).toEqual(['vm1 → vm2 tcp/5432: allow → deny']);
    expect(regressions[0]).toMatchObject({ kind: 'acl', subject: 'vm1 → vm2 tcp/5432', before: 'allow', after: 'deny' });
    expect(diff.afterPassed).toBe(true);
    expect(change.stdout).toContain('vm1 → vm2 tcp/5432: allow → deny');
    expect(await readFile(join(dir, 'diff.md'), 'utf8')).toContain('| acl | vm1 → vm2 tcp/5432: allow → deny | allow | deny |');
    // Attached to the proposed run's Allure results, as one result with both files.
    const results = (await import('node:fs/promises')).readdir(join(dir, 'proposed', 'allure-results'));
    const diffResult = await Promise.all((await results).filter((f) => f.endsWith('-result.json')).map((f) => json<{ name: string; status: string; attachments: { name: string }[] }>(join(dir, 'proposed', 'allure-results', f))));
    expect(diffResult.find((r) => r.name.startsWith('pre-change diff'))).toMatchObject({ status: 'failed', attachments: [{ name: 'diff.json' }, { name: 'diff.md' }] });

    // The same change, declared as intended (the diff.json given back): exit 0. `change` is the
    // current lab's run, then this run against its state.json: the proposal alone is run again.
    const baseline = join(dir, 'current', 'state.json');
    const acceptedDir = await reportDir();
    const accepted = await netproof(['run', noPostgres.file, '--baseline', baseline, '--report-dir', acceptedDir, '--accept', join(dir, 'diff.json'), ...suites]);
    expect(accepted.exitCode, accepted.stdout + accepted.stderr).toBe(0);
    const acceptedDiff = await json<DiffReport>(join(acceptedDir, 'diff.json'));
    expect(acceptedDiff.counts).toMatchObject({ regressions: 0, intended: 1 });
    // An intended change that does not happen fails: the lab as it is, with the same --accept.
    const unmetDir = await reportDir();
    const unmet = await netproof(['run', current.file, '--baseline', baseline, '--report-dir', unmetDir, '--accept', join(dir, 'diff.json'), ...suites]);
    expect(unmet.exitCode).toBe(1);
    expect(unmet.stdout).toContain('expected vm1 → vm2 tcp/5432 allow → deny, but it stayed allow');
    expect((await json<DiffReport>(join(unmetDir, 'diff.json'))).differences.filter((d) => d.verdict === 'regression')).toEqual([]);

    // state.json names peers and next hops by node, with nothing that changes run to run.
    const state = await json<Snapshot>(baseline);
    expect(state.routers.leaf1!.sessions.spine1).toEqual({ peer: 'spine1', state: 'Established', prefixes: expect.any(Number) });
    expect(JSON.stringify(state)).not.toMatch(/uptime|Uptime|ifindex|timestamp/);

    // A proposal where host2 stops advertising its TEP: the diff names the /32 that was lost.
    const noTep = await proposalOf(current);
    const tep = (parse(await readFile(join(current.dir, `${current.name}.intent.yml`), 'utf8')) as { routers: Record<string, { loopbacks: string[] }> }).routers.host2!.loopbacks[0]!;
    await editFrrConf(noTep, 'host2', (c) => c.replace(`  network ${tep}\n`, ''));
    const tepDir = await reportDir();
    // The suite waits to its deadline for a route that never comes: a short one (this lab converges in seconds).
    const lost = await netproof(['run', noTep.file, '--baseline', baseline, '--report-dir', tepDir, '--suite', 'bgp-convergence', '--convergence-timeout', '10']);
    expect(lost.exitCode).toBe(1);
    const tepDiff = await json<DiffReport>(join(tepDir, 'diff.json'));
    expect(tepDiff.differences.filter((d) => d.verdict === 'regression').map((d) => d.message)).toContainEqual(expect.stringMatching(new RegExp(`^leaf1: ${tep.replaceAll('.', '\\.')} lost \\(was 1 next hop via host2\\)$`)));
    expect(lost.stdout).toContain(`leaf1: ${tep} lost`);

    expect(await leftovers(current.name)).toEqual([]);
  }, 600_000);
});
