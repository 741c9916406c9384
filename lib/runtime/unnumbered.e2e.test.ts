// BGP unnumbered (RFC 5549) end to end: `generate clos --unnumbered` writes a fabric with no
// IPv4 on its links; every suite that applies passes on it (grey failover included: its streams are
// steered by interface, since every next hop is 169.254.0.1 onlink), sessions are named by
// both interfaces, and an interface that loses its IPv6 link-local address fails the run
// naming that session and the missing address. On network namespaces: the suites read the lab
// through the runtime-neutral NodeHandle, and the Docker runtime deploys the same files.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { netproof, netproofTest } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { leftovers } from '../../fixtures/runtimes.ts';
import type { Snapshot } from '../state/snapshot.ts';
import { waitFor } from '../wait-for.ts';

const LAB = 'e2e-unnumbered';

afterAll(async () => {
  await netproof(['destroy', LAB]);
});

const suites = (extra: string[]) => netproofTest(LAB, extra);

test('an unnumbered fabric passes every suite that applies, names sessions by interface, and fails naming an interface without its link-local address', async () => {
  const lab = await generatedLab(LAB, { unnumbered: true });
  expect(await readFile(join(lab.dir, 'leaf1', 'frr.conf'), 'utf8')).toContain('neighbor eth1 interface remote-as 65000');
  const deploy = await netproof(['deploy', lab.file]);
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);

  // Every suite; of the failover classes the grey failure only (steering and watching by interface is the same for all three).
  const healthy = await suites(['--grep', '^(?!.*(carrier loss|far end down))']);
  expect(healthy.result.exitCode, healthy.errors || healthy.result.stdout + healthy.result.stderr).toBe(0);
  const ran = (file: string) => healthy.summary.tests.filter((t) => t.file === `suites/${file}.test.ts` && t.status === 'passed').length;
  // Convergence, the intent (ASNs, BFD by interface, hashing, MTU), ECMP and every failover class.
  expect([ran('bgp-convergence'), ran('intent'), ran('ecmp-spread'), ran('bfd-failover')]).toEqual([2, 4, 2, 2]);
  expect(healthy.summary.figures.bgp_sessions?.value).toBe(24);
  // The snapshot names every peer and next hop by its neighbor, not by 169.254.0.1 or a link-local address.
  const state = JSON.parse(await readFile(join(healthy.reportDir, 'state.json'), 'utf8')) as Snapshot;
  expect(Object.keys(state.routers.leaf1!.sessions).sort()).toEqual(['host1', 'spine1', 'spine2']);
  expect(state.routers.leaf1!.fib['10.255.1.3/32']?.nexthops).toEqual(['eth1 → spine1', 'eth2 → spine2']);

  // The seeded fault: leaf1's uplink to spine1 loses its IPv6 link-local address.
  expect((await netproof(['exec', LAB, 'leaf1', '--', 'ip', '-6', 'addr', 'flush', 'dev', 'eth1', 'scope', 'link'])).exitCode).toBe(0);
  // The check passes at its first look if the session has not dropped yet: wait for the fault to take effect.
  await waitFor(
    async () => {
      const r = await netproof(['exec', LAB, 'leaf1', '--', 'vtysh', '-c', 'show bgp summary json']);
      const state = (JSON.parse(r.stdout || '{}') as { ipv4Unicast?: { peers?: Record<string, { state?: string }> } }).ipv4Unicast?.peers?.eth1?.state;
      return state !== 'Established' ? { ok: true, value: state } : { ok: false, reason: 'leaf1:eth1 still Established' };
    },
    { timeoutMs: 30_000, intervalsMs: [250], description: "leaf1's session on eth1 to drop once its link-local address is gone" },
  );
  const broken = await suites(['--suite', 'bgp-convergence', '--convergence-timeout', '10']);
  expect(broken.result.exitCode).toBe(1);
  expect(broken.errors).toMatch(/^leaf1:eth1 ↔ spine1:eth1: unnumbered session is \w+, expected Established \(last reset: leaf1:eth1 has no IPv6 link-local address/m);
  expect(broken.errors).toMatch(/^spine1:eth1 ↔ leaf1:eth1: unnumbered session is \w+, expected Established/m);
  // No other session is blamed.
  expect(broken.errors.split('\n').filter((l) => / ↔ .*: unnumbered session/.test(l))).toHaveLength(2);

  expect((await netproof(['destroy', LAB])).exitCode).toBe(0);
  expect(await leftovers(LAB)).toEqual([]);
}, 240_000);
