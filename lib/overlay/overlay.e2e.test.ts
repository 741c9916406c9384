// The overlay suites end to end on real OVS/OVN over GENEVE: they pass on the default lab,
// and fail, naming the culprit, on a spine–leaf link whose MTU is lowered on the running lab, on
// a VM MTU with no room for the tunnel, on security groups whose ACLs were inverted, lost or
// made stateless, and on a host whose TEP nobody advertises.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, onTestFinished, test } from 'vitest';
import { netproof } from '../../fixtures/cli.ts';
import { editFrrConf, generatedLab } from '../../fixtures/faults.ts';
import { labFor, leftovers } from '../../fixtures/runtimes.ts';
import { statementsNotRunning } from '../expect/running-config.ts';
import { greyFailure, setLinkMtu } from '../faults/faults.ts';
import type { Summary } from '../report/summary-reporter.ts';
import { runtimeByName } from '../runtime/index.ts';
import { nodeDir } from '../runtime/state.ts';
import { loadTopology } from '../topology/load.ts';

const labs: string[] = [];
afterAll(async () => {
  for (const lab of labs) await netproof(['destroy', lab]);
});

async function report(args: string[], o: { timeoutMs?: number } = {}) {
  const reportDir = await mkdtemp(join(tmpdir(), 'netproof-report-'));
  const result = await netproof([...args, '--report-dir', reportDir], o);
  const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as Summary;
  const failed = (name: RegExp) => summary.tests.filter((t) => name.test(t.name) && t.status === 'failed');
  return { result, summary, reportDir, errors: summary.tests.flatMap((t) => t.errors).join('\n'), failed };
}

/** Two hosts on one leaf pair, one VM each: vm1 on switch web (host1), vm2 on switch db (host2). */
const small = (name: string, extra: Record<string, number> = {}) => generatedLab(name, { spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1, ...extra });

// The default lab on network namespaces, every suite: the overlay suites' logic reads the lab
// through the runtime-neutral NodeHandle. On Docker they run on a smaller lab in daemons.e2e
// (every overlay suite), the failover ones in run.e2e: the default lab's 15 containers took
// about 170 s of CI on Docker for the same assertions.
describe('overlay suites on netns', () => {
  const runtime = 'netns';
  test('the default lab passes every suite, reports the overlay figures, runs every statement of every router’s frr.conf, and fails geneve-mtu naming a spine–leaf link lowered on the running lab, then passes once it is restored', async () => {
    // Torn down as it ends, passed or not, so a failure here is not also the next test's.
    onTestFinished(async () => {
      await netproof(['destroy', 'dc']);
    });
    const { result, summary, reportDir } = await report(['run', 'topologies/dc/dc.clab.yml', '--runtime', runtime, '--keep'], { timeoutMs: 600_000 });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(summary.status).toBe('passed');
    expect(summary.frrConfigProblems).toEqual([]);
    // Convergence measured; every session checked: 2 spines × 4 leaves, 4 hosts and the central on two leaves each, both ends.
    expect(summary.figures.bgp_convergence_s?.unit).toBe('s');
    expect(summary.figures.bgp_convergence_s?.value).toBeGreaterThan(0);
    expect(summary.figures.bgp_convergence_s?.value).toBeLessThan(60);
    expect(summary.figures.bgp_sessions?.value).toBe(36);
    // Every report, each test once: junit.xml with its skips and no failure, an Allure result per test.
    const junit = await readFile(join(reportDir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(summary.tests.length);
    expect(junit.match(/<skipped/g)).toHaveLength(summary.counts.skipped);
    expect(junit).not.toContain('<failure');
    expect((await readdir(join(reportDir, 'allure-results'))).filter((f) => f.endsWith('-result.json')).length).toBeGreaterThanOrEqual(summary.counts.passed);
    // Nothing was dropped on the way in, whatever FRR said: each router's running-config holds its file.
    const topology = await loadTopology('topologies/dc/dc.clab.yml');
    const routers = topology.nodes.filter((n) => n.frr?.config);
    expect(routers.length).toBe(11);
    for (const n of routers) {
      const running = await netproof(['exec', 'dc', n.name, '--', 'vtysh', '-c', 'show running-config']);
      expect(running.exitCode, running.stderr).toBe(0);
      expect(statementsNotRunning(await readFile(n.frr!.config!, 'utf8'), running.stdout), `${n.name}: statements of ${n.frr!.config} not in its running-config`).toEqual([]);
    }
    // Between two leaf pairs, each path crosses the spines on one of several equal-cost links;
    // both figures are each pair's smallest over them all, the branches no flow takes included.
    expect(Object.keys(summary.figures).filter((k) => k.startsWith('largest_inner_packet_bytes.host1-host2.')).length).toBeGreaterThanOrEqual(2);
    for (const [k, f] of Object.entries(summary.figures)) if (k.startsWith('largest_inner_packet_bytes.')) expect(f.value, k).toBe(1442);

    // The same lab, running: spine2–leaf3 is one of the two ways down from either spine to host2
    // and host4 (by leaf3 or leaf4), and one of two ways up from leaf3. With its MTU lowered to
    // 1400 (both ends, as `netproof fault dc mtu spine2:eth3 --mtu 1400` does) every path or branch
    // that crosses it falls short of the VM MTU 1442 + 58, and only that link is named.
    const running = await runtimeByName(runtime).attach('dc');
    // Each fault below is undone as its block ends (`await using`), before the next one.
    {
      // spine2:eth3 at MTU 1400 until the end of this block.
      await using _lowered = await setLinkMtu(running, 'spine2:eth3', 1400);
      const lowered = await report(['test', 'dc', '--suite', 'geneve-mtu']);
      expect(lowered.result.exitCode, lowered.errors).toBe(1);
      const perPath = lowered.summary.tests.find((t) => /on every equal-cost underlay path/.test(t.name));
      expect(perPath?.status, lowered.errors).toBe('failed');
      const culprits = perPath!.errors.join('\n').split('\n').filter((l) => / via .*: (largest DF packet|not even)/.test(l));
      expect(culprits.length, lowered.errors).toBeGreaterThan(0);
      for (const c of culprits) expect(c).toMatch(/: largest DF packet 1400 B \(inner 1342 B\) < VM MTU 1442 \(vm\d\) \+ 58 B GENEVE overhead; spine2:eth3 <-> leaf3:eth2 runs MTU 1400$/);
      // host1's traffic to host2 meets it on the way down: on a path its flows take, or a branch none takes (routers that hash alike).
      expect(culprits.some((c) => /^(host1 → host2 via .*spine2:eth3 → leaf3:eth3:|spine2 → host2 via spine2:eth3 → leaf3:eth3 \(an equal-cost branch of [^)]*host1 → host2)/.test(c)), culprits.join('\n')).toBe(true);
      // No other link or device is blamed, by any test of the suite.
      expect([...new Set([...lowered.errors.matchAll(/(\S+ <-> \S+|\S+ \(the device [^)]*\)) runs MTU \d+/g)].map((m) => m[0]))]).toEqual(['spine2:eth3 <-> leaf3:eth2 runs MTU 1400']);
      expect(lowered.errors).not.toMatch(/something else drops|drops even small packets|cannot be probed|no path to|has no route|leaves by/);
      // The declared MTUs still fit (that check reads the topology); a bulk transfer that hashes onto the link may stall, and says so without naming links.
      expect(lowered.failed(/overhead is measured|fits the smallest underlay MTU/)).toEqual([]);
      expect(lowered.summary.figures['largest_inner_packet_bytes.host1-host2']?.value).toBe(1342);
      expect(lowered.summary.figures['largest_inner_packet_bytes.host1-host3']?.value).toBe(1442); // one leaf pair: no spine on the way
    }
    // Tunnel BFD slowed to 1000 ms on the running lab (OVN's NB_Global): gateway-failover fails on
    // its precondition, naming both tunnels between the gateway chassis and the declared timers,
    // and fails no chassis. (BFD cannot be switched off from outside: ovn-controller turns it back on.)
    const nb = (...args: string[]) => netproof(['exec', 'dc', 'central', '--', 'ovn-nbctl', '--db=tcp:127.0.0.1:6641', ...args]);
    expect((await nb('--wait=hv', 'set', 'NB_Global', '.', 'options:bfd-min-rx=1000', 'options:bfd-min-tx=1000')).exitCode).toBe(0);
    try {
      const slowed = await report(['test', 'dc', '--suite', 'gateway-failover', '--convergence-timeout', '5']);
      expect(slowed.result.exitCode, slowed.errors).toBe(1);
      expect(slowed.errors).toContain('host2 → host1 (ovn-host1-0): BFD min_rx 1000, min_tx 1000, mult 3; tunnel-bfd declares 3 × 300 ms');
      expect(slowed.errors).toContain('host1 → host2 (ovn-host2-0): BFD min_rx 1000, min_tx 1000, mult 3; tunnel-bfd declares 3 × 300 ms');
      for (const t of slowed.summary.tests.filter((x) => /the active gateway chassis fails/.test(x.name))) expect(t.errors.join('\n')).toMatch(/^precondition failed: the gateway chassis are not as declared/);
      expect(Object.keys(slowed.summary.figures).filter((k) => k.startsWith('gateway_claim_ms.'))).toEqual([]);
    } finally {
      await nb('--wait=hv', 'set', 'NB_Global', '.', 'options:bfd-min-rx=300', 'options:bfd-min-tx=300');
    }
    // The standby's upstream port broken (frames dropped as they arrive on either end of ext's
    // link to host2, carrier up): host2 still takes the gateway within its budget, but neither
    // north–south stream comes back through it, and each is named over its budget, in both classes.
    {
      // ext:eth2 grey-failed until the end of this block.
      await using _upstream = await greyFailure(running, 'ext:eth2');
      const broken = await report(['test', 'dc', '--suite', 'gateway-failover']);
      expect(broken.result.exitCode, broken.errors).toBe(1);
      for (const cls of ['grey', 'daemons']) {
        const where = `${cls} failure of host1 \\(gateway lrp-tenant-public\\)`;
        expect(broken.errors).toMatch(new RegExp(`${where}: inbound stream ext → 172\\.24\\.4\\.\\d+ \\(vm\\d's floating IP\\) lost \\d+ ms of traffic, over the budget of 2400 ms`));
        expect(broken.errors).toMatch(new RegExp(`${where}: outbound stream vm\\d → ext 172\\.24\\.4\\.1 lost \\d+ ms of traffic, over the budget of 2400 ms`));
      }
      expect(broken.errors).not.toMatch(/never claimed|claimed \S+ after|precondition failed/);
    }
    const restored = await report(['test', 'dc', '--suite', 'geneve-mtu']);
    expect(restored.result.exitCode, restored.errors).toBe(0);
    expect(restored.summary.figures['largest_inner_packet_bytes.host1-host2']?.value).toBe(1442);

    expect((await netproof(['destroy', 'dc'])).exitCode).toBe(0);
    expect(summary.counts.failed).toBe(0);
    // Only the IGP suite and weighted ECMP do not apply to this BGP lab, and say why.
    expect(summary.tests.filter((t) => t.status === 'skipped').map((t) => `${t.file}: ${t.skipReason}`)).toEqual([
      'suites/ecmp-spread.test.ts: not declared: no router declares link-bandwidth for all the next hops of a route (routers.NAME.link-bandwidth in the intent)',
      'suites/igp.test.ts: no router in this lab runs ospfd',
      'suites/igp.test.ts: no router in this lab runs ospfd',
      'suites/igp.test.ts: no router in this lab runs isisd',
      'suites/igp.test.ts: no router in this lab runs isisd',
      'suites/igp.test.ts: not declared: no host has an address and a route (exec lines) covering another host',
    ]);
    // OVN's GENEVE over IPv4, measured on the wire: 20 IP + 8 UDP + 8 Geneve + 8 OVN option + 14 inner Ethernet.
    expect(summary.figures.geneve_overhead_bytes?.value).toBe(58);
    expect(summary.figures['largest_inner_packet_bytes.host1-host2']?.value).toBe(1442);
    expect(summary.figures['largest_inner_packet_bytes.host2-host1']?.value).toBe(1442);
    expect(summary.figures.acl_cells_probed?.value).toBeGreaterThan(0);
    expect(summary.figures.acl_cells_passed?.value).toBe(summary.figures.acl_cells_probed?.value);
    expect(summary.figures.overlay_first_reply_s?.unit).toBe('s');
    expect(await leftovers('dc')).toEqual([]);
  }, 900_000); // the whole default lab, every suite, each router's running-config, then geneve-mtu twice: minutes on Docker

});

// Seeded faults test the suites' logic, which reads the lab through the runtime-neutral
// NodeHandle: on network namespaces only (daemons.e2e runs the overlay suites on Docker).
describe('overlay suites on seeded faults (netns)', () => {
  const runtime = 'netns' as const;

  test('a VM MTU with no room for the GENEVE overhead fails the MTU suite naming the VM and the numbers', async () => {
    const lab = await small(labFor('e2e-mtu', runtime), { vmMtu: 1500 });
    labs.push(lab.name);
    const { result, failed, errors } = await report(['run', lab.file, '--runtime', runtime, '--suite', 'geneve-mtu']);
    expect(result.exitCode).toBe(1);
    expect(failed(/black hole|fits the smallest underlay MTU|bulk TCP/).length).toBe(3);
    expect(errors).toMatch(/vm1 MTU 1500 but only 1442 fits: 58-byte GENEVE overhead over 1500-byte underlay on \S+:eth\d <-> \S+:eth\d \(path host1 → host2\)/);
    // From the TEPs: the 1500-byte host links carry 1500-byte packets, 1442 inside the tunnel, short of the VMs' 1500.
    expect(errors).toMatch(/host\d → host\d via host\d:eth\d → leaf\d:eth\d: largest DF packet 1500 B \(inner 1442 B\) < VM MTU 1500 \(vm\d\) \+ 58 B GENEVE overhead; .*runs MTU 1500/);
    expect(errors).toMatch(/vm\d \(MTU 1500\) → vm\d tcp\/\d+: \d+ of 2097152 bytes arrived/);
  });

  test('the ACL suite passes on healthy security groups, and fails naming the cell and the ACL on inverted priorities, a missing ACL and a rule made allow-stateless', async () => {
    const lab = await small(labFor('e2e-acl', runtime));
    labs.push(lab.name);
    expect((await netproof(['deploy', lab.file, '--runtime', runtime])).exitCode).toBe(0);
    const nbctl = (...args: string[]) => netproof(['exec', lab.name, 'central', '--', 'ovn-nbctl', '--db=tcp:127.0.0.1:6641', ...args]);
    const acls = JSON.parse((await nbctl('--format=json', '--columns=_uuid,priority,match', 'list', 'ACL')).stdout) as { data: [[string, string], number, string][] };
    const uuidOf = (match: string) => acls.data.find(([, , m]) => m === match)![0][1];
    const stateful = (r: Awaited<ReturnType<typeof report>>) => r.summary.tests.find((t) => /stateful/.test(t.name));
    // Each stage starts from an empty conntrack table on both chassis. Debian's OVS 3.1 userspace
    // conntrack asserts (conntrack.c:1063, conn_update_state) and ovs-vswitchd dies when the probes
    // of the missing-ACL stage meet entries left by the inverted-priority stage; the run then
    // names the dead daemon with that line (summary.json daemonsNotRunning). Not what this test is about.
    const flushConntrack = async () => {
      for (const host of ['host1', 'host2']) expect((await netproof(['exec', lab.name, host, '--', 'ovs-appctl', '-t', join(nodeDir(lab.name, host), 'ovs-vswitchd.ctl'), 'dpctl/flush-conntrack'])).exitCode).toBe(0);
    };

    // Healthy: every cell, and each flow allowed one way (vm1 → vm2 tcp/5432, vm2 → vm1 tcp/22 and tcp/80)
    // connects, its reverse is refused, and out-of-state ACKs from its port do not reach the client.
    const healthy = await report(['test', lab.name, '--suite', 'acl']);
    expect(healthy.result.exitCode, healthy.errors).toBe(0);
    expect(stateful(healthy)?.status).toBe('passed');

    // An operator "fixes" the default drop to outrank the allows: every new flow into a VM dies.
    await nbctl('set', 'ACL', uuidOf('outport == @np_drop && ip'), 'priority=1003');
    await nbctl('--wait=hv', 'sync');
    await flushConntrack();
    const inverted = await report(['test', lab.name, '--suite', 'acl']);
    expect(inverted.result.exitCode).toBe(1);
    expect(inverted.errors).toContain('vm1 → vm2 icmp: expected allow (egress web#6 and ingress db#1), observed deny');
    expect(inverted.errors).not.toMatch(/expected deny .* observed allow/);
    expect(inverted.errors).toContain("ACL on np_drop to-lport 'outport == @np_drop && ip': priority 1003, declared 1001");

    // Back to the right priority, but the postgres rule is lost.
    const postgres = 'outport == @pg_db && ip4 && tcp && tcp.dst == 5432 && ip4.src == $pg_web_ip4';
    await nbctl('set', 'ACL', uuidOf('outport == @np_drop && ip'), 'priority=1001');
    await nbctl('acl-del', 'pg_db', 'to-lport', '1002', postgres);
    await nbctl('--wait=hv', 'sync');
    await flushConntrack();
    const missing = await report(['test', lab.name, '--suite', 'acl']);
    expect(missing.result.exitCode).toBe(1);
    expect(missing.errors).toContain('vm1 → vm2 tcp/5432: expected allow (egress web#6 and ingress db#2), observed deny');
    expect(missing.errors).toContain(`ACL on pg_db to-lport '${postgres}': declared (allow-related at priority 1002) but missing from the northbound DB`);
    expect(missing.errors).not.toContain('icmp');

    // The postgres rule is back, and someone makes web's http rule stateless on the running lab:
    // vm2 → vm1:80's SYN reaches vm1 untracked, so conntrack drops vm1's SYN-ACK as invalid.
    const http = 'outport == @pg_web && ip4 && tcp && tcp.dst == 80';
    await nbctl('--type=port-group', 'acl-add', 'pg_db', 'to-lport', '1002', postgres, 'allow-related');
    await nbctl('set', 'ACL', uuidOf(http), 'action=allow-stateless');
    await nbctl('--wait=hv', 'sync');
    await flushConntrack();
    const stateless = await report(['test', lab.name, '--suite', 'acl']);
    expect(stateless.result.exitCode).toBe(1);
    expect(stateful(stateless)?.status).toBe('failed');
    expect(stateful(stateless)?.errors.join('\n')).toMatch(/^vm2 → vm1 tcp\/80 \(egress db#4 and ingress web#2\): /m);
    expect(stateless.errors).toContain(`ACL on pg_web to-lport '${http}': action allow-stateless, declared allow-related`);
    // Only that ACL is named, and only flows it decides are blamed.
    expect(stateless.errors).not.toMatch(/missing from the northbound DB|which no security group declares|priority \d+, declared/);
    expect(stateless.errors).not.toMatch(/tcp\/5432|tcp\/22\b/);

    expect((await netproof(['destroy', lab.name])).exitCode).toBe(0);
  });

  test('a host whose TEP is not advertised fails reachability naming the host', async () => {
    const lab = await small(labFor('e2e-tep', runtime));
    labs.push(lab.name);
    await editFrrConf(lab, 'host2', (conf) => conf.replace('  network 10.255.2.2/32\n', ''));
    const { result, errors } = await report(['run', lab.file, '--runtime', runtime, '--suite', 'overlay-reachability', '--convergence-timeout', '10']);
    expect(result.exitCode).toBe(1);
    expect(errors).toContain("host2's TEP 10.255.2.2/32 is not in host1's FIB: is host2 advertising it over BGP?");
    expect(errors).not.toContain("host1's TEP");
  });
});
