// Two labs on one machine at once, as two teams' CI jobs would be: each runs its suites and
// passes, neither sees the other, and the host's root namespace (links, routes, nftables,
// net.* sysctls) is the same afterwards as before.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { netproof } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { hostDifferences, hostSnapshot } from '../../fixtures/host-snapshot.ts';
import { labFor, leftovers, RUNTIMES } from '../../fixtures/runtimes.ts';
import type { Summary } from '../report/summary-reporter.ts';

// Three hosts: a gateway's standby needs a BFD peer besides the active chassis to take over.
// On Docker, where every probe is a `docker exec` and the overlay run takes three minutes, the
// fabric without an overlay: what two labs could share there is the same (container and
// namespace names, links, the engine), and the overlay side by side is covered on netns.
const SHAPES = { netns: { spines: 2, leaves: 4, hosts: 3, vmsPerHost: 1 }, docker: { spines: 2, leaves: 2, hosts: 2, vmsPerHost: 0 } } as const;
/**
 * Suites each lab runs: every one on netns; on Docker the fabric's but failover, whose faults
 * cannot reach across containers' namespaces any more than across netns labs', and which
 * run.e2e gates on Docker: CI's time.
 */
const SUITES = { netns: [], docker: ['bgp-convergence', 'ecmp-spread', 'frr-config', 'intent'] } as const;
/**
 * Of the failover classes, each lab's grey failures only (BFD and gateway): two labs failing
 * links at once is the point, and the other classes are the same mechanism (failover.e2e).
 */
const GREP = { netns: ['--grep', '^(?!.*(carrier loss|far end down|its ovn-controller and ovs-vswitchd stopped))'], docker: [] } as const;
/** Tests that must pass in each lab. */
const LEAST_PASSED = { netns: 17, docker: 9 } as const;
const NAMES = ['e2e-side-a', 'e2e-side-b'];

afterAll(async () => {
  for (const runtime of RUNTIMES) for (const n of NAMES) await netproof(['destroy', labFor(n, runtime)]);
}, 240_000);

describe.each(RUNTIMES)('labs side by side on %s', (runtime) => {
  test('two labs with different names run their suites at the same time and both pass; the host root namespace is as it was', async () => {
    const labs = await Promise.all(NAMES.map((n) => generatedLab(labFor(n, runtime), SHAPES[runtime])));
    const before = await hostSnapshot();
    const runs = await Promise.all(
      labs.map(async (lab) => {
        const reportDir = await mkdtemp(join(tmpdir(), `netproof-${lab.name}-report-`));
        const r = await netproof(['run', lab.file, '--runtime', runtime, '--report-dir', reportDir, ...SUITES[runtime].flatMap((s) => ['--suite', s]), ...GREP[runtime]], { timeoutMs: 1_200_000 });
        const summary = await readFile(join(reportDir, 'summary.json'), 'utf8').then((t) => JSON.parse(t) as Summary, () => undefined);
        return { lab: lab.name, r, summary };
      }),
    );
    for (const { lab, r, summary } of runs) {
      const failed = (summary?.tests ?? []).filter((t) => t.status === 'failed').map((t) => `${t.name}: ${t.errors.join('; ')}`);
      expect(r.exitCode, `${lab}: ${failed.join('\n') || r.stdout.slice(-3000) + r.stderr}`).toBe(0);
      expect(summary?.counts.passed, lab).toBeGreaterThanOrEqual(LEAST_PASSED[runtime]);
      expect(await leftovers(lab)).toEqual([]);
    }
    expect(hostDifferences(before, await hostSnapshot())).toEqual([]);
  }, 1_500_000);
});
