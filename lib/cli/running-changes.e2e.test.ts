// Changes made on a running lab, not written into its files, as an operator would make them:
// an edit to OVN's northbound DB, an OVS setting on a chassis, a route added by hand on a leaf,
// a link impaired with `netproof fault`, a floating IP bound to another VM, a subnet's SNAT
// removed, both gateway chassis at one priority, gateway_mtu removed, a load-balancer backend on a
// dead port, the health check removed. Each makes `netproof test --suite <the suite that owns
// it>` exit 1 naming the node or object changed (and no other), and once undone the same suite
// passes again, so the next change starts from a healthy lab. Also caught, in their own files:
// an NB ACL made stateless (lib/overlay/overlay.e2e.test.ts) and OVS/OVN daemons stopped
// (lib/faults/daemons.e2e.test.ts).
//
// One deploy of a small overlay lab, on network namespaces only: the suites read the lab
// through the runtime-neutral NodeHandle, and the healthy runs of the other files cover Docker.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { netproof, spawnNetproof, interruptHeldFaults, netproofTest } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { labFor } from '../../fixtures/runtimes.ts';
import { defaultVmMac } from '../topology/load-overlay.ts';
import { nbctl, sbctl } from '../render/ovn.ts';
import { waitFor } from '../wait-for.ts';

const LAB = labFor('e2e-running', 'netns');
/** Broken runs need no network-sized deadline: the lab converged before each change. */
const SHORT = ['--convergence-timeout', '5'];

/** `netproof test LAB --suite NAME`, with its summary and every error it reported. */
const suite = (name: string, extra: string[] = []) => netproofTest(LAB, ['--suite', name, ...extra]);

async function expectPasses(name: string): Promise<void> {
  const { result, errors } = await suite(name);
  expect(result.exitCode, errors || result.stdout + result.stderr).toBe(0);
}

/** `netproof exec LAB NODE -- ARGV…`, which must succeed; its stdout. */
async function sh(node: string, argv: string[]): Promise<string> {
  const r = await netproof(['exec', LAB, node, '--', ...argv]);
  expect(r.exitCode, `${node}: ${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** The encap IPs OVN's southbound DB holds for `chassis`. */
async function encapIps(chassis: string): Promise<string[]> {
  const out = await sh('central', sbctl('--format=json', '--columns=chassis_name,ip', 'list', 'Encap'));
  return (JSON.parse(out) as { data: [string, string][] }).data.filter(([c]) => c === chassis).map(([, ip]) => ip);
}

async function waitForEncap(chassis: string, ip: string): Promise<void> {
  await waitFor(
    async () => {
      const ips = await encapIps(chassis);
      return ips.length === 1 && ips[0] === ip ? { ok: true, value: true } : { ok: false, reason: `${chassis}'s encap IPs in the southbound DB: ${ips.join(', ') || 'none'}` };
    },
    { timeoutMs: 30_000, intervalsMs: [250, 500], description: `${chassis}'s ovn-controller to register encap IP ${ip}` },
  );
}

/** Overlay diagnoses that would blame something other than the change under test. */
const OTHER_OVERLAY_CULPRITS = /is not running|is not in \S+'s FIB|is not registered as a chassis|has not applied OVN's latest state/;

describe('changes on a running lab are caught by netproof test (netns)', () => {
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // 2 spines, 2 leaves, 2 hosts on both leaves, two VMs each: vm1 (web) and vm2 (db) on host1,
    // vm3 (web) and vm4 (db) on host2; the load balancer web is in front of vm1 and vm3.
    const lab = await generatedLab(LAB, { spines: 2, leaves: 2, hosts: 2, vmsPerHost: 2 });
    const deploy = await netproof(['deploy', lab.file, '--runtime', 'netns']);
    expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    // A `netproof fault` a failed test left holding: Ctrl-C undoes its fault before the lab goes.
    await interruptHeldFaults(children);
    await netproof(['destroy', LAB]);
  }, 120_000);

  test('a VM port’s addresses changed in OVN’s northbound DB: overlay-reachability fails naming that logical switch port; set back, it passes', async () => {
    // Healthy first: this also waits out the deploy's convergence, so the short deadline below times only the change.
    await expectPasses('overlay-reachability');
    const declared = `${defaultVmMac('10.20.2.12')} 10.20.2.12`;
    expect((await sh('central', nbctl('lsp-get-addresses', 'vm2'))).trim()).toBe(declared);

    // Another MAC for vm2: the router now resolves 10.20.2.12 to a MAC vm2 does not have, so routed packets never reach it.
    await sh('central', nbctl('lsp-set-addresses', 'vm2', '02:00:00:00:99:99 10.20.2.12'));
    try {
      await sh('central', nbctl('--wait=hv', 'sync'));
      const broken = await suite('overlay-reachability', SHORT);
      expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
      expect(broken.errors).toContain(`logical switch port vm2 on switch db: addresses "02:00:00:00:99:99 10.20.2.12", declared "${declared}"`);
      expect(broken.errors).not.toContain('logical switch port vm1');
      expect(broken.errors).not.toMatch(/registered encap IP/);
      expect(broken.errors).not.toMatch(OTHER_OVERLAY_CULPRITS);
    } finally {
      await sh('central', nbctl('lsp-set-addresses', 'vm2', declared));
      await sh('central', nbctl('--wait=hv', 'sync'));
    }
    await expectPasses('overlay-reachability');
  }, 240_000);

  test('a chassis’ ovn-encap-ip set to another of its addresses (ovs-vsctl): overlay-reachability fails naming the chassis, its encap IP and its TEP; set back, it passes', async () => {
    const tep = '10.255.2.1';
    // ovs-vsctl quotes a string that starts with a digit.
    expect((await sh('host1', ['ovs-vsctl', 'get', 'Open_vSwitch', '.', 'external_ids:ovn-encap-ip'])).trim().replace(/^"(.*)"$/, '$1')).toBe(tep);
    // host1's address on its link to leaf1, on br-phy beside the TEP: nobody else routes to it.
    const addrs = JSON.parse(await sh('host1', ['ip', '-j', '-4', 'addr', 'show', 'dev', 'br-phy'])) as { addr_info: { local: string; prefixlen: number }[] }[];
    const other = addrs[0]!.addr_info.find((a) => a.prefixlen === 31)!.local;

    await sh('host1', ['ovs-vsctl', 'set', 'Open_vSwitch', '.', `external_ids:ovn-encap-ip=${other}`]);
    try {
      await waitForEncap('host1', other);
      const broken = await suite('overlay-reachability', SHORT);
      expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
      expect(broken.errors).toContain(`host1 registered encap IP ${other} in OVN's southbound DB, but its TEP is ${tep} (external_ids:ovn-encap-ip on its Open_vSwitch row)`);
      expect(broken.errors).not.toMatch(/host2 registered encap IP/);
      expect(broken.errors).not.toMatch(/logical switch port/);
      expect(broken.errors).not.toMatch(OTHER_OVERLAY_CULPRITS);
    } finally {
      await sh('host1', ['ovs-vsctl', 'set', 'Open_vSwitch', '.', `external_ids:ovn-encap-ip=${tep}`]);
      await waitForEncap('host1', tep);
    }
    await expectPasses('overlay-reachability');
  }, 240_000);

  test('a blackhole route added by hand on a leaf for another host’s TEP: bgp-convergence fails naming the leaf and the prefix; deleted, it passes', async () => {
    // zebra learns it as a kernel route (distance 0), which beats eBGP's 20: BGP itself still converges.
    await sh('leaf1', ['ip', 'route', 'replace', 'blackhole', '10.255.2.2/32']);
    try {
      const broken = await suite('bgp-convergence', SHORT);
      expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
      expect(broken.summary.tests.find((t) => t.name.includes('session'))?.status).toBe('passed');
      expect(broken.errors).toContain('leaf1: 10.255.2.2/32 (loopback of host2) is routed by kernel in the RIB (via blackhole), not by BGP; expected bgp 1 (via eth4 → host2)');
      // Only that route is blamed: leaf1 still advertises host2's TEP, so nobody else's routes change.
      const blamed = broken.errors.split('\n').filter((l) => /^\S+: \S+\/32 \(loopback of /.test(l));
      expect(blamed).toEqual(['leaf1: 10.255.2.2/32 (loopback of host2) is routed by kernel in the RIB (via blackhole), not by BGP; expected bgp 1 (via eth4 → host2)']);
    } finally {
      await sh('leaf1', ['ip', 'route', 'del', 'blackhole', '10.255.2.2/32']);
    }
    await expectPasses('bgp-convergence');
  }, 240_000);

  test('a link MTU impaired with netproof fault (held in the background): the intent suite fails naming both ends and the declared MTU; Ctrl-C restores it and it passes', async () => {
    const fault = spawnNetproof(['fault', LAB, 'mtu', 'leaf1:eth1', '--mtu', '1400', '--for', '120']);
    children.push(fault);
    const exited = new Promise<number | null>((resolve) => fault.on('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => (fault.output().includes('applied: MTU 1400 on spine1:eth1 <-> leaf1:eth1') ? { ok: true, value: true } : { ok: false, reason: fault.output() || 'no output yet' }), {
        timeoutMs: 60_000,
        description: 'netproof fault to set MTU 1400 on leaf1:eth1',
      });
      const broken = await suite('intent');
      expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
      // ASN, BFD and hashing are untouched: only the MTU check fails.
      expect(broken.summary.tests.filter((t) => t.status === 'failed').map((t) => t.name)).toEqual([expect.stringMatching(/every link end has the MTU the topology declares$/)]);
      expect(broken.errors).toMatch(/^spine1:eth1: MTU 1400, the topology declares 9000 \(link spine1:eth1 <-> leaf1:eth1 in \S+\.clab\.yml\)$/m);
      expect(broken.errors).toMatch(/^leaf1:eth1: MTU 1400, the topology declares 9000 \(link spine1:eth1 <-> leaf1:eth1 in \S+\.clab\.yml\)$/m);
      const named = [...broken.errors.matchAll(/^(\S+:\S+): MTU /gm)].map((m) => m[1]);
      expect(named.sort()).toEqual(['leaf1:eth1', 'spine1:eth1']);
    } finally {
      // Ctrl-C undoes the fault: both ends back to the MTU they had.
      fault.kill('SIGINT');
    }
    expect(await exited, fault.output()).toBe(130);
    const mtu = JSON.parse(await sh('leaf1', ['ip', '-j', 'link', 'show', 'dev', 'eth1'])) as { mtu: number }[];
    expect(mtu[0]!.mtu).toBe(9000);
    await expectPasses('intent');
  }, 240_000);

  describe('north–south (the generated gateway on host1 and host2, vm3 with floating IP 172.24.4.101)', () => {
    const FIP = '172.24.4.101';
    /** A broken nat run: exit 1, and the errors. */
    async function natFails(): Promise<string> {
      const broken = await suite('nat', SHORT);
      expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
      return broken.errors;
    }

    test('the floating IP bound to vm2 instead of vm3: nat fails naming vm3’s cells, vm2 leaving with vm3’s floating IP, and the NAT rule; bound back, it passes', async () => {
      await expectPasses('nat');
      await sh('central', nbctl('lr-nat-del', 'tenant', 'dnat_and_snat', FIP));
      await sh('central', nbctl('lr-nat-add', 'tenant', 'dnat_and_snat', FIP, '10.20.2.12'));
      try {
        await sh('central', nbctl('--wait=hv', 'sync'));
        const errors = await natFails();
        // vm3 is no longer behind its floating IP (db's groups refuse tcp/80, so vm2 does not answer it either) ...
        expect(errors).toMatch(/^ext → 172\.24\.4\.101 \(vm3's floating IP\) tcp\/80: expected vm3 answers, seeing source 172\.24\.4\.1 .*; observed no answer/m);
        expect(errors).toMatch(/^vm3 → 172\.24\.4\.1 \(ext, the outside world\) tcp\/443: expected ext answers, seeing source 172\.24\.4\.101 .*; observed ext answered, seeing source 172\.24\.4\.10$/m);
        // ... and vm2 leaves with vm3's floating IP.
        expect(errors).toMatch(/^vm2 → 172\.24\.4\.1 \(ext, the outside world\) tcp\/443: expected ext answers, seeing source 172\.24\.4\.10 .*; observed ext answered, seeing source 172\.24\.4\.101$/m);
        expect(errors).toContain(`NAT dnat_and_snat ${FIP} on router tenant: logical_ip 10.20.2.12, declared 10.20.1.13 (vms.vm3.floating-ip)`);
        expect(errors).not.toMatch(/NAT snat/);
        expect(errors).not.toMatch(/gateway port/);
      } finally {
        await sh('central', nbctl('lr-nat-del', 'tenant', 'dnat_and_snat', FIP));
        await sh('central', nbctl('lr-nat-add', 'tenant', 'dnat_and_snat', FIP, '10.20.1.13'));
        await sh('central', nbctl('--wait=hv', 'sync'));
      }
      await expectPasses('nat');
    }, 240_000);

    test('the db subnet’s SNAT removed: nat fails naming the db VMs’ outbound cells and the missing NAT rule, and nothing of web; added back, it passes', async () => {
      await sh('central', nbctl('lr-nat-del', 'tenant', 'snat', '10.20.2.0/24'));
      try {
        await sh('central', nbctl('--wait=hv', 'sync'));
        const errors = await natFails();
        const cells = errors.split('\n').filter((l) => / → .*: expected /.test(l));
        expect(cells.length).toBe(6);
        for (const c of cells) expect(c).toMatch(/^vm[24] → 172\.24\.4\.1 \(ext, the outside world\) (icmp|tcp\/443|udp\/53): expected ext answers, seeing source 172\.24\.4\.10 .*observed no answer/);
        expect(errors).toContain('NAT snat 172.24.4.10 ← 10.20.2.0/24 on router tenant: declared by routers.tenant.gateway.snat (db) but missing from the northbound DB');
        expect(errors).not.toMatch(/NAT dnat_and_snat/);
      } finally {
        await sh('central', nbctl('lr-nat-add', 'tenant', 'snat', '172.24.4.10', '10.20.2.0/24'));
        await sh('central', nbctl('--wait=hv', 'sync'));
      }
      await expectPasses('nat');
    }, 240_000);

    test('both gateway chassis at one priority: nat’s scheduling check fails naming the port and the priority, while every NAT cell still passes; set back, it passes', async () => {
      await sh('central', nbctl('lrp-set-gateway-chassis', 'lrp-tenant-public', 'host1', '10'));
      try {
        await sh('central', nbctl('--wait=hv', 'sync'));
        const broken = await suite('nat', SHORT);
        expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
        expect(broken.summary.tests.filter((t) => t.status === 'failed').map((t) => t.name)).toEqual([expect.stringMatching(/each gateway port is active on its highest-priority chassis/)]);
        expect(broken.errors).toContain('gateway port lrp-tenant-public: chassis host1 has priority 10, declared 20 (routers.tenant.gateway.chassis)');
        expect(broken.errors).toMatch(/gateway port lrp-tenant-public: 2 chassis share priorities/);
      } finally {
        await sh('central', nbctl('lrp-set-gateway-chassis', 'lrp-tenant-public', 'host1', '20'));
        await sh('central', nbctl('--wait=hv', 'sync'));
      }
      await expectPasses('nat');
    }, 240_000);
  });

  test('gateway_mtu removed from the router’s gateway port: geneve-mtu’s north–south test fails naming the black hole and the port; set back, it passes', async () => {
    await sh('central', nbctl('remove', 'Logical_Router_Port', 'lrp-tenant-public', 'options', 'gateway_mtu'));
    try {
      await sh('central', nbctl('--wait=hv', 'sync'));
      const broken = await suite('geneve-mtu', SHORT);
      expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
      // East–west is untouched: only the north–south test fails.
      expect(broken.summary.tests.filter((t) => t.status === 'failed').map((t) => t.name)).toEqual([expect.stringMatching(/^GENEVE MTU > north–south:/)]);
      expect(broken.errors).toMatch(/^vm1 \(MTU 1442\) → ext 172\.24\.4\.1: a 1442-byte don't-fragment packet vanished \(no reply, no ICMP\): a path MTU black hole; provider network public carries 1400 .*router port lrp-tenant-public should answer/m);
      expect(broken.errors).toContain('lrp-tenant-public: options:gateway_mtu=unset in the northbound DB');
    } finally {
      await sh('central', nbctl('set', 'Logical_Router_Port', 'lrp-tenant-public', 'options:gateway_mtu=1400'));
      await sh('central', nbctl('--wait=hv', 'sync'));
    }
    await expectPasses('geneve-mtu');
  }, 240_000);

  describe('load balancer web (172.24.4.50:80 over vm1 and vm3, health-checked every second)', () => {
    const VIP = '172.24.4.50:80';
    const HEALTHY = '10.20.1.11:80,10.20.1.13:80';

    test('a backend pointing to a dead port: load-balancer fails naming the backend that answers nothing and the VIP’s backends; set back, it passes', async () => {
      await expectPasses('load-balancer');
      await sh('central', nbctl('set', 'Load_Balancer', 'web', `vips:"${VIP}"="10.20.1.11:80,10.20.1.13:81"`));
      try {
        await sh('central', nbctl('--wait=hv', 'sync'));
        const broken = await suite('load-balancer', SHORT);
        expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
        expect(broken.errors).toMatch(/^web \(172\.24\.4\.50:80\/tcp\) from vm2: backend vm3 \(10\.20\.1\.13:80\) answered none of 256 connections$/m);
        expect(broken.errors).toMatch(/^web \(172\.24\.4\.50:80\/tcp\) from ext: backend vm3 \(10\.20\.1\.13:80\) answered none of 256 connections$/m);
        expect(broken.errors).toContain(`load balancer web: VIP ${VIP} → 10.20.1.11:80,10.20.1.13:81, declared ${HEALTHY} (load-balancers.web)`);
        expect(broken.errors).not.toMatch(/backend vm1 .* answered none/);
      } finally {
        await sh('central', nbctl('set', 'Load_Balancer', 'web', `vips:"${VIP}"="${HEALTHY}"`));
        await sh('central', nbctl('--wait=hv', 'sync'));
      }
      await expectPasses('load-balancer');
    }, 300_000);

    test('the health check removed: the health-check tests fail once, on their shared precondition, naming the load balancer; the spread still passes; put back, it passes', async () => {
      await sh('central', nbctl('clear', 'Load_Balancer', 'web', 'health_check'));
      try {
        await sh('central', nbctl('--wait=hv', 'sync'));
        const broken = await suite('load-balancer', SHORT);
        expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
        const failed = broken.summary.tests.filter((t) => t.status === 'failed');
        expect(failed.map((t) => t.name)).toEqual([expect.stringMatching(/taken out by the health check/), expect.stringMatching(/no healthy backend/)]);
        for (const t of failed) expect(t.errors.join('\n')).toMatch(/^precondition failed: OVN's health check finds every backend online/);
        expect(broken.errors).toContain('load balancer web: no health check, declared every 1 s (load-balancers.web.health-check)');
        expect(broken.errors).toMatch(/vm1: no service monitor/);
      } finally {
        await sh('central', [
          ...nbctl('--', '--id=@hc', 'create', 'Load_Balancer_Health_Check', `vip="${VIP}"`, 'options:interval=1', 'options:timeout=1', 'options:success_count=1', 'options:failure_count=2'),
          '--', 'add', 'Load_Balancer', 'web', 'health_check', '@hc',
        ]);
        await sh('central', nbctl('--wait=hv', 'sync'));
      }
      await expectPasses('load-balancer');
    }, 300_000);

    test('the health check slowed to every 5 s: the removal is measured over its budget, naming the backend and the changed interval; set back, it passes', async () => {
      const hc = (await sh('central', nbctl('--bare', '--columns=_uuid', 'find', 'Load_Balancer_Health_Check', `vip="${VIP}"`))).trim();
      expect(hc, `one health check for ${VIP}`).toMatch(/^[0-9a-f-]{36}$/);
      await sh('central', nbctl('set', 'Load_Balancer_Health_Check', hc, 'options:interval=5'));
      try {
        await sh('central', nbctl('--wait=hv', 'sync'));
        const broken = await suite('load-balancer', SHORT);
        expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
        const failed = broken.summary.tests.filter((t) => t.status === 'failed');
        expect(failed.map((t) => t.name)).toEqual([expect.stringMatching(/taken out by the health check within its budget/)]);
        // A stopped backend answers each probe with a reset, so each probe fails at once: 2 failures 5 s apart, the
        // first up to 5 s after the stop, take 5–10 s — always over the 4 s budget (2 × 1 s + 1 s timeout + 1 s) and
        // under three times it (the wait's limit), so measured, not timed out. Every 4 s gave 4–8 s: once just
        // under 4 s (the first probe right at the stop), within the budget.
        expect(broken.errors).toMatch(/^web \(172\.24\.4\.50:80\/tcp\): vm1 was taken out after \d+ ms, over the budget of 4000 ms \(2 failures × 1 s interval/m);
        expect(broken.errors).toContain('load balancer web: health check interval 5, declared 1 (load-balancers.web.health-check)');
        const removal = broken.summary.figures['lb_health_removal_ms.web'];
        expect(removal?.value).toBeGreaterThan(4000);
      } finally {
        await sh('central', nbctl('set', 'Load_Balancer_Health_Check', hc, 'options:interval=1'));
        await sh('central', nbctl('--wait=hv', 'sync'));
      }
      await expectPasses('load-balancer');
    }, 300_000);

    test('the VIP set to drop instead of reject when no backend is healthy: the no-backend test fails naming the load balancer and its declared no-backend; set back, it passes', async () => {
      await sh('central', nbctl('remove', 'Load_Balancer', 'web', 'options', 'reject'));
      try {
        await sh('central', nbctl('--wait=hv', 'sync'));
        const broken = await suite('load-balancer', SHORT);
        expect(broken.result.exitCode, broken.result.stdout + broken.result.stderr).toBe(1);
        const failed = broken.summary.tests.filter((t) => t.status === 'failed');
        expect(failed.map((t) => t.name)).toEqual([expect.stringMatching(/no healthy backend/)]);
        expect(broken.errors).toMatch(/^web \(172\.24\.4\.50:80\/tcp\) from vm2: with no healthy backend, 8 of 8 sessions were not refused \(.*\); load-balancers\.web\.no-backend declares reject$/m);
        expect(broken.errors).toContain('load balancer web: options:reject=unset, the intent declares no-backend: reject (load-balancers.web)');
      } finally {
        await sh('central', nbctl('set', 'Load_Balancer', 'web', 'options:reject=true'));
        await sh('central', nbctl('--wait=hv', 'sync'));
      }
      await expectPasses('load-balancer');
    }, 300_000);
  });
});
