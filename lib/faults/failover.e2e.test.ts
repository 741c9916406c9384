// The fault API on a real lab (each fault visible while held, gone when restored), and the
// ECMP and BFD suites failing, for the right reason, on seeded faults: L3-only multipath
// hashing on the leaves, and fabric sessions without BFD under a grey failure.
import { readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { netproof } from '../../fixtures/cli.ts';
import { editFrrConf, generatedLab } from '../../fixtures/faults.ts';
import { labFor, RUNTIMES, type RuntimeName } from '../../fixtures/runtimes.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import { runtimeByName } from '../runtime/index.ts';
import type { Summary } from '../report/summary-reporter.ts';
import { greyFailure, isolate, linkDown, packetLoss, setLinkMtu, stopDaemon } from './faults.ts';
import { ping } from '../probes/traffic.ts';
import { waitFor } from '../wait-for.ts';

const labs: string[] = [];
afterAll(async () => {
  for (const lab of labs) await netproof(['destroy', lab]);
});

async function run(file: string, suite: string, runtime: RuntimeName, extra: string[] = []) {
  const reportDir = await mkdtemp(join(tmpdir(), 'netproof-report-'));
  const result = await netproof(['run', file, '--runtime', runtime, '--suite', suite, '--report-dir', reportDir, ...extra]);
  const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as Summary;
  return { result, summary, errors: summary.tests.flatMap((t) => t.errors).join('\n') };
}

/** Two hosts on different leaf pairs: their traffic crosses the spines. */
const crossing = (name: string) => generatedLab(name, { spines: 2, leaves: 4, hosts: 2 });

describe.each(RUNTIMES)('faults on %s', (runtime) => {
  test('each fault is in effect while held and gone once restored', async () => {
    const gen = await generatedLab(labFor('e2e-faults', runtime), { spines: 1, leaves: 2, hosts: 0 });
    labs.push(gen.name);
    expect((await netproof(['deploy', gen.file, '--runtime', runtime])).exitCode).toBe(0);
    const lab: StartedLab = await runtimeByName(runtime).attach(gen.name);
    const leaf1 = lab.node('leaf1');
    const spine1 = lab.node('spine1');
    const peer = '10.1.0.0'; // spine1's address on spine1:eth1 <-> leaf1:eth1, the first /31
    const reachable = () => ping(leaf1, peer, { timeoutS: 1 });
    const operstate = async (node: typeof leaf1, iface: string) => (JSON.parse((await node.exec(['ip', '-j', 'link', 'show', 'dev', iface])).stdout) as { operstate: string }[])[0]!.operstate;
    await waitFor(async () => ((await reachable()) ? { ok: true, value: true } : { ok: false, reason: 'leaf1 cannot reach spine1 yet' }), { timeoutMs: 20_000, description: 'the link to come up' });

    {
      await using f = await linkDown(lab, 'leaf1:eth1');
      expect(await operstate(spine1, 'eth1'), f.description).not.toBe('UP'); // the peer lost carrier
      expect(await reachable()).toBe(false);
    }
    expect(await operstate(spine1, 'eth1')).toBe('UP');

    {
      await using f = await greyFailure(lab, 'leaf1:eth1');
      expect(await operstate(spine1, 'eth1'), f.description).toBe('UP'); // carrier stays up
      expect(await reachable()).toBe(false);
    }
    expect(await reachable()).toBe(true);

    {
      await using _ = await packetLoss(lab, 'leaf1:eth1', 50);
      const r = await leaf1.exec(['ping', '-n', '-q', '-c', '40', '-i', '0.01', '-W', '1', peer]);
      const received = Number(/(\d+) received/.exec(r.stdout)?.[1]);
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(40);
    }

    {
      await using _ = await setLinkMtu(lab, 'leaf1:eth1', 1280);
      for (const [n, i] of [[leaf1, 'eth1'], [spine1, 'eth1']] as const) expect((JSON.parse((await n.exec(['ip', '-j', 'link', 'show', 'dev', i])).stdout) as { mtu: number }[])[0]!.mtu).toBe(1280);
    }
    expect((JSON.parse((await leaf1.exec(['ip', '-j', 'link', 'show', 'dev', 'eth1'])).stdout) as { mtu: number }[])[0]!.mtu).toBe(9000);

    {
      await using _ = await stopDaemon(lab, 'leaf1', 'bgpd');
      expect((await leaf1.vtysh('show bgp summary json')).exitCode).not.toBe(0);
    }
    await waitFor(async () => ((await leaf1.vtysh('show bgp summary json')).exitCode === 0 ? { ok: true, value: true } : { ok: false, reason: 'bgpd not back' }), { timeoutMs: 10_000, description: 'bgpd to answer again' });

    {
      await using _ = await isolate(lab, 'leaf1');
      expect(await reachable()).toBe(false);
    }
    expect(await reachable()).toBe(true);
    await lab.destroy();
  });
});

// Seeded faults test the suites' logic, which reads the lab through the runtime-neutral
// NodeHandle: on network namespaces only. The healthy runs above cover both runtimes.
describe('ECMP and BFD suites on seeded faults (netns)', () => {
  const runtime = 'netns' as const;

  test('one leaf left at L3-only multipath hashing fails the ECMP suite, naming that leaf and the setting, and no other router', async () => {
    const lab = await crossing(labFor('e2e-hash', runtime));
    labs.push(lab.name);
    const doc = parse(await readFile(lab.file, 'utf8')) as { topology: { nodes: Record<string, { sysctls?: Record<string, number> }> } };
    doc.topology.nodes.leaf3!.sysctls = { 'net.ipv4.fib_multipath_hash_policy': 0 };
    await writeFile(lab.file, stringify(doc));
    const { result, errors, summary } = await run(lab.file, 'ecmp-spread', runtime);
    expect(result.exitCode).toBe(1);
    expect(summary.tests.find((t) => t.name.includes('RIB'))?.status).toBe('passed'); // the control plane is fine
    expect(errors).toMatch(/^leaf3 → \S+ \(\S+\): 512 flows used 1 of its 2 equal-cost paths: .*; leaf3 has net\.ipv4\.fib_multipath_hash_policy=0 \(L3 only\)$/m);
    // Every other router that hashes was measured too, and is not blamed.
    expect(errors).not.toMatch(/^(leaf[124]|spine\d|host\d) → /m);
    for (const router of ['leaf1', 'leaf2', 'leaf4', 'spine1', 'spine2', 'host1', 'host2']) expect(summary.figures[`ecmp_paths_used.${router}`]?.value, router).toBe(2);
  });

  test('one router without BFD fails the failover precondition naming its sessions; the fault tests say which precondition failed instead of failing on their own', async () => {
    const lab = await crossing(labFor('e2e-onebfd', runtime));
    labs.push(lab.name);
    await editFrrConf(lab, 'leaf3', (c) => c.replace(/^ neighbor \S+ bfd.*\n/gm, ''));
    // The precondition waits to its deadline for sessions that never come: a short one (the rest of the lab is up in seconds).
    const { result, summary, errors } = await run(lab.file, 'bfd-failover', runtime, ['--convergence-timeout', '10']);
    expect(result.exitCode).toBe(1);
    const before = summary.tests.find((t) => t.name.includes('before any fault'))!;
    expect(before.status).toBe('failed');
    expect(before.errors.join('\n')).toMatch(/^leaf3 → spine1 \(10\.1\.0\.\d+\) over eth1: no BFD session; the intent requires BFD/m);
    expect(before.errors.join('\n')).toMatch(/^spine1 → leaf3 \(10\.1\.0\.\d+\) over eth\d: BFD down \(leaf3 runs no BFD session towards spine1\)/m);
    for (const t of summary.tests.filter((x) => x.name.includes('on one link of every tier pair'))) {
      expect(t.status, t.name).toBe('failed');
      expect(t.errors.join('\n'), t.name).toMatch(/^precondition failed: every fabric session runs BFD, up, with the declared timers$/m);
      expect(t.errors.join('\n'), t.name).not.toMatch(/stream/);
    }
    // Every session named is one of leaf3's: the spines' and host2's are down because leaf3 runs none.
    const sessions = errors.split('\n').filter((l) => / → \S+ \(10\.1\.0\.\d+\) over eth\d: /.test(l));
    expect(sessions.length).toBeGreaterThan(0);
    for (const l of sessions) expect(l).toMatch(/^leaf3 → |→ leaf3 /);
  });

  test('without BFD (none declared, a loss budget declared instead), a grey failure loses traffic until the BGP hold time in both directions; carrier loss at either end still passes', async () => {
    const lab = await crossing(labFor('e2e-nobfd', runtime));
    labs.push(lab.name);
    for (const node of ['spine1', 'spine2', 'leaf1', 'leaf2', 'leaf3', 'leaf4', 'host1', 'host2']) {
      await editFrrConf(lab, node, (c) => c.replace(/^ neighbor \S+ bfd.*\n/gm, ''));
    }
    const intentFile = lab.file.replace(/\.clab\.yml$/, '.intent.yml');
    const intent = parse(await readFile(intentFile, 'utf8')) as Record<string, unknown>;
    delete intent.bfd;
    intent.failover = { grey: { 'loss-budget-ms': 1500 }, carrier: { 'loss-budget-ms': 1500 }, 'far-end': { 'loss-budget-ms': 1500 } };
    await writeFile(intentFile, stringify(intent));
    const { result, summary, errors } = await run(lab.file, 'bfd-failover', runtime);
    expect(result.exitCode).toBe(1);
    expect(summary.tests.find((t) => t.name.includes('before any fault'))?.status).toBe('skipped'); // BFD is not declared
    const grey = summary.tests.find((t) => t.name.includes('grey failure'))!;
    expect(grey.status).toBe('failed');
    // Every stream across the link, both ways and from the router that learns late, lost traffic for the whole watch.
    for (const role of ['forward', 'reverse', 'remote']) {
      expect(errors).toMatch(new RegExp(`^grey failure of \\S+ – \\S+: ${role} stream .*: lost at least \\d+ ms of traffic \\(not recovered when the stream ended\\), budget 1500 ms \\(failover\\.grey\\.loss-budget-ms in .*\\); \\S+ runs no BFD session with`, 'm'));
    }
    // Its own interface down, the router acts at once, BFD or not. The far end down, this side
    // loses carrier: the kernel would keep forwarding over the `linkdown` next hop, but bgpd
    // drops a directly connected eBGP session whose interface went down (fast-external-failover,
    // FRR's default), so that passes without BFD too. Only the grey failure needs BFD.
    expect(summary.tests.find((t) => t.name.includes('carrier loss'))?.status).toBe('passed');
    expect(summary.tests.find((t) => t.name.includes('far end down'))?.status).toBe('passed');
  });

  test('FRR 8.4 kernel nexthop groups lose a next hop after a carrier flap: the failover suite catches it', async () => {
    const lab = await crossing(labFor('e2e-nhg', runtime));
    labs.push(lab.name);
    for (const node of ['spine1', 'spine2', 'leaf1', 'leaf2', 'leaf3', 'leaf4', 'host1', 'host2']) {
      await editFrrConf(lab, node, (c) => c.replace('no zebra nexthop kernel enable\n', ''));
    }
    // The bug shows on carrier loss: the other classes would only add minutes.
    const { result, summary, errors } = await run(lab.file, 'bfd-failover', runtime, ['--grep', 'carrier loss']);
    expect(result.exitCode).toBe(1);
    expect(summary.tests.find((t) => t.name.includes('carrier loss'))?.status).toBe('failed');
    // zebra believes both next hops are installed; the kernel kept one.
    expect(errors).toMatch(/restored after a carrier failure, but not re-converged within 30 s: .*\S+'s kernel route to \S+ has next hops \S+; expected 2, \S+ among them; zebra shows 2 installed/);
  });
});
